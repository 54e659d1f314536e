/**
 * The Celery client's connection to the broker, and what it does with a
 * prepared task: celery.app.amqp's send_task_message and kombu's
 * Producer.publish, on the engine.
 *
 * - The destination: a queue given by name is looked up; with a direct
 *   exchange type and no exchange or routing key, the message goes to the
 *   default exchange with the queue's name as routing key; otherwise to the
 *   named exchange (or the queue's) with the routing key given, the queue's
 *   or task_default_routing_key.
 * - Declaring: the target queue (never a Broadcast queue) with its
 *   exchange, binding and extra bindings, once per connection
 *   (kombu's maybe_declare), as py-amqp sends them.
 * - Publishing: delivery_mode from the option, the exchange or
 *   task_default_delivery_mode; priority 0 unless given (absent when None);
 *   expiration from expires.
 *
 * A refusal by the broker comes back as py-amqp raises it ("Basic.publish:
 * (404) NOT_FOUND - no exchange 'video' in vhost '/'"); the client then
 * starts over on a new connection, as the recordings do.
 */
import type { Broker } from '../core/broker.ts';
import type { Channel, Connection } from '../core/channel.ts';
import { AmqpError } from '../core/errors.ts';
import type { FieldTable } from '../core/fields.ts';
import type { CeleryApp, CeleryFailure, PreparedSend, SendRequest } from './app.ts';
import type { RouteTrace } from './router.ts';
import { failureOf } from './app.ts';
import { KombuExchange, KombuQueue, toJson, type Json } from './kombu.ts';
import { fieldTable, fieldValue, wireMessage } from './message.ts';
import { dictFrom } from './python/builtins.ts';
import { pyError } from './python/errors.ts';
import { PyDict, PyList, PyTuple, numberOf, repr, truthy, typeName, type PyValue } from './python/values.ts';

const AMQP_ERROR_NAMES: Record<number, string> = {
  311: 'ContentTooLarge',
  313: 'NoConsumers',
  320: 'ConnectionForced',
  402: 'InvalidPath',
  403: 'AccessRefused',
  404: 'NotFound',
  405: 'ResourceLocked',
  406: 'PreconditionFailed',
  501: 'FrameError',
  502: 'FrameSyntaxError',
  503: 'InvalidCommand',
  504: 'ChannelNotOpen',
  505: 'UnexpectedFrame',
  506: 'ResourceError',
  530: 'NotAllowed',
  540: 'AMQPNotImplementedError',
  541: 'InternalError',
};

/** py-amqp's text for a channel or connection error: "Basic.publish: (404) NOT_FOUND - …". */
export function amqpErrorLine(e: AmqpError): string {
  const [cls, method] = e.method.split('.');
  const name = e.method === 'none' ? 'Connection' : `${cls[0].toUpperCase()}${cls.slice(1)}.${method}`;
  return `${name}: (${e.code}) ${e.replyText}`;
}

/** One AMQP method the client sent, in py-amqp's argument names. */
export type AmqpCall =
  | { method: 'exchange_declare'; exchange: string; type: string; passive: boolean; durable: boolean; auto_delete: boolean; arguments: Json }
  | { method: 'queue_declare'; queue: string; passive: boolean; durable: boolean; exclusive: boolean; auto_delete: boolean; arguments: Json }
  | { method: 'queue_bind'; queue: string; exchange: string; routing_key: string; arguments: Json }
  | { method: 'basic_publish'; exchange: string; routing_key: string; mandatory: boolean | null };

export interface SendResult {
  task: string;
  id: string;
  via: 'apply_async' | 'send_task' | 'beat';
  /** Router.route's options, as JSON. Absent when routing failed. */
  route?: Json;
  /** How the router decided (absent when routing failed). */
  trace?: RouteTrace;
  exchange?: string;
  routing_key?: string;
  /** The priority property (null: none was sent). */
  priority?: number | null;
  delivery_mode?: number;
  /** Queues the message landed in. */
  queues: string[];
  /** Every declare, bind and publish, in order. */
  amqp: AmqpCall[];
  /** The engine's id of the published message. */
  messageId?: number;
  error?: CeleryFailure;
}

