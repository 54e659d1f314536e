import type { Timer } from './clock.ts';
import type { DeadLetterReason, DropReason } from './events.ts';
import { integerArg, stringArg, valueOf, type FieldTable } from './fields.ts';
import type { BindingTarget } from './exchanges/index.ts';
import { BindingList } from './binding-list.ts';
import { QueuedMessage, messageOf, type MessageParts } from './message.ts';
import { PriorityReady, ReadyQueue, type Ready } from './ready-queue.ts';
import type { LedgerConsumer } from './channel-ledger.ts';

/** What a queue needs from its broker. */
export interface QueueHost {
  readonly now: number;
  setTimer(at: number, fire: () => void): Timer;
  cancelTimer(timer: Timer | null): void;
  /** Hands a message to a consumer's channel (records the delivery tag). */
  deliver(consumer: Consumer, queue: Queue, entry: QueuedMessage): void;
  canReceive(consumer: Consumer): boolean;
  deadLetter(queue: Queue, entry: QueuedMessage, reason: DeadLetterReason): void;
  dropped(queue: Queue, entry: QueuedMessage, reason: DropReason): void;
  enqueued(queue: Queue, messageId: number): void;
  expire(queue: Queue): void;
}

/** The channel side of a consumer, as the queue sees it. */
export interface ConsumerChannel {
  readonly connectionName: string;
  readonly number: number;
}

export class Consumer implements LedgerConsumer {
  unacked = 0;
  constructor(
    readonly tag: string,
    readonly channel: ConsumerChannel,
    readonly queue: Queue,
    readonly noAck: boolean,
    readonly exclusive: boolean,
    readonly priority: number,
    /** Per-consumer prefetch (basic.qos global=false at consume time). */
    readonly prefetch: number,
    readonly args: FieldTable,
  ) {}
}

export type Overflow = 'drop-head' | 'reject-publish' | 'reject-publish-dlx';

export interface QueueOptions {
  durable: boolean;
  autoDelete: boolean;
  /** The connection an exclusive queue belongs to. */
  owner: string | null;
  arguments: FieldTable;
}

export class Queue implements BindingTarget {
  routeStamp = 0;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly owner: string | null;
  readonly arguments: FieldTable;
  readonly ready: Ready;
  /** Consumers by priority (highest first), round-robin within a priority. */
  consumers: Consumer[] = [];
  hadConsumers = false;
  /** Bindings that point at this queue. */
  readonly bindings = new BindingList('destination');
  deleted = false;
  unackedCount = 0;

  readonly messageTtl: number | undefined;
  readonly expires: number | undefined;
  readonly maxLength: number | undefined;
  readonly maxLengthBytes: number | undefined;
  readonly overflow: Overflow;
  readonly deadLetterExchange: string | undefined;
  readonly deadLetterRoutingKey: string | undefined;
  readonly maxPriority: number | undefined;
  readonly singleActiveConsumer: boolean;

  /** Enqueue counter: a message's place in line. */
  seq = 0;
  private ttlTimer: Timer | null = null;
  private expiryTimer: Timer | null = null;

  constructor(
    readonly name: string,
    options: QueueOptions,
    private readonly host: QueueHost,
  ) {
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.owner = options.owner;
    this.arguments = options.arguments;
    const a = options.arguments;
    this.messageTtl = integerArg(a, 'x-message-ttl') ?? undefined;
    this.expires = integerArg(a, 'x-expires') ?? undefined;
    this.maxLength = integerArg(a, 'x-max-length') ?? undefined;
    this.maxLengthBytes = integerArg(a, 'x-max-length-bytes') ?? undefined;
    this.overflow = (stringArg(a, 'x-overflow') as Overflow | null | undefined) ?? 'drop-head';
    this.deadLetterExchange = stringArg(a, 'x-dead-letter-exchange') ?? undefined;
    this.deadLetterRoutingKey = stringArg(a, 'x-dead-letter-routing-key') ?? undefined;
    this.maxPriority = integerArg(a, 'x-max-priority') ?? undefined;
    this.singleActiveConsumer = a['x-single-active-consumer'] !== undefined && valueOf(a['x-single-active-consumer']!) === true;
    this.ready = this.maxPriority !== undefined ? new PriorityReady(this.maxPriority) : new ReadyQueue();
    this.touch();
  }

