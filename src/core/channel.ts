/**
 * Connections and channels: the client's side of the broker. Every AMQP
 * method a client can send is a method here, named as in the protocol; it
 * returns what the server would reply, or throws an AmqpError after closing
 * the channel (soft errors) or the connection (hard errors), as RabbitMQ
 * does.
 */
import type { Broker } from './broker.ts';
import type { ChannelLedger, Delivery } from './channel-ledger.ts';
import type { ChannelActor } from './channel-machine.ts';
import { AmqpError, err, rs, type MethodName } from './errors.ts';
import type { Timer } from './clock.ts';
import type { ChannelRef, RouteHop } from './events.ts';
import type { Exchange } from './exchange.ts';
import { EXCHANGE_TYPES } from './exchanges/index.ts';
import { integerArg, typeOf, valueOf, type FieldTable, type FieldValue } from './fields.ts';
import { newMessage, PublishParts, toBytes, type Message, type MessageProperties } from './message.ts';
import { assertArgEquivalent, assertFieldEquivalent, assertQueueArgsEquivalent, validateQueueArguments } from './queue-arguments.ts';
import { Consumer, type Queue } from './queue.ts';

export interface ConnectionOptions {
  username?: string;
  password?: string;
  /** A name for the connection (the shell uses a, b, c…). */
  name?: string;
}

/** A message handed to a client: by a consumer delivery or basic.get. */
export interface DeliveryInfo {
  consumerTag: string;
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  message: Message;
}

export interface GetResult {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  messageCount: number;
  message: Message;
}

export interface ReturnInfo {
  replyCode: number;
  replyText: string;
  exchange: string;
  routingKey: string;
  message: Message;
}

/** What the broker sends a channel without being asked. */
export interface ChannelClient {
  deliver?(delivery: DeliveryInfo): void;
  returned?(ret: ReturnInfo): void;
  /** The broker cancelled a consumer (its queue went away). */
  cancelled?(consumerTag: string): void;
  /** A publisher confirm: the sequence number, acked or nacked. */
  confirmed?(sequence: number, ack: boolean): void;
  /** The channel closed: by the client (null), or by an error. */
  closed?(error: AmqpError | null): void;
}

export interface ConnectionClient {
  closed?(error: AmqpError | null): void;
}

/** Thrown when a client uses a channel or connection that is already closed. */
export class ClosedError extends Error {
  constructor(what: 'channel' | 'connection') {
    super(`${what === 'channel' ? 'Channel' : 'Connection'} closed`);
    this.name = 'IllegalOperationError';
  }
}

export interface PublishParams {
  exchange?: string;
  routingKey?: string;
  mandatory?: boolean;
  immediate?: boolean;
  properties?: MessageProperties;
  body: Uint8Array | string;
}

const MAX_MESSAGE_SIZE = 134217728;
/** RabbitMQ's default consumer_timeout: 30 minutes to acknowledge a delivery. */
export const CONSUMER_TIMEOUT = 1800000;
/** Shared by every message published without properties; never mutated. */
const NO_PROPERTIES: MessageProperties = Object.freeze({});
/** Direct reply-to's pseudo-queue. */
const REPLY_TO = 'amq.rabbitmq.reply-to';
/** How the routing keys of replies begin (then the consumer's suffix). */
const REPLY_PREFIX = `${REPLY_TO}.`;
const MAX_EXPIRY = 315360000000;

/** CR and LF are stripped from names in declare, delete and bind. */
function strip(name: string): string {
  return name.includes('\r') || name.includes('\n') ? name.replace(/[\r\n]/g, '') : name;
}

export class Connection {
  readonly channels = new Map<number, Channel>();
  isOpen = true;
  client: ConnectionClient | null = null;

  constructor(
    readonly broker: Broker,
    readonly name: string,
    readonly user: string,
  ) {}

  /** Opens channel `number` (default: the lowest free number). */
  openChannel(number?: number): Channel {
    if (!this.isOpen) throw new ClosedError('connection');
    let n = number ?? 1;
    if (number === undefined) while (this.channels.has(n)) n++;
    if (this.channels.has(n)) {
      const e = new AmqpError(504, "second 'channel.open' seen", 'channel.open');
      this.forceClose(e);
      throw e;
    }
    if (n < 1 || n > 2047) {
      const e = new AmqpError(530, `number of channels opened (${this.channels.size}) has reached the negotiated channel_max (2047)`, 'channel.open');
      this.forceClose(e);
      throw e;
    }
    const ch = new Channel(this, n);
    this.channels.set(n, ch);
    this.broker.emit({ type: 'channel.state', connection: this.name, channel: n, state: 'open' });
    return ch;
  }

  /** connection.close from the client. */
  close(): void {
    if (!this.isOpen) return;
    this.forceClose(null);
  }