/** maybe_delivery_mode: a name or number, else persistent. */
function deliveryModeOf(v: PyValue): number {
  if (!truthy(v)) return 2;
  if (typeof v === 'number') return v;
  if (v === 'transient') return 1;
  if (v === 'persistent') return 2;
  throw pyError('KeyError', repr(v));
}

function text(v: PyValue, what: string): string {
  if (v === null) return '';
  if (typeof v !== 'string') throw pyError('TypeError', `${what} must be a str, not ${typeName(v)}`);
  return v;
}

export class CeleryProducer {
  private connection: Connection | null = null;
  private channel: Channel | null = null;
  /** kombu's declared_entities: queues already declared on this connection. */
  private declared = new Set<string>();
  /** send_task_message's default queue, looked up once the sender exists (celery's cached_property). */
  private defaultQueue: KombuQueue | null = null;

  constructor(
    readonly app: CeleryApp,
    readonly broker: Broker,
  ) {}

  private open(): Channel {
    if (!this.channel || !this.channel.isOpen) {
      if (!this.connection || !this.connection.isOpen) {
        this.connection = this.broker.connect();
        this.declared = new Set();
      }
      this.channel = this.connection.openChannel();
    }
    return this.channel;
  }

  /** A new connection after a refusal (and so an empty declaration cache). */
  private reset(): void {
    if (this.connection?.isOpen) this.connection.close();
    this.connection = null;
    this.channel = null;
  }

  close(): void {
    this.reset();
  }

  /** The name of the client's connection on the broker, while one is open. */
  get connectionName(): string | null {
    return this.connection?.isOpen ? this.connection.name : null;
  }

  /**
   * Declares queues (with their exchanges and bindings) on the client's
   * connection, as kombu's maybe_declare does before a publish; a refusal
   * comes back in py-amqp's words and the client starts a new connection.
   */
  declare(queues: KombuQueue[]): { amqp: AmqpCall[]; error?: CeleryFailure } {
    const amqp: AmqpCall[] = [];
    try {
      const ch = this.open();
      for (const q of queues) this.maybeDeclare(ch, q, amqp);
      return { amqp };
    } catch (e) {
      if (!(e instanceof AmqpError)) return { amqp, error: failureOf(e) };
      this.reset();
      return { amqp, error: { type: AMQP_ERROR_NAMES[e.code] ?? 'AMQPError', message: amqpErrorLine(e) } };
    }
  }

  /** Sends a task as apply_async / send_task would (via 'beat' only changes the label). */
  send(name: string, req: SendRequest, via?: 'beat'): SendResult {
    const amqp: AmqpCall[] = [];
    let prepared: PreparedSend;
    try {
      prepared = this.app.prepare(name, req, this.broker.now);
    } catch (e) {
      return { task: name, id: req.taskId ?? '', via: via ?? (this.app.task(name) && !req.sendTask ? 'apply_async' : 'send_task'), queues: [], amqp, error: failureOf(e) };
    }
    const trace = this.app.router.lastTrace ?? undefined;
    const result: SendResult = { task: name, id: prepared.taskId, via: via ?? prepared.via, route: toJson(prepared.options), trace, queues: [], amqp };
    try {
      this.publish(prepared, result);
    } catch (e) {
      if (e instanceof AmqpError) {
        result.error = { type: AMQP_ERROR_NAMES[e.code] ?? 'AMQPError', message: amqpErrorLine(e) };
        this.reset();
      } else {
        result.error = failureOf(e);
      }
    }
    return result;
  }

