/**
 * A simulated Celery worker (prefork pool) on the engine.
 *
 * At start it loads the configuration as its own app (so a Broadcast queue
 * gets a name of its own), declares the queues it consumes from (all of
 * task_queues, or those named with -Q), sets basic.qos to
 * concurrency × worker_prefetch_multiplier (0 means no limit) per consumer,
 * as Celery does, and consumes each queue.
 *
 * Deliveries wait in the worker's buffer, in arrival order, until one of
 * `concurrency` pool processes is free; a task then runs for its duration
 * on the virtual clock. The worker acts on a delivery in a timer of its own
 * at the same virtual time, never inside the broker call that delivered it:
 * a real client's ack cannot arrive in the middle of the broker's delivery
 * (`advance(0)` lets pending work happen). With early acknowledgement (the default) the
 * message is acked when a process starts it; with acks_late (the task's
 * option, else task_acks_late) when it finishes. So when a worker crashes
 * mid-task the running task is lost with early acks and redelivered with
 * late acks; prefetched messages that never started come back either way.
 *
 * Task names the configuration does not define are run like any other
 * (the worker stands for one that has the task's code).
 */
import type { Broker } from '../core/broker.ts';
import type { Channel, Connection, DeliveryInfo } from '../core/channel.ts';
import type { Timer } from '../core/clock.ts';
import { valueOf, type FieldValue } from '../core/fields.ts';
import { CeleryApp } from './app.ts';
import { numberSetting } from './config.ts';
import { declareQueue, type AmqpCall } from './producer.ts';
import { truthy } from './python/values.ts';

export interface WorkerOptions {
  /** The node name, e.g. 'w1@warren'. */
  name: string;
  /** Pool processes (Celery: -c; defaults to worker_concurrency, else 4 here — Celery uses the CPU count). */
  concurrency?: number;
  /** Queue names to consume from (Celery: -Q); default every queue of task_queues. */
  queues?: string[];
  /** Overrides worker_prefetch_multiplier. */
  prefetchMultiplier?: number;
  /** Overrides task_acks_late for tasks that do not set acks_late themselves. */
  acksLate?: boolean;
  /** How long a task runs (virtual ms): a number, a map by task name, or a function. Default 1000. */
  taskDuration?: number | Record<string, number> | ((task: string, args: unknown) => number);
}

export interface TaskRun {
  worker: string;
  task: string;
  id: string;
  queue: string;
  priority: number | null;
  redelivered: boolean;
  receivedAt: number;
  startedAt: number;
  /** null while running, or when the worker crashed before it finished. */
  finishedAt: number | null;
  acksLate: boolean;
  /** 'ok', or 'lost' when the worker died while running it. */
  outcome: 'running' | 'ok' | 'lost';
}

interface Held {
  delivery: DeliveryInfo;
  queue: string;
  receivedAt: number;
}

export type WorkerState = 'running' | 'stopping' | 'stopped' | 'crashed';

export class CeleryWorker {
  readonly name: string;
  readonly app: CeleryApp;
  readonly concurrency: number;
  readonly prefetchCount: number;
  /** The queues it consumes from (Broadcast queues under this worker's own name). */
  readonly queueNames: string[] = [];
  /** Every task it started, in order. */
  readonly runs: TaskRun[] = [];
  /** Declarations it made at start. */
  readonly amqp: AmqpCall[] = [];
  state: WorkerState = 'running';
  onChange: (() => void) | null = null;
  private readonly connection: Connection;
  private readonly channel: Channel;
  private readonly consumerQueues = new Map<string, string>();
  private readonly buffer: Held[] = [];
  private readonly running = new Map<number, { held: Held; run: TaskRun; timer: Timer }>();
  private pumping = false;
  private pumpTimer: Timer | null = null;
  /** The queue whose basic.consume is under way: messages already waiting arrive before its tag is known. */
  private consuming: string | null = null;

  constructor(
    source: string,
    private readonly broker: Broker,
    private readonly options: WorkerOptions,
    seed: number,
  ) {
    this.name = options.name;
    this.app = new CeleryApp(source, { seed });
    const conf = this.app.config;
    this.concurrency = Math.max(1, options.concurrency ?? numberSetting(conf.get('worker_concurrency')) ?? 4);
    const multiplier = options.prefetchMultiplier ?? numberSetting(conf.get('worker_prefetch_multiplier')) ?? 4;
    this.prefetchCount = Math.max(0, Math.trunc(this.concurrency * multiplier));
    this.connection = broker.connect();
    this.channel = this.connection.openChannel();
    this.channel.client = {
      deliver: (d) => this.receive(d),
      closed: () => this.lostChannel(),
    };
    try {
      const selected = options.queues?.length ? options.queues.map((q) => this.app.queues.get(q)) : this.app.queues.values();
      for (const q of selected) {
        declareQueue(this.channel, q, this.amqp);
        this.queueNames.push(q.name);
      }
      this.channel.basicQos({ prefetchCount: this.prefetchCount, global: false });
      for (const q of this.queueNames) {
        this.consuming = q;
        const { consumerTag } = this.channel.basicConsume({ queue: q, noAck: false });
        this.consuming = null;
        this.consumerQueues.set(consumerTag, q);
      }
    } catch (e) {
      // A worker that cannot declare or consume exits, as celery worker does.
      this.state = 'crashed';
      if (this.connection.isOpen) this.connection.close();
      throw e;
    }
  }

