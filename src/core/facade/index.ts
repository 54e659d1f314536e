/**
 * An amqplib-style client for the sandbox: `connect(broker)` gives what
 * amqplib's `connect(url)` gives (a ChannelModel with createChannel and
 * createConfirmChannel, channels with assertQueue, publish, consume, ack…,
 * and the same events and error messages), so code written for amqplib
 * runs against Warren unchanged.
 *
 * Like a socket, each connection has an inbox: replies, deliveries,
 * returns, confirms and closes reach the client in the order the broker
 * produced them, asynchronously, as amqplib would receive them.
 */
import type { Broker } from '../broker.ts';
import { AmqpError, REPLY_NAMES, type MethodName } from '../errors.ts';
import type { Channel as EngineChannel, Connection as EngineConnection, DeliveryInfo, ReturnInfo } from '../channel.ts';
import type { FieldTable } from '../fields.ts';
import type { Message } from '../message.ts';
import { decodeProperties, fromContent, publishProperties, toContent, withOptions, type PublishOptions } from './codec.ts';
import { Emitter } from './emitter.ts';

export type { PublishOptions } from './codec.ts';

/** amqplib's names for methods in "Operation failed: QueueDeclare; …". */
const OPERATION: Partial<Record<MethodName, string>> = {
  'exchange.declare': 'ExchangeDeclare',
  'exchange.delete': 'ExchangeDelete',
  'exchange.bind': 'ExchangeBind',
  'exchange.unbind': 'ExchangeUnbind',
  'queue.declare': 'QueueDeclare',
  'queue.bind': 'QueueBind',
  'queue.purge': 'QueuePurge',
  'queue.delete': 'QueueDelete',
  'queue.unbind': 'QueueUnbind',
  'basic.qos': 'BasicQos',
  'basic.consume': 'BasicConsume',
  'basic.cancel': 'BasicCancel',
  'basic.get': 'BasicGet',
  'basic.recover': 'BasicRecover',
  'confirm.select': 'ConfirmSelect',
  'channel.open': 'ChannelOpen',
};

export class IllegalOperationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IllegalOperationError';
  }
}

/** The error amqplib builds from a close frame. */
export interface AmqpClientError extends Error {
  code?: number;
  classId?: number;
  methodId?: number;
}

function closeMessage(e: AmqpError): string {
  return `${e.code} (${REPLY_NAMES[e.code].replace(/_/g, '-')}) with message "${e.replyText}"`;
}

function clientError(message: string, e: AmqpError, withIds = true): AmqpClientError {
  const out: AmqpClientError = new Error(message);
  out.code = e.code;
  if (withIds) {
    out.classId = e.classId;
    out.methodId = e.methodId;
  }
  return out;
}

export interface ConsumeMessage {
  content: Uint8Array;
  fields: Record<string, unknown>;
  properties: Record<string, unknown>;
}

function messageOf(m: Message, fields: Record<string, unknown>): ConsumeMessage {
  return { content: toContent(m.body), fields, properties: decodeProperties(m.properties) };
}

export interface ConnectOptions {
  username?: string;
  password?: string;
}

/** Opens a connection to a sandbox broker, as amqplib's connect() does to a server. */
export async function connect(broker: Broker, options: ConnectOptions = {}): Promise<FacadeConnection> {
  let conn: EngineConnection;
  try {
    conn = broker.connect({ username: options.username, password: options.password });
  } catch (e) {
    if (e instanceof AmqpError) throw clientError(`Handshake terminated by server: ${closeMessage(e)}`, e, false);
    throw e;
  }
  return new FacadeConnection(conn);
}