  /** send_task_message, then Producer.publish. */
  private publish(p: PreparedSend, result: SendResult): void {
    const conf = this.app.config;
    const queues = this.app.queues;
    if (!this.defaultQueue) {
      const name = conf.get('task_default_queue');
      if (typeof name === 'string' && !queues.has(name) && !queues.createMissing) throw pyError('KeyError', repr(name));
      this.defaultQueue = queues.get(name);
    }
    const options = p.options.copy();
    const take = (k: string): PyValue => {
      const v = options.get(k);
      options.delete(k);
      return v === undefined ? null : v;
    };
    let exchange = take('exchange');
    let routingKey = take('routing_key');
    let queue = take('queue');
    for (const k of ['event_dispatcher', 'retry', 'retry_policy']) take(k);
    const serializer = take('serializer');
    let deliveryMode = take('delivery_mode');
    const compression = take('compression');
    const declare = take('declare');
    const headers = take('headers');
    let exchangeType = take('exchange_type');
    if (serializer !== null && serializer !== 'json') throw pyError('Unsupported', `the ${String(serializer)} serializer is outside the sandbox (it sends JSON, Celery's default)`);
    if (compression !== null) throw pyError('Unsupported', 'compressed task messages are outside the sandbox');

    const headers2 = p.message.headers.copy();
    if (truthy(headers)) for (const [k, v] of dictFrom(headers).items()) headers2.set(k, v);
    // The rest become message properties (kombu passes them to publish and py-amqp's Message).
    const properties = options;

    let qname: PyValue = queue;
    if (queue === null && exchange === null) queue = this.defaultQueue;
    let q: KombuQueue | null = null;
    if (queue !== null) {
      if (typeof queue === 'string') {
        qname = queue;
        q = queues.get(queue);
      } else if (queue instanceof KombuQueue) {
        q = queue;
        qname = queue.name;
      } else {
        throw pyError('AttributeError', `'${typeName(queue)}' object has no attribute 'name'`);
      }
    }
    if (deliveryMode === null) deliveryMode = q?.exchange ? q.exchange.deliveryMode : null;
    if (!truthy(deliveryMode)) deliveryMode = conf.get('task_default_delivery_mode');
    if (exchangeType === null) exchangeType = q?.exchange ? q.exchange.type : 'direct';
    if ((!truthy(exchange) || !truthy(routingKey)) && exchangeType === 'direct') {
      exchange = '';
      routingKey = qname;
    } else if (exchange === null) {
      const x = q!.exchange!;
      exchange = x.name || queues.defaultExchange;
      routingKey = truthy(routingKey) ? routingKey : truthy(q!.routingKey) ? q!.routingKey : conf.get('task_default_routing_key');
    }
    let toDeclare: KombuQueue[];
    if (declare === null) toDeclare = q && !q.broadcast ? [q] : [];
    else {
      const items = declare instanceof PyList || declare instanceof PyTuple ? declare.items : [declare];
      toDeclare = items.map((d) => {
        if (!(d instanceof KombuQueue)) throw pyError('Unsupported', `declare=[...] takes Queue objects in the sandbox, not ${typeName(d)}`);
        return d;
      });
    }

    // Producer.publish
    const key = routingKey === null ? '' : text(routingKey, 'routing_key');
    let exchangeName: string;
    let mode: number;
    if (exchange instanceof KombuExchange) {
      exchangeName = exchange.name;
      mode = deliveryModeOf(truthy(deliveryMode) ? deliveryMode : exchange.deliveryMode);
    } else {
      exchangeName = truthy(exchange) ? text(exchange, 'exchange') : '';
      mode = deliveryModeOf(deliveryMode);
    }
    const priority = properties.has('priority') ? properties.get('priority')! : 0;
    const expiration = properties.has('expiration') ? properties.get('expiration')! : p.expires !== null ? this.expiration(p.expires) : null;
    const mandatory = properties.has('mandatory') ? properties.get('mandatory')! : false;
    const immediate = properties.has('immediate') ? properties.get('immediate')! : false;
    const wire = wireMessage(p.message, { deliveryMode: mode, priority, expiration, extraProperties: properties });
    wire.properties.headers = fieldTable(headers2);

    result.exchange = exchangeName;
    result.routing_key = key;
    result.priority = wire.properties.priority ?? null;
    result.delivery_mode = mode;

    const ch = this.open();
    for (const entity of toDeclare) this.maybeDeclare(ch, entity, result.amqp);
    result.amqp.push({ method: 'basic_publish', exchange: exchangeName, routing_key: key, mandatory: mandatory === null ? null : truthy(mandatory) });
    let routed: string[] = [];
    let messageId: number | undefined;
    const unsubscribe = this.broker.subscribe((e) => {
      if (e.type === 'message.published' && messageId === undefined) messageId = e.message.id;
      if (e.type === 'message.routed' && e.messageId === messageId) routed = e.queues;
    });
    try {
      ch.basicPublish({ exchange: exchangeName, routingKey: key, body: wire.body, properties: wire.properties, mandatory: truthy(mandatory), immediate: truthy(immediate) });
    } finally {
      unsubscribe();
    }
    result.messageId = messageId;
    result.queues = routed;
  }