  /** The name of its connection on the broker. */
  get connectionName(): string {
    return this.connection.name;
  }

  /** Tasks received and not yet started (Celery's reserved requests). */
  get reserved(): number {
    return this.buffer.length;
  }

  get active(): number {
    return this.running.size;
  }

  private receive(d: DeliveryInfo): void {
    this.buffer.push({ delivery: d, queue: this.consumerQueues.get(d.consumerTag) ?? this.consuming ?? '', receivedAt: this.broker.now });
    this.schedulePump();
    this.onChange?.();
  }

  private schedulePump(): void {
    if (this.pumpTimer || this.state !== 'running') return;
    this.pumpTimer = this.broker.clock.setTimer(this.broker.now, () => {
      this.pumpTimer = null;
      this.pump();
    });
  }

  /** Starts buffered tasks while processes are free (re-entrant: an ack may deliver more). */
  private pump(): void {
    if (this.pumping || this.state !== 'running') return;
    this.pumping = true;
    try {
      while (this.state === 'running' && this.running.size < this.concurrency && this.buffer.length) this.begin(this.buffer.shift()!);
    } finally {
      this.pumping = false;
    }
    this.onChange?.();
  }

  private header(d: DeliveryInfo, name: string): string {
    const v = d.message.properties.headers?.[name];
    return v === undefined ? '' : String(valueOf(v as FieldValue) ?? '');
  }

  private acksLateFor(task: string): boolean {
    const def = this.app.task(task);
    if (def?.options.has('acks_late')) return truthy(def.options.get('acks_late')!);
    if (this.options.acksLate !== undefined) return this.options.acksLate;
    return truthy(this.app.config.get('task_acks_late'));
  }

  private duration(task: string, d: DeliveryInfo): number {
    const spec = this.options.taskDuration;
    if (typeof spec === 'number') return spec;
    if (typeof spec === 'function') {
      let args: unknown;
      try {
        args = JSON.parse(new TextDecoder().decode(d.message.body))[0];
      } catch {
        args = null;
      }
      return spec(task, args);
    }
    if (spec && task in spec) return spec[task];
    return 1000;
  }

  private begin(held: Held): void {
    const d = held.delivery;
    const task = this.header(d, 'task');
    const acksLate = this.acksLateFor(task);
    const run: TaskRun = {
      worker: this.name,
      task,
      id: this.header(d, 'id'),
      queue: held.queue,
      priority: d.message.properties.priority ?? null,
      redelivered: d.redelivered,
      receivedAt: held.receivedAt,
      startedAt: this.broker.now,
      finishedAt: null,
      acksLate,
      outcome: 'running',
    };
    this.runs.push(run);
    const tag = d.deliveryTag;
    const timer = this.broker.clock.setTimer(this.broker.now + this.duration(task, d), () => this.finish(tag));
    this.running.set(tag, { held, run, timer });
    // Early acknowledgement: when a pool process accepts the task.
    if (!acksLate) this.channel.basicAck({ deliveryTag: tag });
  }

  private finish(tag: number): void {
    const r = this.running.get(tag);
    if (!r) return;
    this.running.delete(tag);
    r.run.finishedAt = this.broker.now;
    r.run.outcome = 'ok';
    if (r.run.acksLate && this.channel.isOpen) this.channel.basicAck({ deliveryTag: tag });
    if (this.state === 'stopping' && this.running.size === 0) {
      this.close('stopped');
      return;
    }
    this.pump();
  }

  /**
   * Warm shutdown: stop consuming, let running tasks finish, then close
   * (reserved messages that never started go back to their queues).
   */
  stop(): void {
    if (this.state !== 'running') return;
    this.state = 'stopping';
    for (const tag of this.consumerQueues.keys()) if (this.channel.isOpen) this.channel.basicCancel({ consumerTag: tag });
    if (this.running.size === 0) this.close('stopped');
    else this.onChange?.();
  }

  /** The worker dies mid-task: its connection drops and every unacked message is requeued, marked redelivered. */
  crash(): void {
    if (this.state === 'stopped' || this.state === 'crashed') return;
    for (const r of this.running.values()) {
      this.broker.clock.cancel(r.timer);
      r.run.outcome = 'lost';
    }
    this.running.clear();
    this.close('crashed');
  }

  private close(state: WorkerState): void {
    this.state = state;
    this.broker.clock.cancel(this.pumpTimer);
    this.pumpTimer = null;
    this.buffer.length = 0;
    if (this.connection.isOpen) this.connection.close();
    this.onChange?.();
  }

  private lostChannel(): void {
    if (this.state === 'running' || this.state === 'stopping') {
      for (const r of this.running.values()) {
        this.broker.clock.cancel(r.timer);
        r.run.outcome = 'lost';
      }
      this.running.clear();
      this.state = 'crashed';
      this.broker.clock.cancel(this.pumpTimer);
      this.pumpTimer = null;
      this.buffer.length = 0;
      this.onChange?.();
    }
  }
}