const nextTask: (fn: () => void) => void =
  (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate ?? ((fn) => setTimeout(fn, 0));

/** amqplib's encoder refuses shortstr fields over 255 bytes, before sending. */
function shortstr(field: string, value: unknown): void {
  if (value === undefined) return;
  if (!(typeof value === 'string' && new TextEncoder().encode(value).length < 256)) {
    throw new TypeError(`Field '${field}' is the wrong type; must be a string (up to 255 chars)`);
  }
}

type Pending = { method: MethodName; resolve: (v: unknown) => void; reject: (e: unknown) => void };

export class FacadeConnection extends Emitter {
  private inbox: Array<() => void> = [];
  private draining = false;
  private closed = false;
  private closedInfo = '';
  readonly channels = new Set<FacadeChannel>();

  constructor(readonly engine: EngineConnection) {
    super();
    engine.client = { closed: (error) => this.onEngineClosed(error) };
  }

  /**
   * Queues a frame for the client. Frames are handled in order, in a later
   * task (as network input would be), never inside the call that caused them.
   */
  push(frame: () => void): void {
    this.inbox.push(frame);
    if (this.draining) return;
    this.draining = true;
    nextTask(() => this.drain());
  }

  private drain(): void {
    for (let i = 0; i < this.inbox.length; i++) this.inbox[i]();
    this.inbox = [];
    this.draining = false;
  }

  async createChannel(): Promise<FacadeChannel> {
    return this.open(new FacadeChannel(this));
  }

  async createConfirmChannel(): Promise<FacadeConfirmChannel> {
    const ch = await this.open(new FacadeConfirmChannel(this));
    await ch.rpc('confirm.select', () => ch.engine!.confirmSelect());
    return ch;
  }

  private open<C extends FacadeChannel>(ch: C): Promise<C> {
    if (this.closed) return Promise.reject(new IllegalOperationError(this.closedInfo));
    try {
      ch.attach(this.engine.openChannel());
    } catch (e) {
      return Promise.reject(e);
    }
    this.channels.add(ch);
    return new Promise((resolve) => this.push(() => resolve(ch)));
  }

  close(): Promise<void> {
    if (this.closed) return Promise.reject(new IllegalOperationError(this.closedInfo));
    return new Promise((resolve) => {
      this.engine.close();
      this.push(() => resolve());
    });
  }

  private onEngineClosed(error: AmqpError | null): void {
    this.closed = true;
    const e = error ? clientError(`Connection closed: ${closeMessage(error)}`, error, false) : undefined;
    this.closedInfo = `Connection closed (${e ? e.toString() : 'by client'})`;
    const channels = [...this.channels];
    for (const ch of channels) ch.connectionEnded();
    this.push(() => {
      if (e && e.code !== 320) this.emit('error', e);
      for (const ch of channels) ch.toClosed();
      this.emit('close', e);
    });
  }
}

export class FacadeChannel extends Emitter {
  engine: EngineChannel | null = null;
  /** 'failing': the broker closed it and the client has not heard yet. */
  private state: 'open' | 'failing' | 'closing' | 'closed' = 'open';
  private waiting: Pending[] = [];
  private closeError: AmqpError | null = null;
  protected consumers = new Map<string, (msg: ConsumeMessage | null) => void>();
  protected confirms = new Map<number, ((err: Error | null) => void) | undefined>();
  protected lostConfirms = false;

  constructor(readonly connection: FacadeConnection) {
    super();
  }

  /** @internal */
  attach(engine: EngineChannel): void {
    this.engine = engine;
    engine.client = {
      deliver: (d) => this.connection.push(() => this.onDeliver(d)),
      returned: (r) => this.connection.push(() => this.onReturn(r)),
      cancelled: (tag) => this.connection.push(() => this.onCancel(tag)),
      confirmed: (seq, ack) => this.connection.push(() => this.onConfirm(seq, ack)),
      closed: (error) => {
        if (error && error.scope === 'channel') this.serverClosed(error);
      },
    };
  }

  // ---- the amqplib API -----------------------------------------------------------

  assertQueue(queue?: string, options: AssertQueueOptions = {}) {
    const args = withOptions(options.arguments, {
      'x-expires': options.expires,
      'x-message-ttl': options.messageTtl,
      'x-dead-letter-exchange': options.deadLetterExchange,
      'x-dead-letter-routing-key': options.deadLetterRoutingKey,
      'x-max-length': options.maxLength,
      'x-max-priority': options.maxPriority,
      'x-overflow': options.overflow,
      'x-queue-mode': options.queueMode,
    });
    return this.rpc('queue.declare', () =>
      this.engine!.queueDeclare({
        queue: queue || '',
        durable: options.durable === undefined ? true : options.durable,
        exclusive: !!options.exclusive,
        autoDelete: !!options.autoDelete,
        arguments: args,
      }),
      undefined,
      { queue: queue || '' },
    );
  }

  checkQueue(queue: string) {
    return this.rpc('queue.declare', () => this.engine!.queueDeclare({ queue, passive: true }), undefined, { queue });
  }

  deleteQueue(queue: string, options: { ifUnused?: boolean; ifEmpty?: boolean } = {}) {
    return this.rpc('queue.delete', () => this.engine!.queueDelete({ queue, ifUnused: !!options.ifUnused, ifEmpty: !!options.ifEmpty }), undefined, { queue });
  }

  purgeQueue(queue: string) {
    return this.rpc('queue.purge', () => this.engine!.queuePurge({ queue }), undefined, { queue });
  }

  bindQueue(queue: string, source: string, pattern: string, args?: FieldTable) {
    return this.rpc('queue.bind', () => (this.engine!.queueBind({ queue, exchange: source, routingKey: pattern, arguments: withOptions(args, {}) }), {}), undefined, { queue, exchange: source, routingKey: pattern });
  }

  unbindQueue(queue: string, source: string, pattern: string, args?: FieldTable) {
    return this.rpc('queue.unbind', () => (this.engine!.queueUnbind({ queue, exchange: source, routingKey: pattern, arguments: withOptions(args, {}) }), {}), undefined, { queue, exchange: source, routingKey: pattern });
  }

  assertExchange(exchange: string, type: string, options: AssertExchangeOptions = {}) {
    const args = withOptions(options.arguments, { 'alternate-exchange': options.alternateExchange });
    return this.rpc('exchange.declare', () => {
      this.engine!.exchangeDeclare({
        exchange,
        type,
        durable: options.durable === undefined ? true : options.durable,
        autoDelete: !!options.autoDelete,
        internal: !!options.internal,
        arguments: args,
      });
      return { exchange };
    }, undefined, { exchange, type });
  }

  checkExchange(exchange: string) {
    return this.rpc('exchange.declare', () => (this.engine!.exchangeDeclare({ exchange, passive: true }), {}), undefined, { exchange });
  }

  deleteExchange(exchange: string, options: { ifUnused?: boolean } = {}) {
    return this.rpc('exchange.delete', () => (this.engine!.exchangeDelete({ exchange, ifUnused: !!options.ifUnused }), {}), undefined, { exchange });
  }

  bindExchange(destination: string, source: string, pattern: string, args?: FieldTable) {
    return this.rpc('exchange.bind', () => (this.engine!.exchangeBind({ destination, source, routingKey: pattern, arguments: withOptions(args, {}) }), {}), undefined, { destination, source, routingKey: pattern });
  }

  unbindExchange(destination: string, source: string, pattern: string, args?: FieldTable) {
    return this.rpc('exchange.unbind', () => (this.engine!.exchangeUnbind({ destination, source, routingKey: pattern, arguments: withOptions(args, {}) }), {}), undefined, { destination, source, routingKey: pattern });
  }

  publish(exchange: string, routingKey: string, content: Uint8Array | string, options: PublishOptions = {}): boolean {
    shortstr('exchange', exchange);
    shortstr('routingKey', routingKey);
    this.send(() =>
      this.engine!.basicPublish({
        exchange,
        routingKey,
        mandatory: !!options.mandatory,
        properties: publishProperties(options),
        body: fromContent(content),
      }),
    );
    return true;
  }

  sendToQueue(queue: string, content: Uint8Array | string, options: PublishOptions = {}): boolean {
    return this.publish('', queue, content, options);
  }

  consume(queue: string, callback: (msg: ConsumeMessage | null) => void, options: ConsumeOptions = {}) {
    const args = withOptions(options.arguments, { 'x-priority': options.priority });
    return this.rpc(
      'basic.consume',
      () =>
        this.engine!.basicConsume({
          queue,
          consumerTag: options.consumerTag || '',
          noLocal: !!options.noLocal,
          noAck: !!options.noAck,
          exclusive: !!options.exclusive,
          arguments: args,
        }),
      (ok) => this.consumers.set(ok.consumerTag, callback),
      { queue, consumerTag: options.consumerTag || '' },
    );
  }

  cancel(consumerTag: string) {
    return this.rpc('basic.cancel', () => this.engine!.basicCancel({ consumerTag }), () => this.consumers.delete(consumerTag), { consumerTag });
  }

  get(queue: string, options: { noAck?: boolean } = {}): Promise<ConsumeMessage | false> {
    return this.rpc('basic.get', () => {
      const r = this.engine!.basicGet({ queue, noAck: !!options.noAck });
      if (!r) return false as const;
      return messageOf(r.message, {
        deliveryTag: r.deliveryTag,
        redelivered: r.redelivered,
        exchange: r.exchange,
        routingKey: r.routingKey,
        messageCount: r.messageCount,
      });
    }, undefined, { queue });
  }

  ack(message: { fields: { deliveryTag: unknown } }, allUpTo?: boolean): void {
    const tag = Number(message.fields.deliveryTag);
    this.send(() => this.engine!.basicAck({ deliveryTag: tag, multiple: !!allUpTo }));
  }

  ackAll(): void {
    this.send(() => this.engine!.basicAck({ deliveryTag: 0, multiple: true }));
  }

  nack(message: { fields: { deliveryTag: unknown } }, allUpTo?: boolean, requeue?: boolean): void {
    const tag = Number(message.fields.deliveryTag);
    this.send(() => this.engine!.basicNack({ deliveryTag: tag, multiple: !!allUpTo, requeue: requeue === undefined ? true : requeue }));
  }

  nackAll(requeue?: boolean): void {
    this.send(() => this.engine!.basicNack({ deliveryTag: 0, multiple: true, requeue: requeue === undefined ? true : requeue }));
  }

  reject(message: { fields: { deliveryTag: unknown } }, requeue?: boolean): void {
    const tag = Number(message.fields.deliveryTag);
    this.send(() => this.engine!.basicReject({ deliveryTag: tag, requeue: requeue === undefined ? true : requeue }));
  }

  prefetch(count: number, global?: boolean) {
    return this.rpc('basic.qos', () => (this.engine!.basicQos({ prefetchCount: count || 0, prefetchSize: 0, global: !!global }), {}));
  }

  qos(count: number, global?: boolean) {
    return this.prefetch(count, global);
  }

  recover() {
    return this.rpc('basic.recover', () => (this.engine!.basicRecover({ requeue: true }), {}));
  }

  close(): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new IllegalOperationError(this.state === 'closing' ? 'Channel closing' : 'Channel closed'));
    this.state = 'closing';
    return new Promise((resolve) => {
      this.engine!.close();
      this.connection.push(() => {
        resolve();
        this.toClosed();
      });
    });
  }

  // ---- plumbing --------------------------------------------------------------------

  /**
   * An RPC: the broker answers at once, the client hears in order. `onOk`
   * runs when the reply is handled (amqplib registers consumers then).
   */
  rpc<T>(method: MethodName, op: () => T, onOk?: (value: T) => void, fields: Record<string, unknown> = {}): Promise<T> {
    try {
      for (const [k, v] of Object.entries(fields)) shortstr(k, v);
    } catch (e) {
      return Promise.reject(e);
    }
    if (this.state === 'closing' || this.state === 'closed') {
      return Promise.reject(new IllegalOperationError(this.state === 'closing' ? 'Channel closing' : 'Channel closed'));
    }
    return new Promise<T>((resolve, reject) => {
      if (this.state === 'failing') {
        this.waiting.push({ method, resolve: resolve as (v: unknown) => void, reject });
        return;
      }
      let value: T;
      // Reserve this reply's place before anything the method itself causes.
      const slot: { frame: (() => void) | null } = { frame: null };
      this.connection.push(() => slot.frame?.());
      try {
        value = op();
      } catch (e) {
        if (!(e instanceof AmqpError)) {
          slot.frame = () => reject(e);
          return;
        }
        if (e.scope === 'channel') {
          // serverClosed() has queued the close; this reply is the one it answers.
          this.waiting.unshift({ method, resolve: resolve as (v: unknown) => void, reject });
        } else {
          this.waiting.unshift({ method: 'none', resolve: resolve as (v: unknown) => void, reject });
        }
        return;
      }
      slot.frame = () => {
        onOk?.(value);
        resolve(value);
      };
    });
  }

  /** A method without a reply (publish, ack…): errors close the channel later. */
  private send(op: () => void): void {
    if (this.state === 'closing' || this.state === 'closed') throw new IllegalOperationError(this.state === 'closing' ? 'Channel closing' : 'Channel closed');
    if (this.state === 'failing') return; // the server ignores it
    try {
      op();
    } catch (e) {
      if (!(e instanceof AmqpError)) throw e;
    }
  }

  private serverClosed(error: AmqpError): void {
    this.state = 'failing';
    this.closeError = error;
    this.connection.push(() => {
      const first = this.waiting.shift();
      if (first) {
        const op = OPERATION[first.method];
        const matches = op !== undefined && first.method === error.method;
        first.reject(clientError(matches ? `Operation failed: ${op}; ${closeMessage(error)}` : `Channel closed by server: ${closeMessage(error)}`, error));
      }
      this.emit('error', clientError(`Channel closed by server: ${closeMessage(error)}`, error));
      this.toClosed();
    });
  }

  /** @internal: the connection went away under this channel. */
  connectionEnded(): void {
    if (this.state === 'closed') return;
    if (this.state !== 'failing') this.state = 'failing';
  }

  /** @internal */
  toClosed(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    for (const w of this.waiting.splice(0)) w.reject(new Error('Channel ended, no reply will be forthcoming'));
    this.connection.channels.delete(this);
    const err = new Error('channel closed');
    for (const cb of this.confirms.values()) cb?.(err);
    this.lostConfirms = [...this.confirms.values()].some((cb) => cb !== undefined) || this.confirms.size > 0;
    this.confirms.clear();
    this.emit('close');
  }

  private onDeliver(d: DeliveryInfo): void {
    if (this.state === 'closed') return;
    const fields = { consumerTag: d.consumerTag, deliveryTag: d.deliveryTag, redelivered: d.redelivered, exchange: d.exchange, routingKey: d.routingKey };
    const cb = this.consumers.get(d.consumerTag);
    if (cb) cb(messageOf(d.message, fields));
  }

  private onReturn(r: ReturnInfo): void {
    this.emit('return', messageOf(r.message, { replyCode: r.replyCode, replyText: r.replyText, exchange: r.exchange, routingKey: r.routingKey }));
  }

  private onCancel(tag: string): void {
    const cb = this.consumers.get(tag);
    this.emit('cancel', { consumerTag: tag, nowait: true });
    this.consumers.delete(tag);
    cb?.(null);
  }

  protected onConfirm(seq: number, ack: boolean): void {
    const cb = this.confirms.get(seq);
    this.confirms.delete(seq);
    this.emit(ack ? 'ack' : 'nack', { deliveryTag: seq, multiple: false });
    cb?.(ack ? null : new Error('message nacked'));
  }
}