  /** send_task turns `expires` into seconds; in the past counts as 0. */
  private expiration(expires: PyValue): PyValue {
    const n = numberOf(expires);
    if (n === undefined) return null;
    return n < 0 ? 0 : expires;
  }

  /** kombu's maybe_declare + Queue.declare. */
  maybeDeclare(ch: Channel, q: KombuQueue, log: AmqpCall[]): void {
    const cache = q.canCacheDeclaration;
    if (cache && this.declared.has(q.name)) return;
    declareQueue(ch, q, log);
    if (cache) this.declared.add(q.name);
  }
}

/** kombu's Exchange.declare: only named exchanges outside amq.*, unless no_declare. */
function declareExchange(ch: Channel, x: KombuExchange, log: AmqpCall[]): void {
  if (x.noDeclare || !x.name || x.name.startsWith('amq.')) return;
  const args = x.arguments instanceof PyDict ? x.arguments : null;
  log.push({ method: 'exchange_declare', exchange: x.name, type: x.type, passive: x.passive, durable: x.durable, auto_delete: x.autoDelete, arguments: toJson(args) });
  ch.exchangeDeclare({ exchange: x.name, type: x.type, passive: x.passive, durable: x.durable, autoDelete: x.autoDelete, arguments: args ? fieldTable(args) : undefined });
}

function bindingArgs(v: PyValue): FieldTable | undefined {
  if (v === null) return undefined;
  const f = fieldValue(v);
  if (typeof f !== 'object' || f === null || Array.isArray(f)) throw pyError('TypeError', `binding arguments must be a dict, not ${typeName(v)}`);
  return f as FieldTable;
}

/** kombu's Queue.declare: exchange, queue, main binding, then each extra binding. */
export function declareQueue(ch: Channel, q: KombuQueue, log: AmqpCall[]): void {
  if (q.noDeclare) return;
  if (q.exchange) declareExchange(ch, q.exchange, log);
  const args = q.declareArguments();
  log.push({ method: 'queue_declare', queue: q.name, passive: false, durable: q.durable, exclusive: q.exclusive, auto_delete: q.autoDelete, arguments: toJson(args) });
  const ok = ch.queueDeclare({ queue: q.name, durable: q.durable, exclusive: q.exclusive, autoDelete: q.autoDelete, arguments: fieldTable(args) });
  if (!q.name) q.name = ok.queue;
  if (q.exchange && q.exchange.name) {
    log.push({ method: 'queue_bind', queue: q.name, exchange: q.exchange.name, routing_key: q.routingKey, arguments: toJson(q.bindingArguments) });
    ch.queueBind({ queue: q.name, exchange: q.exchange.name, routingKey: q.routingKey, arguments: bindingArgs(q.bindingArguments) });
  }
  for (const b of q.bindings) {
    if (!(b.exchange instanceof KombuExchange)) {
      if (truthy(b.exchange)) throw pyError('AttributeError', `'${typeName(b.exchange)}' object has no attribute 'name'`);
      continue;
    }
    if (b.exchange.name) declareExchange(ch, b.exchange, log);
    const key = b.routingKey === null ? '' : text(b.routingKey, 'routing_key');
    log.push({ method: 'queue_bind', queue: q.name, exchange: b.exchange.name, routing_key: key, arguments: toJson(b.arguments) });
    ch.queueBind({ queue: q.name, exchange: b.exchange.name, routingKey: key, arguments: bindingArgs(b.arguments) });
  }
}
