/**
 * The Celery panel's state: a Celery configuration loaded onto the page's
 * own broker (the sandbox's), tasks sent through it with the router's
 * decision kept for explaining, and simulated workers. Every declare,
 * publish, delivery and ack goes through the engine's channels like any
 * other client's, so the topology, the animation and the story show them.
 *
 * A rewind of the timeline replaces the broker: Celery's connections in
 * the restored broker are closed (what their workers held goes back to the
 * queues, redelivered), the configuration is loaded again on the new
 * broker, and the workers that were running at that moment start again.
 */
import type { Broker } from '../core/broker.ts';
import { AmqpError } from '../core/errors.ts';
import { CelerySandbox, ConfigError, type AmqpCall, type CeleryFailure, type RouteTrace, type SendResult, type TaskRun, type WorkerState } from '../celery/index.ts';
import type { Sandbox } from './sandbox.svelte.ts';
import type { Said } from './model/story.ts';

/** The seed's queue declaration (队列声明) and its task_routes example (指定任务目标). */
export const SEED_CONFIG = `from kombu import Exchange, Queue

default_exchange = Exchange('default', type='direct')
media_exchange = Exchange('media', type='direct')

app.conf.task_queues = (
    Queue('default', default_exchange, routing_key='default'),
    Queue('videos', media_exchange, routing_key='media.video'),
    Queue('images', media_exchange, routing_key='media.image')
)
app.conf.task_default_queue = 'default'
app.conf.task_default_exchange = 'default'
app.conf.task_default_routing_key = 'default'

app.conf.task_routes = {
    'myapp.tasks.compress_video': {
        'queue': 'video',
        'routing_key': 'video.compress',
    },
    'myapp.tasks.resize_*': {'queue': 'images'},
}
`;

/** What a load refused: where and why, in Python's words. */
export interface LoadProblem {
  type: string;
  detail: string;
  line: number | null;
  column: number | null;
  /** The Python-like report with a caret, when there is a place. */
  report: string;
}

/** The send form: a task name and apply_async's routing options ('' = not given). */
export interface SendForm {
  task: string;
  args: string;
  queue: string;
  routingKey: string;
  priority: string;
}

export interface SentTask {
  /** Virtual time of the send. */
  at: number;
  /** The options the call gave, as apply_async received them. */
  options: Record<string, unknown>;
  result: SendResult;
}

export interface WorkerForm {
  name: string;
  concurrency: number;
  prefetchMultiplier: number;
  acksLate: boolean;
  /** How long each task runs, virtual ms. */
  taskDuration: number;
  /** Queue names separated by commas or spaces ('' = every queue of task_queues). */
  queues: string;
}

export interface WorkerView {
  name: string;
  state: WorkerState;
  concurrency: number;
  prefetch: number;
  queues: string[];
  active: number;
  reserved: number;
  done: number;
  runs: TaskRun[];
}

interface WorkerLife {
  form: WorkerForm;
  startedAt: number;
  endedAt: number | null;
}

/** Parses the send form's args as a JSON list ('' is no arguments), or says what is wrong. */
function parseArgs(text: string): { args: unknown[] | null } | { error: Said } {
  if (!text.trim()) return { args: null };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return { error: { key: 'celery.args.not-json' } };
  }
  return Array.isArray(v) ? { args: v } : { error: { key: 'celery.args.not-list' } };
}

export class CeleryPanel {
  source = $state(SEED_CONFIG);
  problem = $state<LoadProblem | null>(null);
  warnings = $state<string[]>([]);
  /** The declarations made at the last load, and the broker's refusal if any. */
  declared = $state.raw<{ amqp: AmqpCall[]; error?: CeleryFailure } | null>(null);
  sent = $state.raw<SentTask[]>([]);
  /** A send form mistake (not Celery's: e.g. args that are not JSON). */
  formError = $state<Said | null>(null);
  /** Bumped when workers start, stop or crash. */
  version = $state(0);
  /** A configuration is loaded (tasks can be sent, workers started). */
  loaded = $state(false);

  private celery: CelerySandbox | null = null;
  // Bookkeeping no view reads: plain collections on purpose.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private lives = new Map<string, WorkerLife>();
  /** Every broker connection Celery opened, to close them in a restored broker. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private connections = new Set<string>();

  constructor(private readonly sandbox: Sandbox) {
    sandbox.onRewind.push((broker) => this.rebind(broker));
  }

  /** Loads the configuration on the page's broker and declares its task_queues. */
  async load(): Promise<boolean> {
    return this.sandbox.act(() => {
      let celery: CelerySandbox;
      try {
        celery = CelerySandbox.load(this.source, { broker: this.sandbox.broker, seed: 1 });
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        this.problem = { type: e.type, detail: e.detail, line: e.line, column: e.column, report: e.pretty() };
        return false;
      }
      this.shutdown();
      this.problem = null;
      this.celery = celery;
      this.loaded = true;
      this.warnings = [...celery.warnings];
      this.declared = celery.declareQueues();
      this.remember();
      return true;
    });
  }

  /** The routing decision for the form, without sending (null when nothing is loaded). */
  preview(form: SendForm): { route: unknown; trace: RouteTrace } | { error: CeleryFailure } | null {
    const parsed = parseArgs(form.args);
    if (!this.celery || 'error' in parsed) return null;
    return this.celery.route(form.task, { args: parsed.args, options: this.options(form) });
  }