  /** Closes the connection and all its channels; exclusive queues go away. */
  forceClose(error: AmqpError | null): void {
    if (!this.isOpen) return;
    this.isOpen = false;
    for (const ch of [...this.channels.values()]) ch.terminate(error, 'connection');
    for (const q of [...this.broker.queues.values()]) {
      if (q.owner === this.name) this.broker.deleteQueue(q, 'exclusive-owner-closed');
    }
    this.broker.connections.delete(this.name);
    this.broker.emit(error ? { type: 'connection.closed', connection: this.name, error } : { type: 'connection.closed', connection: this.name });
    this.client?.closed?.(error);
  }
}

interface TxState {
  publishes: Array<() => void>;
  settles: Array<{ deliveries: Delivery[]; outcome: 'ack' | 'requeue' | 'discard'; why: 'ack' | 'nack' | 'reject'; method: 'basic.nack' | 'basic.reject' }>;
}

export class Channel {
  readonly ledger: ChannelLedger;
  readonly actor: ChannelActor;
  readonly consumers = new Map<string, Consumer>();
  readonly ref: ChannelRef;
  client: ChannelClient | null = null;
  /** The last queue declared on this channel: what '' means. */
  lastQueue: string | null = null;
  isOpen = true;
  flowActive = true;
  /** The direct reply-to consumer (amq.rabbitmq.reply-to), if any. */
  replyConsumer: { tag: string; suffix: string } | null = null;
  /** Fires when the oldest unacked delivery may have waited too long. */
  ackTimer: Timer | null = null;
  private tx: TxState | null = null;
  /** The parts of a publish, filled in again for each (routeParts). */
  private readonly parts = new PublishParts();
  /** While a queue accepts `parts`: a publish made meanwhile (from a delivery callback) makes its Message. */
  private partsInUse = false;
  /** The routing keys of a publish without CC or BCC, filled in again for each (routeParts). */
  private readonly oneKey: string[] = [''];

  constructor(
    readonly connection: Connection,
    readonly number: number,
  ) {
    const { ledger, actor } = connection.broker.newChannelState();
    this.ledger = ledger;
    this.actor = actor;
    this.ref = { connection: connection.name, channel: number };
  }

  get connectionName(): string {
    return this.connection.name;
  }

  private get broker(): Broker {
    return this.connection.broker;
  }

  /** open, closing or closed, as the channel machine says. */
  get state(): 'open' | 'closing' | 'closed' {
    return this.actor.getSnapshot().value as 'open' | 'closing' | 'closed';
  }

  // ---- exchange class ----------------------------------------------------------

  exchangeDeclare(p: { exchange: string; type?: string; passive?: boolean; durable?: boolean; autoDelete?: boolean; internal?: boolean; arguments?: FieldTable }): void {
    const m: MethodName = 'exchange.declare';
    this.run(m, () => {
      const name = strip(p.exchange);
      const b = this.broker;
      if (p.passive) {
        if (name === '') throw err.defaultExchange(m);
        if (!b.exchanges.has(name)) throw err.notFound('exchange', name, m);
        return;
      }
      const type = p.type ?? '';
      if (!EXCHANGE_TYPES.has(type)) throw new AmqpError(503, `unknown exchange type '${type}'`, m);
      if (name === '') throw err.defaultExchange(m);
      const args = p.arguments ?? {};
      const durable = !!p.durable;
      const autoDelete = !!p.autoDelete;
      const internal = !!p.internal;
      let x = b.exchanges.get(name);
      if (!x) {
        if (name.startsWith('amq.')) throw err.accessRefused(`exchange name '${name}' contains reserved prefix 'amq.*'`, m);
        const ae = args['alternate-exchange'];
        if (ae !== undefined && typeOf(ae) !== 'longstr') {
          throw err.precondition(`invalid type '${typeOf(ae)}' for arg 'alternate-exchange' in ${rs('exchange', name)}`, m);
        }
        x = b.createExchange(name, type, { durable, autoDelete, internal, arguments: args });
      }
      assertFieldEquivalent('exchange', name, 'type', x.type.name, type, m);
      assertFieldEquivalent('exchange', name, 'durable', x.durable, durable, m);
      assertFieldEquivalent('exchange', name, 'auto_delete', x.autoDelete, autoDelete, m);
      assertFieldEquivalent('exchange', name, 'internal', x.internal, internal, m);
      assertArgEquivalent('exchange', name, 'alternate-exchange', x.arguments['alternate-exchange'], args['alternate-exchange'], m);
    });
  }