  get messageCount(): number {
    return this.ready.length;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  /** The consumer that receives while single-active-consumer is on. */
  get activeConsumer(): Consumer | undefined {
    if (!this.singleActiveConsumer) return undefined;
    let first: Consumer | undefined;
    for (const c of this.consumers) if (!first || this.order.get(c)! < this.order.get(first)!) first = c;
    return first;
  }

  private order = new Map<Consumer, number>();
  private consumerSeq = 0;

  /** Fixes the time a message expires: min(queue TTL, its own expiration). */
  expiryFor(message: MessageParts): number {
    let ttl = this.messageTtl;
    const exp = message.properties.expiration;
    if (exp !== undefined) {
      const n = Number(exp);
      ttl = ttl === undefined ? n : Math.min(ttl, n);
    }
    return ttl === undefined ? Infinity : this.host.now + ttl;
  }

  private priorityOf(message: MessageParts): number {
    if (this.maxPriority === undefined) return 0;
    const p = message.properties.priority ?? 0;
    return p > this.maxPriority ? this.maxPriority : p;
  }

  private wouldOverflow(size: number): boolean {
    if (this.maxLength !== undefined && this.ready.length + 1 > this.maxLength) return true;
    if (this.maxLengthBytes !== undefined && this.ready.bytes + size > this.maxLengthBytes) return true;
    return false;
  }

  /**
   * A routed message arrives (RabbitMQ's deliver_or_enqueue). Returns false
   * when the queue refuses it (reject-publish overflow). `fresh`: `message`
   * is not a Message but a publish's parts (PublishParts), which nobody
   * else will see: the queue makes the Message only if it must hand one
   * out or keep one, and a message that waits behind many others is kept
   * as its parts until it leaves. The parts are read before anything is
   * called out, so the publisher may reuse them after.
   */
  accept(message: MessageParts, fresh = false): boolean {
    if (this.overflow !== 'drop-head' && this.wouldOverflow(message.body.length)) {
      const entry = new QueuedMessage(messageOf(message, fresh), this.seq++, Infinity, 0);
      if (this.overflow === 'reject-publish-dlx') this.host.deadLetter(this, entry, 'maxlen');
      else this.host.dropped(this, entry, 'reject-publish');
      return false;
    }
    const seq = this.seq++;
    const expiresAt = this.expiryFor(message);
    const priority = this.priorityOf(message);
    if (this.ready.length === 0) {
      const consumer = this.pickConsumer();
      if (consumer) {
        this.host.deliver(consumer, this, new QueuedMessage(messageOf(message, fresh), seq, expiresAt, priority));
        this.rotate(consumer);
        return true;
      }
    }
    const id = message.id;
    this.ready.pushMessage(message, seq, expiresAt, priority, fresh);
    this.host.enqueued(this, id);
    this.dropExpired();
    // Dropping for the length limit may bring a message already due to the head.
    if (this.enforceMaxLength()) this.dropExpired();
    this.scheduleTtl();
    return true;
  }

  /** Puts delivered messages back in their places, marked redelivered. */
  requeue(entries: QueuedMessage[]): void {
    for (const e of entries) {
      e.redelivered = true;
      this.ready.requeue(e);
    }
    this.dropExpired();
    this.enforceMaxLength();
    this.run();
  }

  /** Delivers ready messages to consumers that can take them. */
  run(): void {
    while (this.ready.length) {
      this.dropExpired();
      if (!this.ready.length) break;
      const consumer = this.pickConsumer();
      if (!consumer) break;
      const entry = this.ready.shift()!;
      this.host.deliver(consumer, this, entry);
      this.rotate(consumer);
    }
    this.scheduleTtl();
  }

  /**
   * Takes the head for basic.get (expired heads are dropped first). The
   * caller records the delivery, then calls afterTake(), so expiries behind
   * the head come after it in the story, as in RabbitMQ.
   */
  take(): QueuedMessage | undefined {
    this.dropExpired();
    this.touch();
    return this.ready.shift();
  }

  /** What follows a basic.get: expired messages now at the head go. */
  afterTake(): void {
    this.dropExpired();
    this.scheduleTtl();
  }

  addConsumer(c: Consumer): void {
    let i = this.consumers.length;
    while (i > 0 && this.consumers[i - 1].priority < c.priority) i--;
    this.consumers.splice(i, 0, c);
    this.order.set(c, this.consumerSeq++);
    this.hadConsumers = true;
    this.host.cancelTimer(this.expiryTimer);
    this.expiryTimer = null;
  }

  removeConsumer(c: Consumer): void {
    const i = this.consumers.indexOf(c);
    if (i >= 0) this.consumers.splice(i, 1);
    this.order.delete(c);
    if (!this.consumers.length) this.touch();
  }

  get shouldAutoDelete(): boolean {
    return this.autoDelete && this.hadConsumers && this.consumers.length === 0;
  }

  /** Removes every ready message (purge or deletion); returns them. */
  clear(): QueuedMessage[] {
    const all = this.ready.clear();
    this.host.cancelTimer(this.ttlTimer);
    this.ttlTimer = null;
    return all;
  }

  /** Renews the x-expires lease (declare, get, last consumer gone). */
  touch(): void {
    if (this.expires === undefined || this.deleted) return;
    this.host.cancelTimer(this.expiryTimer);
    this.expiryTimer = null;
    if (this.consumers.length) return;
    this.expiryTimer = this.host.setTimer(this.host.now + this.expires, () => {
      this.expiryTimer = null;
      if (!this.consumers.length && !this.deleted) this.host.expire(this);
    });
  }

  dispose(): void {
    this.deleted = true;
    this.host.cancelTimer(this.ttlTimer);
    this.host.cancelTimer(this.expiryTimer);
    this.ttlTimer = this.expiryTimer = null;
  }

  private pickConsumer(): Consumer | undefined {
    if (this.singleActiveConsumer) {
      const c = this.activeConsumer;
      return c && this.host.canReceive(c) ? c : undefined;
    }
    const list = this.consumers;
    for (let i = 0; i < list.length; i++) if (this.host.canReceive(list[i])) return list[i];
    return undefined;
  }

  /** After a delivery the consumer goes to the back of its priority group. */
  private rotate(c: Consumer): void {
    const list = this.consumers;
    if (list.length < 2) return;
    const i = list.indexOf(c);
    let j = i;
    while (j + 1 < list.length && list[j + 1].priority === c.priority) {
      list[j] = list[j + 1];
      j++;
    }
    list[j] = c;
  }

  /** Expired messages leave only from the head. */
  dropExpired(): void {
    const now = this.host.now;
    while (this.ready.length && this.ready.headExpiresAt() <= now) {
      this.host.deadLetter(this, this.ready.shift()!, 'expired');
    }
  }

  /** drop-head: over the limit after an enqueue or requeue, the head goes. */
  private enforceMaxLength(): boolean {
    if (this.overflow !== 'drop-head' || (this.maxLength === undefined && this.maxLengthBytes === undefined)) return false;
    let dropped = false;
    while (
      this.ready.length &&
      ((this.maxLength !== undefined && this.ready.length > this.maxLength) ||
        (this.maxLengthBytes !== undefined && this.ready.bytes > this.maxLengthBytes))
    ) {
      const head = this.ready.shift()!;
      this.host.deadLetter(this, head, 'maxlen');
      dropped = true;
    }
    return dropped;
  }

  private scheduleTtl(): void {
    if (!this.ready.length) return;
    const expiresAt = this.ready.headExpiresAt();
    if (expiresAt === Infinity) return;
    if (this.ttlTimer && !this.ttlTimer.cancelled && this.ttlTimer.at <= expiresAt) return;
    this.host.cancelTimer(this.ttlTimer);
    this.ttlTimer = this.host.setTimer(expiresAt, () => {
      this.ttlTimer = null;
      if (this.deleted) return;
      this.dropExpired();
      this.run();
    });
  }
}
