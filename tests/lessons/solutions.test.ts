/**
 * Every lesson's solution, replayed headlessly: no goal is met once the
 * setup has run (so every check can fail), and every goal is met after the
 * solution. The transcript is printed when a lesson fails.
 */
import { describe, expect, it } from 'vitest';
import { loadBuiltin } from '../../src/lessons/builtin.ts';
import { HeadlessLesson } from '../../src/lessons/headless.ts';

const workshop = await loadBuiltin();

describe('the built-in lessons', () => {
  it('load without errors, at least 20 of them', () => {
    expect(workshop.errors.map((e) => e.message)).toEqual([]);
    expect(workshop.lessons.length).toBeGreaterThanOrEqual(20);
  });

  for (const lesson of workshop.lessons) {
    it(`${lesson.id}: no goal at the start, every goal after the solution`, async () => {
      const run = new HeadlessLesson(lesson);
      await run.start();
      const context = () => `\n${run.transcript.join('\n')}`;
      expect(run.failures, `setup failed${context()}`).toEqual([]);
      const atStart = run.status();
      expect(lesson.goals.filter((_, i) => atStart[i]).map((g) => g.source), `goals met at the start${context()}`).toEqual([]);
      await run.run(lesson.solution);
      expect(run.failures, `solution steps failed${context()}`).toEqual([]);
      const after = run.status();
      expect(lesson.goals.filter((_, i) => !after[i]).map((g) => g.source), `goals not met by the solution${context()}`).toEqual([]);
    });
  }
});
