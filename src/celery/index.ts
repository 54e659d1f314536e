/**
 * Celery on the sandbox, for the UI, lessons and the CLI: load a
 * configuration written in Python, ask where a task would go, send tasks
 * through the engine (so they animate like any message), start, stop and
 * crash simulated workers, and run celery beat on the virtual clock.
 *
 *   const celery = CelerySandbox.load(source);          // throws ConfigError
 *   celery.route('tasks.add', { options: { queue: 'videos' } });
 *   celery.send('tasks.add', { args: [4, 4] });          // → SendResult
 *   celery.startWorker({ name: 'w1', concurrency: 1 });
 *   celery.startBeat();
 *   celery.advance(60_000);
 *
 * Arguments and options are plain JSON-like values here; they become the
 * Python values Celery would see (objects → dicts, arrays → lists).
 */
import { Broker } from '../core/broker.ts';
import { CeleryApp, failureOf, type CeleryAppOptions, type CeleryFailure } from './app.ts';
import { CeleryBeat } from './beat.ts';
import type { Json } from './kombu.ts';
import { fromJson } from './python/json.ts';
import { PyDict, PyList, PyTuple, type PyValue } from './python/values.ts';
import { CeleryProducer, type AmqpCall, type SendResult } from './producer.ts';
import type { RouteTrace } from './router.ts';
import { CeleryWorker, type WorkerOptions } from './worker.ts';

export { ConfigError } from './python/errors.ts';
export type { CeleryFailure } from './app.ts';
export type { SendResult, AmqpCall } from './producer.ts';
export type { RouteTrace } from './router.ts';
export type { TaskRun, WorkerOptions, WorkerState } from './worker.ts';
export type { BeatEntry, BeatSend } from './beat.ts';
export { CeleryApp, CeleryBeat, CeleryProducer, CeleryWorker };

export interface TaskCall {
  /** Positional arguments (a list; `tuple: true` sends them as a tuple, which only changes argsrepr). */
  args?: unknown[] | null;
  tuple?: boolean;
  kwargs?: Record<string, unknown> | null;
  /** apply_async / send_task options: queue, exchange, routing_key, priority, countdown, expires, headers… */
  options?: Record<string, unknown>;
  /** Use app.send_task even when the configuration defines the task (no task attributes). */
  sendTask?: boolean;
  taskId?: string;
}

export interface SandboxOptions extends CeleryAppOptions {
  /** An existing broker (the UI's); default: a fresh one. */
  broker?: Broker;
}

function pyArgs(call: TaskCall): PyValue {
  if (call.args === undefined || call.args === null) return null;
  const list = fromJson(call.args);
  return call.tuple && list instanceof PyList ? new PyTuple(list.items) : list;
}

function pyOptions(options: Record<string, unknown> | undefined): PyDict {
  return options ? (fromJson(options) as PyDict) : new PyDict();
}

export class CelerySandbox {
  readonly workers = new Map<string, CeleryWorker>();
  beat: CeleryBeat | null = null;
  private workerSeed: number;

  private constructor(
    readonly source: string,
    readonly broker: Broker,
    readonly app: CeleryApp,
    readonly producer: CeleryProducer,
    seed: number,
  ) {
    this.workerSeed = seed * 1000;
  }

  /** Loads a configuration. Throws ConfigError (with line and column) when Python or Celery would refuse it. */
  static load(source: string, options: SandboxOptions = {}): CelerySandbox {
    const broker = options.broker ?? new Broker({ seed: options.seed ?? 1 });
    const app = new CeleryApp(source, options);
    return new CelerySandbox(source, broker, app, new CeleryProducer(app, broker), options.seed ?? 1);
  }

  /**
   * Warnings about the configuration: unknown settings, settings not
   * simulated, print output, and what Celery would only raise at the first
   * send (a malformed task_queues or task_routes).
   */
  get warnings(): readonly string[] {
    const deferred = this.app.deferredProblems().map((f) => `the first send will fail: ${f.type}: ${f.message}${f.line ? ` (line ${f.line}, column ${f.column})` : ''}`);
    return [...this.app.config.warnings, ...deferred];
  }

  /** The routing options Celery's router would produce, as JSON, and how it decided; or the failure. */
  route(task: string, call: TaskCall = {}): { route: Json; trace: RouteTrace } | { error: CeleryFailure } {
    try {
      const route = this.app.route(task, { args: pyArgs(call), kwargs: call.kwargs ? fromJson(call.kwargs) : null, options: pyOptions(call.options), sendTask: call.sendTask }, this.broker.now);
      return { route, trace: this.app.router.lastTrace! };
    } catch (e) {
      return { error: failureOf(e) };
    }
  }

  /**
   * Declares every queue of task_queues with its exchange and bindings on
   * the client's connection, as a worker does when it starts (Celery's
   * client itself declares only the queue it sends to). Broadcast queues
   * are left out: each worker declares its own.
   */
  declareQueues(): { amqp: AmqpCall[]; error?: CeleryFailure } {
    let queues;
    try {
      queues = this.app.queues.values().filter((q) => !q.broadcast);
    } catch (e) {
      return { amqp: [], error: failureOf(e) };
    }
    return this.producer.declare(queues);
  }

  /** The broker connections Celery holds: the client's and every worker's still open. */
  get connectionNames(): string[] {
    const names = [...this.workers.values()].filter((w) => w.state === 'running' || w.state === 'stopping').map((w) => w.connectionName);
    const client = this.producer.connectionName;
    return client ? [client, ...names] : names;
  }

  /** Sends a task: declares what the Celery client would declare and publishes the protocol 2 message. */
  send(task: string, call: TaskCall = {}): SendResult {
    return this.producer.send(task, {
      args: pyArgs(call),
      kwargs: call.kwargs ? fromJson(call.kwargs) : null,
      options: pyOptions(call.options),
      sendTask: call.sendTask,
      taskId: call.taskId,
    });
  }

  /** Starts a worker (declares its queues, sets its prefetch, consumes). Throws what the broker refuses. */
  startWorker(options: WorkerOptions): CeleryWorker {
    if (this.workers.has(options.name) && this.workers.get(options.name)!.state === 'running') throw new Error(`a worker named '${options.name}' is already running`);
    const worker = new CeleryWorker(this.source, this.broker, options, ++this.workerSeed);
    this.workers.set(options.name, worker);
    return worker;
  }

  stopWorker(name: string): void {
    this.workers.get(name)?.stop();
  }

  crashWorker(name: string): void {
    this.workers.get(name)?.crash();
  }

  /** Starts celery beat now. Throws ConfigError for a malformed beat_schedule. */
  startBeat(): CeleryBeat {
    if (!this.beat) this.beat = new CeleryBeat(this.producer, this.broker);
    this.beat.start();
    return this.beat;
  }

  stopBeat(): void {
    this.beat?.stop();
  }

  /** Moves the virtual clock: tasks finish, beat entries fire. */
  advance(ms: number): void {
    this.broker.advance(ms);
  }
}