  exchangeDelete(p: { exchange: string; ifUnused?: boolean }): void {
    const m: MethodName = 'exchange.delete';
    this.run(m, () => {
      const name = strip(p.exchange);
      if (name === '') throw err.defaultExchange(m);
      if (name.startsWith('amq.')) throw err.accessRefused(`deletion of system ${rs('exchange', name)} not allowed`, m);
      const x = this.broker.exchanges.get(name);
      if (!x) return;
      if (p.ifUnused && x.bindings.size > 0) throw err.precondition(`${rs('exchange', name)} in use`, m);
      this.broker.deleteExchange(x, 'deleted');
    });
  }

  exchangeBind(p: { destination: string; source: string; routingKey?: string; arguments?: FieldTable }): void {
    this.run('exchange.bind', () => this.bindingAction('exchange.bind', 'exchange', p.destination, p.source, p.routingKey ?? '', p.arguments ?? {}));
  }

  exchangeUnbind(p: { destination: string; source: string; routingKey?: string; arguments?: FieldTable }): void {
    this.run('exchange.unbind', () => this.bindingAction('exchange.unbind', 'exchange', p.destination, p.source, p.routingKey ?? '', p.arguments ?? {}));
  }

  // ---- queue class -------------------------------------------------------------

  queueDeclare(
    p: { queue?: string; passive?: boolean; durable?: boolean; exclusive?: boolean; autoDelete?: boolean; arguments?: FieldTable } = {},
  ): { queue: string; messageCount: number; consumerCount: number } {
    const m: MethodName = 'queue.declare';
    return this.run(m, () => {
      const b = this.broker;
      const name = strip(p.queue ?? '');
      if (p.passive) {
        if (name === REPLY_TO || (name.startsWith(`${REPLY_TO}.`) && b.replyTargets.has(name.slice(REPLY_TO.length + 1)))) {
          return { queue: name, messageCount: 0, consumerCount: 1 };
        }
        const q = b.queues.get(name);
        if (!q) throw err.notFound('queue', name, m);
        this.checkExclusive(q, m);
        return this.declareOk(q);
      }
      if (name.startsWith('amq.')) throw err.accessRefused(`queue name '${name}' contains reserved prefix 'amq.*'`, m);
      const actual = name === '' ? `amq.gen-${b.random.guid()}` : name;
      const exclusive = !!p.exclusive;
      const durable = !!p.durable && !exclusive;
      const autoDelete = !!p.autoDelete;
      const args = p.arguments ?? {};
      const owner = exclusive ? this.connection.name : null;
      const existing = b.queues.get(actual);
      if (existing) {
        if (existing.owner !== owner) throw err.locked(actual, m);
        assertFieldEquivalent('queue', actual, 'durable', existing.durable, durable, m);
        assertFieldEquivalent('queue', actual, 'auto_delete', existing.autoDelete, autoDelete, m);
        assertQueueArgsEquivalent(actual, existing.arguments, args, m);
        return this.declareOk(existing);
      }
      validateQueueArguments(actual, args, m);
      return this.declareOk(b.createQueue(actual, { durable, autoDelete, owner, arguments: args }));
    });
  }

  queueBind(p: { queue?: string; exchange: string; routingKey?: string; arguments?: FieldTable }): void {
    this.run('queue.bind', () => {
      const [queue, key] = this.expandBindShortcut(p.queue ?? '', p.routingKey ?? '', 'queue.bind');
      this.bindingAction('queue.bind', 'queue', queue, p.exchange, key, p.arguments ?? {});
    });
  }

  queueUnbind(p: { queue?: string; exchange: string; routingKey?: string; arguments?: FieldTable }): void {
    this.run('queue.unbind', () => {
      const [queue, key] = this.expandBindShortcut(p.queue ?? '', p.routingKey ?? '', 'queue.unbind');
      this.bindingAction('queue.unbind', 'queue', queue, p.exchange, key, p.arguments ?? {});
    });
  }

  queuePurge(p: { queue?: string }): { messageCount: number } {
    const m: MethodName = 'queue.purge';
    return this.run(m, () => {
      const q = this.existingQueue(this.expandQueue(p.queue ?? '', m), m);
      const purged = q.clear();
      for (const e of purged) this.broker.dropped(q, e, 'purged');
      this.broker.emit({ type: 'queue.purged', queue: q.name, count: purged.length });
      return { messageCount: purged.length };
    });
  }

  queueDelete(p: { queue?: string; ifUnused?: boolean; ifEmpty?: boolean }): { messageCount: number } {
    const m: MethodName = 'queue.delete';
    return this.run(m, () => {
      const name = strip(this.expandQueue(p.queue ?? '', m));
      const q = this.broker.queues.get(name);
      if (!q) return { messageCount: 0 };
      this.checkExclusive(q, m);
      if (p.ifEmpty && q.messageCount > 0) throw err.precondition(`${rs('queue', name)} not empty`, m);
      if (p.ifUnused && q.consumerCount > 0) throw err.precondition(`${rs('queue', name)} in use`, m);
      return { messageCount: this.broker.deleteQueue(q, 'deleted') };
    });
  }

