/**
 * Every built-in lesson exists in English and in Simplified Chinese, with a
 * line for each goal in both, and every shell line its text suggests is a
 * line the shell accepts.
 */
import { describe, expect, it } from 'vitest';
import { loadBuiltin } from '../../src/lessons/builtin.ts';
import type { Block, Inline } from '../../src/lessons/markdown.ts';
import { parseStep } from '../../src/lessons/steps.ts';
import { LESSON_LANGS } from '../../src/lessons/types.ts';

const workshop = await loadBuiltin();

function codeSpans(blocks: Block[], lists: Inline[][]): string[] {
  const inlines = [...blocks.flatMap((b) => (b.kind === 'p' || b.kind === 'h' ? b.inlines : b.kind === 'list' ? b.items.flat() : [])), ...lists.flat()];
  return inlines.filter((i) => i.kind === 'code').map((i) => i.text);
}

const COMMAND = /^(@[a-z:0-9]+ )?(exchange|queue|basic|confirm|channel|connection)\.[a-z_]+ /;

describe('lessons in both languages', () => {
  for (const lesson of workshop.lessons) {
    it(`${lesson.id}: English and Chinese, every goal described, every suggested line valid`, () => {
      for (const lang of LESSON_LANGS) {
        const text = lesson.text[lang];
        expect(text, `${lesson.id}.${lang}.md`).toBeDefined();
        expect(text!.goals, `${lesson.id}.${lang}.md goals`).toHaveLength(lesson.goals.length);
        expect(text!.hints.length, `${lesson.id}.${lang}.md hints`).toBeGreaterThan(0);
        for (const code of codeSpans(text!.body, [...text!.goals, ...text!.hints])) {
          if (!COMMAND.test(code) && !/^celery (config|send|worker|beat)\b/.test(code)) continue;
          if (code.includes('…')) continue;
          expect(() => parseStep(code, 0), `${lesson.id}.${lang}.md: ${code}`).not.toThrow();
        }
      }
      expect(lesson.text.zh!.title).toMatch(/[\u4e00-\u9fff]/);
    });
  }
});
