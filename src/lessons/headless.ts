/**
 * A lesson without a page: a broker and the shell on it. Tests replay every
 * lesson's solution here; the transcript is what the page's shell shows.
 */
import { Broker } from '../core/broker.ts';
import { EngineBackend } from '../shell/engine-backend.ts';
import { ShellSession } from '../shell/session.ts';
import { CeleryDriver } from './celery-driver.ts';
import type { LessonHost } from './runner.ts';
import { runStep } from './runner.ts';
import type { Step } from './steps.ts';
import { GoalTracker } from './tracker.ts';
import type { Lesson } from './types.ts';

export class HeadlessLesson implements LessonHost {
  readonly broker: Broker;
  readonly transcript: string[] = [];
  readonly session: ShellSession;
  readonly celery: CeleryDriver;
  readonly tracker: GoalTracker;
  /** Steps that failed (their lines). */
  readonly failures: string[] = [];

  constructor(readonly lesson: Lesson) {
    this.broker = new Broker({ seed: lesson.seed });
    this.session = new ShellSession(new EngineBackend(this.broker), (l) => this.transcript.push(l));
    this.celery = new CeleryDriver(lesson.seed);
    this.tracker = new GoalTracker(lesson.goals);
  }

  async shell(line: string): Promise<void> {
    this.transcript.push(`${this.session.prompt}${line}`);
    await this.session.execute(line);
  }

  note(lines: string[]): void {
    this.transcript.push(...lines);
  }

  /** Connects the shell, runs the setup, and starts checking goals. */
  async start(): Promise<void> {
    await this.session.start();
    await this.run(this.lesson.setup);
    this.tracker.attach(this.broker);
  }

  async run(steps: readonly Step[]): Promise<void> {
    for (const step of steps) {
      if (!(await runStep(step, this.lesson, this, this.celery))) this.failures.push(step.source);
    }
  }

  status(): boolean[] {
    return this.tracker.status();
  }
}