  // ---- basic class -------------------------------------------------------------

  basicQos(p: { prefetchSize?: number; prefetchCount: number; global?: boolean }): void {
    this.run('basic.qos', () => {
      if (p.prefetchSize) throw new AmqpError(540, `prefetch_size!=0 (${p.prefetchSize})`, 'basic.qos');
      this.actor.send({ type: 'basic.qos', prefetchCount: p.prefetchCount, global: !!p.global });
      this.broker.emit({ type: 'channel.qos', at: this.ref, prefetchCount: p.prefetchCount, global: !!p.global });
      // A raised or lifted limit may unblock consumers.
      for (const c of this.consumers.values()) c.queue.run();
    });
  }

  basicConsume(p: { queue?: string; consumerTag?: string; noLocal?: boolean; noAck?: boolean; exclusive?: boolean; arguments?: FieldTable }): { consumerTag: string } {
    const m: MethodName = 'basic.consume';
    let consumer: Consumer | null = null;
    const result = this.run(m, () => {
      const b = this.broker;
      const name = this.expandQueue(p.queue ?? '', m);
      if (p.consumerTag && this.consumers.has(p.consumerTag)) throw new AmqpError(530, `attempt to reuse consumer tag '${p.consumerTag}'`, m);
      if (name === REPLY_TO) return this.consumeReplies(p.consumerTag, !!p.noAck);
      const tag = p.consumerTag || `amq.ctag-${b.random.guid()}`;
      const q = this.existingQueue(name, m);
      const args = p.arguments ?? {};
      const priority = integerArg(args, 'x-priority');
      if (priority === null) throw err.precondition(`invalid arg 'x-priority' for ${rs('queue', name)}: "expected integer, got ${typeOf(args['x-priority']!)}"`, m);
      const inExclusiveUse = q.consumers.some((c) => c.exclusive);
      if (inExclusiveUse || (p.exclusive && (q.consumers.length > 0 || q.singleActiveConsumer))) {
        throw err.accessRefused(`${rs('queue', name)} in exclusive use`, m);
      }
      consumer = new Consumer(tag, this, q, !!p.noAck, !!p.exclusive, priority ?? 0, this.ledger.consumerPrefetch, args);
      q.addConsumer(consumer);
      this.consumers.set(tag, consumer);
      b.emit({
        type: 'consumer.added',
        queue: q.name,
        consumerTag: tag,
        at: this.ref,
        noAck: consumer.noAck,
        exclusive: consumer.exclusive,
        priority: consumer.priority,
        prefetch: consumer.prefetch,
      });
      return { consumerTag: tag };
    });
    (consumer as Consumer | null)?.queue.run();
    return result;
  }

  basicCancel(p: { consumerTag: string }): { consumerTag: string } {
    return this.run('basic.cancel', () => {
      if (this.replyConsumer?.tag === p.consumerTag) {
        this.stopReplies();
        return { consumerTag: p.consumerTag };
      }
      const c = this.consumers.get(p.consumerTag);
      if (!c) return { consumerTag: p.consumerTag };
      this.consumers.delete(c.tag);
      c.queue.removeConsumer(c);
      this.broker.emit({ type: 'consumer.cancelled', queue: c.queue.name, consumerTag: c.tag, at: this.ref, by: 'client' });
      if (c.queue.shouldAutoDelete) this.broker.deleteQueue(c.queue, 'auto-delete');
      else c.queue.run();
      return { consumerTag: p.consumerTag };
    });
  }

