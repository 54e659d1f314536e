/**
 * Runs a lesson's steps on a host: the page's sandbox, or a headless
 * broker and shell (tests, the CLI). Shell lines go through the shell;
 * `celery …` and `restart` steps through the engine, printed as notes.
 */
import type { Broker } from '../core/broker.ts';
import { CeleryDriver } from './celery-driver.ts';
import type { Step } from './steps.ts';
import type { Lesson } from './types.ts';

export interface LessonHost {
  /** The broker now (a rewind may replace it). */
  readonly broker: Broker;
  /** Runs a line of the shell, printed as typed. */
  shell(line: string): Promise<void>;
  /** Prints lines in the transcript for a step that is not a shell line. */
  note(lines: string[]): void;
}

/** Runs one step; returns false when it failed (the failure is printed). */
export async function runStep(step: Step, lesson: Pick<Lesson, 'celeryConfigs'>, host: LessonHost, celery: CeleryDriver): Promise<boolean> {
  if (step.kind === 'shell') {
    await host.shell(step.source);
    return true;
  }
  const out: string[] = [`${step.source}`];
  let ok = true;
  try {
    switch (step.kind) {
      case 'restart':
        host.broker.restart();
        out.push('-> the broker restarted: connections closed; durable exchanges, queues and bindings, and persistent messages in durable queues, survived.');
        break;
      case 'celery-config':
        out.push(...celery.load(lesson.celeryConfigs[step.name], host.broker));
        break;
      case 'celery-send': {
        const lines = celery.send(step.task, step.call, host.broker);
        ok = !celery.sent.at(-1)?.error;
        out.push(...lines);
        break;
      }
      case 'celery-worker':
        out.push(...celery.worker(step.options, host.broker));
        break;
      case 'celery-beat':
        out.push(...celery.beat(host.broker));
        break;
    }
  } catch (e) {
    out.push(CeleryDriver.describe(e));
    ok = false;
  }
  host.note(out);
  return ok;
}