  /** Sends a task as apply_async (send_task for names the configuration does not define). */
  async send(form: SendForm): Promise<SendResult | null> {
    if (!this.celery) return null;
    const parsed = parseArgs(form.args);
    if ('error' in parsed) {
      this.formError = parsed.error;
      return null;
    }
    const args = parsed.args;
    this.formError = null;
    const options = this.options(form);
    const at = this.sandbox.reviewing ?? this.sandbox.broker.now;
    // The action may first rewind the broker (and so replace this.celery): read it inside.
    const result = await this.sandbox.act(() => this.celery!.send(form.task.trim(), { args, options }));
    this.remember();
    this.sent = [...this.sent, { at, options, result }].slice(-20);
    return result;
  }

  /** Starts a worker; a name in use or a broker refusal comes back as a sentence. */
  async startWorker(form: WorkerForm): Promise<Said | null> {
    if (!this.celery) return null;
    if (this.celery.workers.get(form.name)?.state === 'running') return { key: 'celery.worker.name-taken', params: { name: form.name } };
    return this.sandbox.act((): Said | null => {
      try {
        this.spawn(this.celery!, form, this.sandbox.broker.now);
        return null;
      } catch (e) {
        if (e instanceof AmqpError) return { key: 'celery.worker.refused', params: { reply: e.replyText } };
        // Celery's own refusal (e.g. QueueNotFound for a -Q queue), in its words.
        if (e instanceof Error) return { key: 'celery.worker.failed', params: { error: `${e.name}: ${e.message}` } };
        throw e;
      } finally {
        this.remember();
        this.version++;
      }
    });
  }

  async stopWorker(name: string): Promise<void> {
    await this.sandbox.act(() => this.celery?.stopWorker(name));
    this.version++;
  }

  async crashWorker(name: string): Promise<void> {
    await this.sandbox.act(() => this.celery?.crashWorker(name));
    this.version++;
  }

  /** The workers as they are now (call again when the sandbox's clock moves). */
  workers(): WorkerView[] {
    if (!this.celery) return [];
    return [...this.celery.workers.values()].map((w) => ({
      name: w.name,
      state: w.state,
      concurrency: w.concurrency,
      prefetch: w.prefetchCount,
      queues: [...w.queueNames],
      active: w.active,
      reserved: w.reserved,
      done: w.runs.filter((r) => r.outcome === 'ok').length,
      // Copies: a run changes in place, and a view only sees a new object.
      runs: w.runs.slice(-5).map((r) => ({ ...r })),
    }));
  }

  /** A fresh name for the next worker: w1, w2, … */
  nextWorkerName(): string {
    for (let i = 1; ; i++) if (!this.celery?.workers.has(`w${i}`)) return `w${i}`;
  }

  private options(form: SendForm): Record<string, unknown> {
    const options: Record<string, unknown> = {};
    if (form.queue.trim()) options.queue = form.queue.trim();
    if (form.routingKey.trim()) options.routing_key = form.routingKey.trim();
    if (form.priority.trim() !== '' && Number.isFinite(Number(form.priority))) options.priority = Math.trunc(Number(form.priority));
    return options;
  }

  private spawn(celery: CelerySandbox, form: WorkerForm, at: number): void {
    const queues = form.queues.split(/[\s,]+/).filter(Boolean);
    const life: WorkerLife = { form: { ...form }, startedAt: at, endedAt: null };
    const worker = celery.startWorker({
      name: form.name,
      concurrency: Math.max(1, Math.floor(form.concurrency) || 1),
      prefetchMultiplier: Math.max(0, Math.floor(form.prefetchMultiplier)),
      acksLate: form.acksLate,
      taskDuration: Math.max(0, Number(form.taskDuration) || 0),
      queues: queues.length ? queues : undefined,
    });
    this.lives.set(form.name, life);
    worker.onChange = () => {
      if (worker.state === 'stopped' || worker.state === 'crashed') life.endedAt ??= this.sandbox.broker.now;
    };
  }

  private remember(): void {
    for (const name of this.celery?.connectionNames ?? []) this.connections.add(name);
  }

  /** Stops what the previous configuration started: its workers (warm) and its client connection. */
  private shutdown(): void {
    if (!this.celery) return;
    for (const w of this.celery.workers.values()) w.stop();
    this.celery.producer.close();
    this.celery = null;
    this.loaded = false;
    this.lives.clear();
  }

  /** After a rewind: Celery's connections closed in the restored broker, the configuration and its workers back. */
  private rebind(broker: Broker): void {
    for (const name of this.connections) broker.connections.get(name)?.close();
    this.connections.clear();
    if (!this.celery) return;
    const at = broker.now;
    const running = [...this.lives.values()].filter((l) => l.startedAt <= at && (l.endedAt === null || l.endedAt > at));
    this.lives.clear();
    this.celery = CelerySandbox.load(this.celery.source, { broker, seed: 1 });
    this.sent = this.sent.filter((s) => s.at <= at);
    for (const life of running) {
      try {
        this.spawn(this.celery, life.form, at);
      } catch {
        // The restored broker refuses it (e.g. its queue was redeclared differently): it stays stopped.
      }
    }
    this.remember();
    this.version++;
  }
}
