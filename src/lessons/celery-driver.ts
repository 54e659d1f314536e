/**
 * Celery for lessons: the lesson's configuration loaded on the page's
 * broker, tasks sent, workers and beat started — the `celery …` steps.
 * Reports what happened as lines for the transcript.
 */
import type { Broker } from '../core/broker.ts';
import { CelerySandbox, ConfigError, type SendResult, type TaskCall, type WorkerOptions } from '../celery/index.ts';

export class CeleryDriver {
  sandbox: CelerySandbox | null = null;
  /** The configuration last loaded (what a Celery panel shows). */
  source = '';
  readonly sent: SendResult[] = [];

  constructor(private readonly seed = 1) {}

  /** Loads a configuration on `broker`; throws ConfigError. Workers already started keep running. */
  load(source: string, broker: Broker): string[] {
    this.sandbox = CelerySandbox.load(source, { broker, seed: this.seed });
    this.source = source;
    return ['-> celery: configuration loaded.', ...this.sandbox.warnings.map((w) => `-> celery: warning: ${w}`)];
  }

  private need(broker: Broker): CelerySandbox {
    if (!this.sandbox || this.sandbox.broker !== broker) this.load(this.source, broker);
    return this.sandbox!;
  }

  send(task: string, call: TaskCall, broker: Broker): string[] {
    const r = this.need(broker).send(task, call);
    this.sent.push(r);
    if (r.error) return [`-> celery: ${r.error.type}: ${r.error.message}`];
    const where = `exchange '${r.exchange ?? ''}', routing key '${r.routing_key ?? ''}'`;
    return [`-> celery: sent ${task} (${r.id}) to ${where}: ${r.queues.length ? `queue ${r.queues.join(', ')}` : 'no queue'}.`];
  }

  worker(options: WorkerOptions, broker: Broker): string[] {
    this.need(broker).startWorker(options);
    return [`-> celery: worker ${options.name} started.`];
  }

  beat(broker: Broker): string[] {
    this.need(broker).startBeat();
    return ['-> celery: beat started.'];
  }

  /** A failure as one line (a configuration error with its line and column). */
  static describe(e: unknown): string {
    if (e instanceof ConfigError) return `-> celery: ${e.type}: ${e.detail} (line ${e.line}, column ${e.column})`;
    return `-> celery: ${(e as Error).message}`;
  }
}