export class FacadeConfirmChannel extends FacadeChannel {
  private seq = 0;

  override publish(exchange: string, routingKey: string, content: Uint8Array | string, options: PublishOptions = {}, cb?: (err: Error | null) => void): boolean {
    const result = super.publish(exchange, routingKey, content, options);
    this.confirms.set(++this.seq, cb);
    return result;
  }

  override sendToQueue(queue: string, content: Uint8Array | string, options: PublishOptions = {}, cb?: (err: Error | null) => void): boolean {
    return this.publish('', queue, content, options, cb);
  }

  /** Resolves once every publish so far is confirmed; rejects if any was nacked or lost. */
  waitForConfirms(): Promise<void> {
    if (this.lostConfirms) return Promise.reject(new Error('channel closed'));
    const waits = [...this.confirms.keys()].map(
      (seq) =>
        new Promise<void>((resolve, reject) => {
          const prev = this.confirms.get(seq);
          this.confirms.set(seq, (err) => {
            prev?.(err);
            if (err) reject(err);
            else resolve();
          });
        }),
    );
    return Promise.all(waits).then(() => undefined);
  }
}

export interface AssertQueueOptions {
  exclusive?: boolean;
  durable?: boolean;
  autoDelete?: boolean;
  arguments?: FieldTable;
  messageTtl?: number;
  expires?: number;
  deadLetterExchange?: string;
  deadLetterRoutingKey?: string;
  maxLength?: number;
  maxPriority?: number;
  overflow?: string;
  queueMode?: string;
}

export interface AssertExchangeOptions {
  durable?: boolean;
  internal?: boolean;
  autoDelete?: boolean;
  alternateExchange?: string;
  arguments?: FieldTable;
}

export interface ConsumeOptions {
  consumerTag?: string;
  noLocal?: boolean;
  noAck?: boolean;
  exclusive?: boolean;
  priority?: number;
  arguments?: FieldTable;
}