  basicPublish(p: PublishParams): void {
    // The hot path: no closure per call (see run()).
    if (!this.isOpen) throw new ClosedError('channel');
    try {
      this.publish(p);
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  private publish(p: PublishParams): void {
    const m: MethodName = 'basic.publish';
    const b = this.broker;
    if (p.immediate) throw new AmqpError(540, 'immediate=true', m);
    const body = toBytes(p.body);
    if (body.length > MAX_MESSAGE_SIZE) throw err.precondition(`message size ${body.length} is larger than configured max size ${MAX_MESSAGE_SIZE}`, m);
    const exchangeName = p.exchange ?? '';
    const routingKey = p.routingKey ?? '';
    const x = b.exchanges.get(exchangeName);
    if (!x) throw err.notFound('exchange', exchangeName, m);
    if (x.internal) throw err.accessRefused(`cannot publish to internal ${rs('exchange', exchangeName)}`, m);
    // Properties are copied only when the broker changes them (reply-to, BCC).
    let props = p.properties ?? NO_PROPERTIES;
    if (props.userId !== undefined && props.userId !== this.connection.user) {
      throw err.precondition(`user_id property set to '${props.userId}' but authenticated user was '${this.connection.user}'`, m);
    }
    if (props.expiration !== undefined) {
      const problem = parseExpiration(props.expiration);
      if (problem) throw err.precondition(`invalid expiration '${props.expiration}': ${problem}`, m);
    }
    if (props.deliveryMode !== undefined && props.deliveryMode !== 1 && props.deliveryMode !== 2) {
      throw err.precondition(`invalid message: {delivery_mode_unknown,${props.deliveryMode}}`, m);
    }
    if (props.replyTo === REPLY_TO) {
      if (!this.replyConsumer) throw err.precondition('fast reply consumer does not exist', m);
      props = { ...props, replyTo: `${REPLY_TO}.${this.replyConsumer.suffix}` };
    }
    const routingKeys = [routingKey];
    const headers = props.headers;
    if (headers && (headers.CC !== undefined || headers.BCC !== undefined)) {
      for (const key of ['CC', 'BCC']) {
        const v = headers[key];
        if (v === undefined) continue;
        if (typeOf(v) !== 'array') throw err.precondition(`invalid message: {unacceptable_type_in_header,"${key}",${typeOf(v)}}`, m);
        for (const k of valueOf(v) as FieldValue[]) if (typeOf(k) === 'longstr') routingKeys.push(valueOf(k) as string);
      }
      if (headers.BCC !== undefined) {
        const { BCC: _bcc, ...rest } = headers;
        props = { ...props, headers: rest };
      }
    }
    const seq = this.ledger.confirm ? ++this.ledger.publishSeq : 0;
    const id = ++b.messageCounter;
    const mandatory = !!p.mandatory;
    if (this.tx) {
      const message = newMessage(id, exchangeName, routingKey, routingKeys, props, body);
      this.tx.publishes.push(() => this.routeAndDeliver(x, message, mandatory, seq));
    } else if (routingKeys.length === 1 && !b.events.active && !this.partsInUse && !(exchangeName === '' && routingKey.startsWith(REPLY_PREFIX))) {
      this.routeParts(x, id, routingKey, props, body, mandatory, seq);
    } else this.routeAndDeliver(x, newMessage(id, exchangeName, routingKey, routingKeys, props, body), mandatory, seq);
  }

  basicGet(p: { queue?: string; noAck?: boolean }): GetResult | null {
    // A hot path too: no closure per call (see run()).
    if (!this.isOpen) throw new ClosedError('channel');
    try {
      return this.get(p);
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  private get(p: { queue?: string; noAck?: boolean }): GetResult | null {
    const m: MethodName = 'basic.get';
    const b = this.broker;
    const q = this.existingQueue(this.expandQueue(p.queue ?? '', m), m);
    const entry = q.take();
    if (!entry) return null;
    const noAck = !!p.noAck;
    const tag = b.record(this, entry, q, null, noAck);
    if (!noAck) q.unackedCount++;
    if (b.events.active) {
      b.emit({ type: 'message.delivered', messageId: entry.message.id, queue: q.name, at: this.ref, consumerTag: null, deliveryTag: tag, redelivered: entry.redelivered, noAck });
      if (noAck) b.emit({ type: 'message.acked', messageId: entry.message.id, queue: q.name, at: this.ref, deliveryTag: tag, auto: true });
    }
    q.afterTake();
    return {
      deliveryTag: tag,
      redelivered: entry.redelivered,
      exchange: entry.message.exchange,
      routingKey: entry.message.routingKey,
      messageCount: q.messageCount,
      message: entry.message,
    };
  }

  basicAck(p: { deliveryTag: number; multiple?: boolean }): void {
    // The hot path: no closure per call (see run()).
    if (!this.isOpen) throw new ClosedError('channel');
    try {
      this.settle('basic.ack', p.deliveryTag, !!p.multiple, 'ack', 'ack');
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  basicNack(p: { deliveryTag: number; multiple?: boolean; requeue?: boolean }): void {
    const requeue = p.requeue ?? true;
    this.run('basic.nack', () => this.settle('basic.nack', p.deliveryTag, !!p.multiple, requeue ? 'requeue' : 'discard', 'nack'));
  }

  basicReject(p: { deliveryTag: number; requeue?: boolean }): void {
    const requeue = p.requeue ?? true;
    this.run('basic.reject', () => this.settle('basic.reject', p.deliveryTag, false, requeue ? 'requeue' : 'discard', 'reject'));
  }

  basicRecover(p: { requeue?: boolean } = {}): void {
    this.run('basic.recover', () => {
      if (p.requeue === false) throw new AmqpError(540, 'requeue=false', 'basic.recover');
      let released: Delivery[] = [];
      this.actor.send({ type: 'recover', onReleased: (d) => (released = d) });
      this.broker.settle(this, released, 'requeue', 'recover');
    });
  }

  confirmSelect(): void {
    this.run('confirm.select', () => {
      if (this.ledger.tx) throw err.precondition('cannot switch from tx to confirm mode', 'confirm.select');
      this.actor.send({ type: 'confirm.select' });
    });
  }

  txSelect(): void {
    this.run('tx.select', () => {
      if (this.ledger.confirm) throw err.precondition('cannot switch from confirm to tx mode', 'tx.select');
      this.actor.send({ type: 'tx.select' });
      this.tx ??= { publishes: [], settles: [] };
    });
  }

  txCommit(): void {
    this.run('tx.commit', () => {
      if (!this.tx) throw err.precondition('channel is not transactional', 'tx.commit');
      const { publishes, settles } = this.tx;
      this.tx = { publishes: [], settles: [] };
      for (const s of settles) {
        this.hold(s.deliveries, -1);
        this.broker.settle(this, s.deliveries, s.outcome, s.why, s.method);
      }
      for (const publish of publishes) publish();
    });
  }

  txRollback(): void {
    this.run('tx.rollback', () => {
      if (!this.tx) throw err.precondition('channel is not transactional', 'tx.rollback');
      const { settles } = this.tx;
      this.tx = { publishes: [], settles: [] };
      const deliveries = settles.flatMap((s) => s.deliveries);
      this.hold(deliveries, -1);
      this.ledger.restore(deliveries);
    });
  }

  channelFlow(p: { active: boolean }): void {
    this.run('channel.flow', () => {
      if (!p.active) throw new AmqpError(540, 'active=false', 'channel.flow');
    });
  }

  /** channel.close from the client: unacked deliveries go back to their queues. */
  close(): void {
    if (!this.isOpen) return;
    this.terminate(null, 'client');
  }

  // ---- internals ---------------------------------------------------------------

  /** Runs a method: errors close the channel or the connection, then propagate. */
  private run<T>(method: MethodName, fn: () => T): T {
    if (!this.isOpen) throw new ClosedError('channel');
    try {
      return fn();
    } catch (e) {
      if (e instanceof AmqpError) this.fail(e);
      throw e;
    }
  }

  private fail(e: AmqpError): void {
    this.broker.emit({ type: 'error', at: this.ref, error: e });
    if (e.scope === 'connection') this.connection.forceClose(e);
    else this.terminate(e, 'server');
  }

  /**
   * Ends the channel. A server-side close goes through 'closing' (the
   * client's close-ok is implied); unacked messages are requeued, or vanish
   * with an auto-delete queue that loses its last consumer.
   */
  terminate(error: AmqpError | null, by: 'client' | 'server' | 'connection'): void {
    if (!this.isOpen) return;
    const b = this.broker;
    this.isOpen = false;
    let released: Delivery[] = [];
    const onReleased = (d: Delivery[]) => (released = d);
    if (by === 'client') this.actor.send({ type: 'channel.close', onReleased });
    else {
      this.actor.send({ type: 'server.close', error: error ?? new AmqpError(320, 'connection closed', 'none') });
      b.emit(error ? { type: 'channel.state', ...this.ref, state: 'closing', error } : { type: 'channel.state', ...this.ref, state: 'closing' });
      this.actor.send({ type: 'channel.close-ok', onReleased });
    }
    if (this.tx) {
      // Acks never committed: those messages are still unacked, and go back too.
      const held = this.tx.settles.flatMap((s) => s.deliveries);
      this.hold(held, -1);
      released = [...released, ...held].sort((x, y) => x.tag - y.tag);
      this.tx = null;
    }
    this.stopReplies();
    b.cancelTimer(this.ackTimer);
    this.ackTimer = null;
    const queues = new Set<Queue>();
    for (const c of this.consumers.values()) {
      c.queue.removeConsumer(c);
      queues.add(c.queue);
      b.emit({ type: 'consumer.cancelled', queue: c.queue.name, consumerTag: c.tag, at: this.ref, by: 'channel-closed' });
    }
    this.consumers.clear();
    const keep: Delivery[] = [];
    for (const q of queues) {
      if (q.shouldAutoDelete) b.deleteQueue(q, 'auto-delete');
    }
    for (const d of released) {
      const q = d.queue as Queue;
      if (q.deleted) {
        q.unackedCount--;
        b.dropped(q, d.entry, 'queue-deleted');
      } else keep.push(d);
    }
    b.settle(this, keep, 'requeue', 'channel-closed');
    for (const q of queues) if (!q.deleted) q.run();
    this.connection.channels.delete(this.number);
    b.emit(error ? { type: 'channel.state', ...this.ref, state: 'closed', error } : { type: 'channel.state', ...this.ref, state: 'closed' });
    this.client?.closed?.(error);
  }

  private settle(method: 'basic.ack' | 'basic.nack' | 'basic.reject', tag: number, multiple: boolean, outcome: 'ack' | 'requeue' | 'discard', why: 'ack' | 'nack' | 'reject'): void {
    if (!this.ledger.canSettle(tag, multiple)) throw new AmqpError(406, `unknown delivery tag ${tag}`, method);
    let deliveries: Delivery[];
    if (this.broker.channelFastPath) deliveries = this.ledger.collect(tag, multiple, method);
    else {
      deliveries = [];
      this.actor.send({ type: 'settle', tag, multiple, onSettled: (d) => (deliveries = d) });
    }
    const nackMethod = method === 'basic.reject' ? 'basic.reject' : 'basic.nack';
    if (this.tx) {
      // Until commit, the queue and the prefetch limits still count them.
      this.hold(deliveries, +1);
      this.tx.settles.push({ deliveries, outcome, why, method: nackMethod });
    } else this.broker.settle(this, deliveries, outcome, why, nackMethod);
  }

  /** Counts (+1) or releases (-1) deliveries acked in an uncommitted transaction. */
  private hold(deliveries: Delivery[], sign: 1 | -1): void {
    this.ledger.held += sign * deliveries.length;
    for (const d of deliveries) if (d.consumer) d.consumer.unacked += sign;
  }

  private routeAndDeliver(x: Exchange, message: Message, mandatory: boolean, seq: number): void {
    const b = this.broker;
    const hops: RouteHop[] | null = b.events.active ? [] : null;
    if (hops) b.emit({ type: 'message.published', message, at: this.ref, mandatory });
    if (x.name === '' && message.routingKey.startsWith(REPLY_PREFIX)) {
      b.replyTargets.get(message.routingKey.slice(REPLY_PREFIX.length))?.deliverReply(message);
    }
    const queues = b.route(x, message.routingKeys, message.properties.headers, hops);
    if (hops) b.emit({ type: 'message.routed', messageId: message.id, exchange: x.name, queues: queues.map((q) => q.name), hops });
    this.deliverRouted(message, queues, mandatory, seq);
  }

  /**
   * routeAndDeliver for the common publish (one routing key, no event
   * stream, no transaction, not a direct reply): no Message is made before
   * routing. When one queue is reached, it gets the parts (Queue.accept)
   * and makes the Message only if it hands one out or keeps one, so each
   * message is made once, by the queue that holds it.
   */
  private routeParts(x: Exchange, id: number, routingKey: string, properties: MessageProperties, body: Uint8Array, mandatory: boolean, seq: number): void {
    const b = this.broker;
    this.oneKey[0] = routingKey;
    const queues = b.route(x, this.oneKey, properties.headers, null);
    if (queues.length !== 1) {
      this.deliverRouted(newMessage(id, x.name, routingKey, [routingKey], properties, body), queues, mandatory, seq);
      return;
    }
    const parts = this.parts;
    parts.id = id;
    parts.exchange = x.name;
    parts.routingKey = routingKey;
    parts.properties = properties;
    parts.body = body;
    this.partsInUse = true;
    let accepted: boolean;
    try {
      accepted = queues[0].accept(parts, true);
    } finally {
      this.partsInUse = false;
    }
    this.confirmPublish(seq, accepted);
  }

  /** Hands a routed message to the queues it reached (or returns or drops it), then confirms it. */
  private deliverRouted(message: Message, queues: readonly Queue[], mandatory: boolean, seq: number): void {
    const b = this.broker;
    let rejected = false;
    if (queues.length === 0) {
      if (mandatory) {
        b.emit({ type: 'message.returned', messageId: message.id, at: this.ref, replyCode: 312, replyText: 'NO_ROUTE' });
        this.client?.returned?.({ replyCode: 312, replyText: 'NO_ROUTE', exchange: message.exchange, routingKey: message.routingKey, message });
      } else b.dropped(null, message, 'unroutable');
    } else if (queues.length === 1) rejected = !queues[0].accept(message);
    else b.deliverAll(() => {
      for (let i = 0; i < queues.length; i++) if (!queues[i].accept(message)) rejected = true;
    });
    this.confirmPublish(seq, !rejected);
  }

  /** A publisher confirm, when the channel is in confirm mode (seq > 0). */
  private confirmPublish(seq: number, ack: boolean): void {
    if (!seq) return;
    this.broker.emit({ type: 'message.confirmed', at: this.ref, sequence: seq, ack });
    this.client?.confirmed?.(seq, ack);
  }

  /**
   * RabbitMQ's consumer_timeout: a delivery not acknowledged within 30
   * minutes closes the channel (406, reported against no method).
   */
  armAckTimeout(at: number): void {
    this.ackTimer = this.broker.setTimer(at, () => {
      this.ackTimer = null;
      if (!this.isOpen) return;
      const oldest = this.ledger.oldest;
      if (!oldest) return;
      const due = oldest.deliveredAt + CONSUMER_TIMEOUT;
      if (due > this.broker.now) {
        this.armAckTimeout(due);
        return;
      }
      this.fail(
        new AmqpError(
          406,
          `delivery acknowledgement on channel ${this.number} timed out. Timeout value used: ${CONSUMER_TIMEOUT} ms. This timeout value can be configured, see consumers doc guide to learn more`,
          'none',
        ),
      );
    });
  }

  /** basic.consume of amq.rabbitmq.reply-to: the channel's pseudo-queue for replies. */
  private consumeReplies(consumerTag: string | undefined, noAck: boolean): { consumerTag: string } {
    const m: MethodName = 'basic.consume';
    if (!noAck) throw err.precondition('reply consumer cannot acknowledge', m);
    if (this.replyConsumer) throw err.precondition('reply consumer already set', m);
    const b = this.broker;
    const tag = consumerTag || `amq.ctag-${b.random.guid()}`;
    this.replyConsumer = { tag, suffix: b.random.guid() };
    b.replyTargets.set(this.replyConsumer.suffix, this);
    return { consumerTag: tag };
  }

  private stopReplies(): void {
    if (!this.replyConsumer) return;
    this.broker.replyTargets.delete(this.replyConsumer.suffix);
    this.replyConsumer = null;
  }

  /** A reply published to amq.rabbitmq.reply-to.<suffix> goes straight to the consumer. */
  deliverReply(message: Message): void {
    const rc = this.replyConsumer;
    if (!rc || !this.isOpen) return;
    const tag = this.ledger.nextTag++;
    this.client?.deliver?.({ consumerTag: rc.tag, deliveryTag: tag, redelivered: false, exchange: message.exchange, routingKey: message.routingKey, message });
  }

  private declareOk(q: Queue): { queue: string; messageCount: number; consumerCount: number } {
    this.lastQueue = q.name;
    q.touch();
    return { queue: q.name, messageCount: q.messageCount, consumerCount: q.consumerCount };
  }

  private checkExclusive(q: Queue, m: MethodName): void {
    if (q.owner !== null && q.owner !== this.connection.name) throw err.locked(q.name, m);
  }

  private existingQueue(name: string, m: MethodName): Queue {
    const q = this.broker.queues.get(name);
    if (!q) throw err.notFound('queue', name, m);
    this.checkExclusive(q, m);
    return q;
  }

  /** '' means the last queue declared on this channel. */
  private expandQueue(name: string, m: MethodName): string {
    if (name !== '') return name;
    if (this.lastQueue === null) throw new AmqpError(404, 'no previously declared queue', m);
    return this.lastQueue;
  }

  private expandBindShortcut(queue: string, key: string, m: MethodName): [string, string] {
    if (queue !== '') return [strip(queue), key];
    const q = this.expandQueue('', m);
    return [q, key === '' ? q : key];
  }

  private bindingAction(
    m: 'queue.bind' | 'queue.unbind' | 'exchange.bind' | 'exchange.unbind',
    kind: 'queue' | 'exchange',
    destinationName: string,
    sourceName: string,
    routingKey: string,
    args: FieldTable,
  ): void {
    const b = this.broker;
    const dest = strip(destinationName);
    const src = strip(sourceName);
    if (kind === 'exchange' && dest === '') throw err.defaultExchange(m);
    if (src === '') throw err.defaultExchange(m);
    const source = b.exchanges.get(src);
    const destination = kind === 'queue' ? b.queues.get(dest) : b.exchanges.get(dest);
    if (m === 'queue.unbind' || m === 'exchange.unbind') {
      if (!source || !destination) return;
      const found = b.findBinding(source, destination, kind, routingKey, args);
      if (!found) return;
      if (kind === 'queue') this.checkExclusive(destination as Queue, m);
      b.removeBinding(found);
      return;
    }
    if (!source) throw err.notFound('exchange', src, m);
    if (!destination) throw err.notFound(kind, dest, m);
    if (kind === 'queue') this.checkExclusive(destination as Queue, m);
    const invalid = source.type.validateBinding(args);
    if (invalid) throw err.precondition(invalid, m);
    b.addBinding(source, destination, kind, routingKey, args);
  }
}

/** RabbitMQ's parse_expiration: a decimal integer string, 0 to ten years. */
function parseExpiration(s: string): string | null {
  const match = /^([+-]?\d+)(.*)$/s.exec(s);
  if (!match) return 'no_integer';
  if (match[2] !== '') return `{leftover_string,"${match[2]}"}`;
  const n = Number(match[1]);
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY) return `{value_too_large,${n}}`;
  return null;
}
