/**
 * kombu's entities as Python values: Exchange, Queue, binding and
 * kombu.common.Broadcast, built with kombu 5.2's constructors (positional
 * order, keyword names, attribute typing, `Queue('q', [binding(...)])`,
 * `exclusive` implying auto_delete, Broadcast's unique `bcast.<uuid>`
 * queue), and `Queue.from_dict` for dict-style task_queues. Unknown keyword
 * arguments are ignored, as kombu ignores them.
 *
 * Declaring them (Queue.declare: exchange, queue, main binding, extra
 * bindings) is in declare.ts; their JSON form is what the CLI prints.
 */
import { toFloat, toInt } from './python/builtins.ts';
import { pyError } from './python/errors.ts';
import {
  PyBuiltin,
  PyDict,
  PyFloat,
  PyList,
  PyModule,
  PyObject,
  PyTuple,
  MAX_VALUE_DEPTH,
  bindArguments,
  hashKey,
  numberOf,
  pyEquals,
  repr,
  truthy,
  typeName,
  walkBudget,
  type Kwargs,
  type PyValue,
} from './python/values.ts';

const DELIVERY_MODES: Record<string, number> = { transient: 1, persistent: 2 };

export class KombuExchange extends PyObject {
  readonly typeName = 'Exchange';
  name = '';
  type = 'direct';
  arguments: PyValue = null;
  durable = true;
  passive = false;
  autoDelete = false;
  deliveryMode: PyValue = null;
  noDeclare = false;

  override getAttr(attr: string): PyValue | undefined {
    switch (attr) {
      case 'name':
        return this.name;
      case 'type':
        return this.type;
      case 'arguments':
        return this.arguments;
      case 'durable':
        return this.durable;
      case 'passive':
        return this.passive;
      case 'auto_delete':
        return this.autoDelete;
      case 'delivery_mode':
        return this.deliveryMode;
      case 'no_declare':
        return this.noDeclare;
    }
    return undefined;
  }

  /** Exchange.delivery_mode as a number (kombu's maybe_delivery_mode), or null. */
  get deliveryModeNumber(): number | null {
    const n = numberOf(this.deliveryMode);
    return n === undefined ? null : n;
  }

  override repr(): string {
    return `<unbound Exchange ${this.name}(${this.type})>`;
  }

  override equals(other: PyValue): boolean {
    return (
      other instanceof KombuExchange &&
      other.name === this.name &&
      other.type === this.type &&
      pyEquals(other.arguments, this.arguments) &&
      other.durable === this.durable &&
      other.autoDelete === this.autoDelete &&
      pyEquals(other.deliveryMode, this.deliveryMode)
    );
  }

  override hashKey(): string {
    return `E|${this.name}|${this.type}|${this.durable}|${this.autoDelete}|${repr(this.deliveryMode)}|${repr(this.arguments)}`;
  }
}

export class KombuBinding extends PyObject {
  readonly typeName = 'binding';
  readonly arguments: PyValue;
  constructor(
    readonly exchange: PyValue,
    readonly routingKey: PyValue,
    bindArgs: PyValue,
    readonly unbindArguments: PyValue,
  ) {
    super();
    this.arguments = bindArgs;
  }

  override getAttr(attr: string): PyValue | undefined {
    switch (attr) {
      case 'exchange':
        return this.exchange;
      case 'routing_key':
        return this.routingKey;
      case 'arguments':
        return this.arguments;
      case 'unbind_arguments':
        return this.unbindArguments;
    }
    return undefined;
  }

  override repr(): string {
    const name = this.exchange instanceof KombuExchange ? this.exchange.name : repr(this.exchange);
    return `<binding: ${name}->${typeof this.routingKey === 'string' ? this.routingKey : repr(this.routingKey)}>`;
  }
}

export class KombuQueue extends PyObject {
  readonly typeName: string = 'Queue';
  name = '';
  exchange: KombuExchange | null = new KombuExchange();
  routingKey = '';
  queueArguments: PyValue = null;
  bindingArguments: PyValue = null;
  consumerArguments: PyValue = null;
  durable = true;
  exclusive = false;
  autoDelete = false;
  noAck: PyValue = false;
  alias: PyValue = null;
  bindings: KombuBinding[] = [];
  noDeclare = false;
  expires: PyValue = null;
  messageTtl: PyValue = null;
  maxLength: PyValue = null;
  maxLengthBytes: PyValue = null;
  maxPriority: PyValue = null;
  /** kombu.common.Broadcast: every consumer gets its own queue. */
  broadcast = false;

  override getAttr(attr: string): PyValue | undefined {
    switch (attr) {
      case 'name':
        return this.name;
      case 'exchange':
        return this.exchange;
      case 'routing_key':
        return this.routingKey;
      case 'queue_arguments':
        return this.queueArguments;
      case 'binding_arguments':
        return this.bindingArguments;
      case 'consumer_arguments':
        return this.consumerArguments;
      case 'durable':
        return this.durable;
      case 'exclusive':
        return this.exclusive;
      case 'auto_delete':
        return this.autoDelete;
      case 'no_ack':
        return this.noAck;
      case 'alias':
        return this.alias;
      case 'bindings':
        return new PyList([...this.bindings]);
      case 'no_declare':
        return this.noDeclare;
      case 'expires':
        return this.expires;
      case 'message_ttl':
        return this.messageTtl;
      case 'max_length':
        return this.maxLength;
      case 'max_length_bytes':
        return this.maxLengthBytes;
      case 'max_priority':
        return this.maxPriority;
    }
    return undefined;
  }

  override repr(): string {
    if (this.bindings.length) return `<unbound Queue ${this.name} -> [${this.bindings.map((b) => b.repr().replace(/^<binding: |>$/g, '')).join(', ')}]>`;
    return `<unbound Queue ${this.name} -> ${this.exchange ? this.exchange.repr() : 'None'} -> ${this.routingKey}>`;
  }

  override equals(other: PyValue): boolean {
    return (
      other instanceof KombuQueue &&
      other.name === this.name &&
      pyEquals(other.exchange, this.exchange) &&
      other.routingKey === this.routingKey &&
      pyEquals(other.queueArguments, this.queueArguments) &&
      pyEquals(other.bindingArguments, this.bindingArguments) &&
      pyEquals(other.consumerArguments, this.consumerArguments) &&
      other.durable === this.durable &&
      other.exclusive === this.exclusive &&
      other.autoDelete === this.autoDelete
    );
  }

  override hashKey(): string {
    return `Q|${this.name}|${this.exchange ? this.exchange.hashKey() : ''}|${this.routingKey}|${this.durable}|${this.exclusive}|${this.autoDelete}`;
  }

  /**
   * The queue.declare arguments, as kombu's to_rabbitmq_queue_arguments
   * builds them: queue_arguments, then x-expires / x-message-ttl in
   * milliseconds and x-max-length / x-max-length-bytes / x-max-priority.
   */
  declareArguments(): PyDict {
    const args = this.queueArguments instanceof PyDict ? this.queueArguments.copy() : new PyDict();
    const ms = (v: PyValue) => Math.trunc((numberOf(v) ?? 0) * 1000);
    const extra: Array<[string, PyValue, (v: PyValue) => number]> = [
      ['x-expires', this.expires, ms],
      ['x-message-ttl', this.messageTtl, ms],
      ['x-max-length', this.maxLength, (v) => numberOf(v) ?? 0],
      ['x-max-length-bytes', this.maxLengthBytes, (v) => numberOf(v) ?? 0],
      ['x-max-priority', this.maxPriority, (v) => numberOf(v) ?? 0],
    ];
    for (const [key, value, convert] of extra) {
      // kombu's dictfilter drops None and keeps everything else, even 0.
      if (value !== null) args.set(key, convert(value));
    }
    return args;
  }

  /** kombu's can_cache_declaration: declared once per connection unless it may vanish. */
  get canCacheDeclaration(): boolean {
    const args = this.queueArguments;
    const expiring = args instanceof PyDict && args.has('x-expires');
    return !expiring && !this.autoDelete;
  }
}

// ---- constructors ------------------------------------------------------------------

function anyAttr(v: PyValue): PyValue {
  return v;
}

const boolAttr = (v: PyValue): boolean => truthy(v);
const floatAttr = (v: PyValue): PyValue => toFloat(v);
const intAttr = (v: PyValue): PyValue => toInt(v);

function deliveryModeAttr(v: PyValue): PyValue {
  hashKey(v);
  if (typeof v === 'string' && v in DELIVERY_MODES) return DELIVERY_MODES[v];
  return v;
}

/** kombu's Object.__init__: typed attributes from keyword arguments; unknown keywords ignored. */
function applyAttrs(kwargs: Kwargs, attrs: Record<string, (v: PyValue) => PyValue>, set: (name: string, v: PyValue) => void): void {
  for (const [name, convert] of Object.entries(attrs)) {
    const v = kwargs.get(name);
    if (v !== undefined && v !== null) set(name, convert(v));
  }
}

const EXCHANGE_ATTRS: Record<string, (v: PyValue) => PyValue> = {
  arguments: anyAttr,
  durable: boolAttr,
  passive: boolAttr,
  auto_delete: boolAttr,
  delivery_mode: deliveryModeAttr,
  no_declare: boolAttr,
};

function setExchangeAttr(x: KombuExchange, name: string, v: PyValue): void {
  switch (name) {
    case 'arguments':
      x.arguments = v;
      break;
    case 'durable':
      x.durable = v as boolean;
      break;
    case 'passive':
      x.passive = v as boolean;
      break;
    case 'auto_delete':
      x.autoDelete = v as boolean;
      break;
    case 'delivery_mode':
      x.deliveryMode = v;
      break;
    case 'no_declare':
      x.noDeclare = v as boolean;
      break;
  }
}

function nameValue(v: PyValue, what: string): string | null {
  if (v === null || v === '' || v === false) return null;
  if (typeof v !== 'string') throw pyError('TypeError', `${what} must be a str, not ${typeName(v)}`);
  return v;
}

export function makeExchange(name: PyValue = '', type: PyValue = '', kwargs: Kwargs = new Map()): KombuExchange {
  const x = new KombuExchange();
  applyAttrs(kwargs, EXCHANGE_ATTRS, (n, v) => setExchangeAttr(x, n, v));
  x.name = nameValue(name, 'Exchange name') ?? '';
  x.type = nameValue(type, 'Exchange type') ?? 'direct';
  return x;
}

const QUEUE_ATTRS: Record<string, (v: PyValue) => PyValue> = {
  queue_arguments: anyAttr,
  binding_arguments: anyAttr,
  consumer_arguments: anyAttr,
  durable: boolAttr,
  exclusive: boolAttr,
  auto_delete: boolAttr,
  no_ack: anyAttr,
  alias: anyAttr,
  no_declare: boolAttr,
  expires: floatAttr,
  message_ttl: floatAttr,
  max_length: intAttr,
  max_length_bytes: intAttr,
  max_priority: intAttr,
};

function setQueueAttr(q: KombuQueue, name: string, v: PyValue): void {
  switch (name) {
    case 'queue_arguments':
      q.queueArguments = v;
      break;
    case 'binding_arguments':
      q.bindingArguments = v;
      break;
    case 'consumer_arguments':
      q.consumerArguments = v;
      break;
    case 'durable':
      q.durable = v as boolean;
      break;
    case 'exclusive':
      q.exclusive = v as boolean;
      break;
    case 'auto_delete':
      q.autoDelete = v as boolean;
      break;
    case 'no_ack':
      q.noAck = v;
      break;
    case 'alias':
      q.alias = v;
      break;
    case 'no_declare':
      q.noDeclare = v as boolean;
      break;
    case 'expires':
      q.expires = v;
      break;
    case 'message_ttl':
      q.messageTtl = v;
      break;
    case 'max_length':
      q.maxLength = v;
      break;
    case 'max_length_bytes':
      q.maxLengthBytes = v;
      break;
    case 'max_priority':
      q.maxPriority = v;
      break;
  }
}

function bindingsOf(v: PyValue): KombuBinding[] {
  if (v === null) return [];
  const items = v instanceof PyList || v instanceof PyTuple ? v.items : null;
  if (!items) throw pyError('TypeError', `'${typeName(v)}' object is not iterable`);
  const out: KombuBinding[] = [];
  for (const b of items) {
    hashKey(b);
    if (!out.includes(b as KombuBinding)) out.push(b as KombuBinding);
  }
  return out;
}

export function makeQueue(name: PyValue = '', exchange: PyValue = null, routingKey: PyValue = '', bindings: PyValue = null, kwargs: Kwargs = new Map(), into = new KombuQueue()): KombuQueue {
  const q = into;
  applyAttrs(kwargs, QUEUE_ATTRS, (n, v) => setQueueAttr(q, n, v));
  q.name = nameValue(name, 'Queue name') ?? '';
  if (typeof exchange === 'string') q.exchange = makeExchange(exchange);
  else if (exchange instanceof KombuExchange) q.exchange = exchange;
  q.routingKey = nameValue(routingKey, 'routing_key') ?? '';
  q.bindings = bindingsOf(bindings);
  if (exchange instanceof PyList || exchange instanceof PyTuple) {
    for (const b of bindingsOf(exchange)) if (!q.bindings.includes(b)) q.bindings.push(b);
  }
  for (const b of q.bindings) {
    if (!(b instanceof KombuBinding)) throw pyError('TypeError', `Queue bindings must be binding(...) objects, not ${typeName(b)}`);
  }
  if (q.bindings.length) q.exchange = null;
  if (q.exclusive) q.autoDelete = true;
  return q;
}

class KombuBroadcast extends KombuQueue {
  override readonly typeName = 'Broadcast';
  queue: PyValue = null;

  override getAttr(attr: string): PyValue | undefined {
    if (attr === 'queue') return this.queue;
    return super.getAttr(attr);
  }
}

export function makeBroadcast(
  name: PyValue,
  queue: PyValue,
  unique: PyValue,
  autoDelete: PyValue,
  exchange: PyValue,
  alias: PyValue,
  kwargs: Kwargs,
  uuid: () => string,
): KombuQueue {
  const queueName = truthy(unique) ? `${truthy(queue) ? queue : 'bcast'}.${uuid()}` : truthy(queue) ? queue : `bcast.${uuid()}`;
  const kw: Kwargs = new Map(kwargs);
  kw.set('alias', truthy(alias) ? alias : name);
  kw.set('auto_delete', autoDelete);
  const q = new KombuBroadcast();
  q.queue = queueName;
  makeQueue(queueName, exchange !== null ? exchange : makeExchange(name, 'fanout'), '', null, kw, q);
  q.broadcast = true;
  return q;
}

/** kombu's Queue.from_dict, for task_queues given as {name: {options}}. */
export function queueFromDict(name: string, options: PyDict): KombuQueue {
  const opt = (k: string): PyValue => options.get(k) ?? null;
  const pick = (a: string, b: string): PyValue => (opt(a) === null ? opt(b) : opt(a));
  const bindingKey = truthy(opt('binding_key')) ? opt('binding_key') : opt('routing_key');
  const xkw: Kwargs = new Map<string, PyValue>([
    ['delivery_mode', opt('delivery_mode')],
    ['durable', pick('exchange_durable', 'durable')],
    ['auto_delete', pick('exchange_auto_delete', 'auto_delete')],
    ['arguments', opt('exchange_arguments')],
  ]);
  const exchange = makeExchange(opt('exchange'), opt('exchange_type'), xkw);
  const qkw: Kwargs = new Map<string, PyValue>([
    ['durable', pick('queue_durable', 'durable')],
    ['exclusive', opt('exclusive')],
    ['auto_delete', pick('queue_auto_delete', 'auto_delete')],
    ['no_ack', opt('no_ack')],
    ['queue_arguments', opt('queue_arguments')],
    ['binding_arguments', opt('binding_arguments')],
    ['consumer_arguments', opt('consumer_arguments')],
  ]);
  return makeQueue(name, exchange, bindingKey, opt('bindings'), qkw);
}

// ---- the Python modules ------------------------------------------------------------------

export function kombuModules(uuid: () => string): Map<string, PyModule> {
  const Exchange = new PyBuiltin('Exchange', (args, kwargs) => {
    const { values, extra } = bindArguments('Exchange', [{ name: 'name', default: '' }, { name: 'type', default: '' }, { name: 'channel', default: null }], args, kwargs, { extraKwargs: true });
    return makeExchange(values.get('name')!, values.get('type')!, extra);
  });
  const Queue = new PyBuiltin('Queue', (args, kwargs) => {
    const { values, extra } = bindArguments(
      'Queue',
      [
        { name: 'name', default: '' },
        { name: 'exchange', default: null },
        { name: 'routing_key', default: '' },
        { name: 'channel', default: null },
        { name: 'bindings', default: null },
        { name: 'on_declared', default: null },
      ],
      args,
      kwargs,
      { extraKwargs: true },
    );
    return makeQueue(values.get('name')!, values.get('exchange')!, values.get('routing_key')!, values.get('bindings')!, extra);
  });
  const binding = new PyBuiltin('binding', (args, kwargs) => {
    const { values } = bindArguments(
      'binding',
      [
        { name: 'exchange', default: null },
        { name: 'routing_key', default: '' },
        { name: 'arguments', default: null },
        { name: 'unbind_arguments', default: null },
      ],
      args,
      kwargs,
    );
    return new KombuBinding(values.get('exchange')!, values.get('routing_key')!, values.get('arguments')!, values.get('unbind_arguments')!);
  });
  const Broadcast = new PyBuiltin('Broadcast', (args, kwargs) => {
    const { values, extra } = bindArguments(
      'Broadcast',
      [
        { name: 'name', default: null },
        { name: 'queue', default: null },
        { name: 'unique', default: false },
        { name: 'auto_delete', default: true },
        { name: 'exchange', default: null },
        { name: 'alias', default: null },
      ],
      args,
      kwargs,
      { extraKwargs: true },
    );
    const v = (k: string) => values.get(k)!;
    return makeBroadcast(v('name'), v('queue'), v('unique'), v('auto_delete'), v('exchange'), v('alias'), extra, uuid);
  });
  const kombu = new PyModule('kombu', new Map<string, PyValue>([['Exchange', Exchange], ['Queue', Queue], ['binding', binding]]));
  const common = new PyModule('kombu.common', new Map<string, PyValue>([['Broadcast', Broadcast]]));
  const entity = new PyModule('kombu.entity', new Map<string, PyValue>([['Exchange', Exchange], ['Queue', Queue], ['binding', binding]]));
  kombu.attrs.set('common', common);
  kombu.attrs.set('entity', entity);
  return new Map([
    ['kombu', kombu],
    ['kombu.common', common],
    ['kombu.entity', entity],
  ]);
}

// ---- JSON forms ------------------------------------------------------------------------------

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A plain-data value as JSON (dict keys as strings, tuples as arrays). */
export function toJson(v: PyValue, tick: () => void = walkBudget('writing it as JSON'), depth = 0): Json {
  tick();
  if (depth > MAX_VALUE_DEPTH) throw pyError('RecursionError', 'maximum recursion depth exceeded while writing JSON');
  if (v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string') return v;
  if (v instanceof PyFloat) return v.value;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.map((x) => toJson(x, tick, depth + 1));
  if (v instanceof PyDict) {
    const out: { [key: string]: Json } = {};
    for (const [k, x] of v.items()) out[typeof k === 'string' ? k : repr(k)] = toJson(x, tick, depth + 1);
    return out;
  }
  if (v instanceof KombuQueue) return queueJson(v);
  if (v instanceof KombuExchange) return exchangeJson(v);
  return repr(v);
}

export function exchangeJson(e: KombuExchange | null): Json {
  if (!e) return null;
  return { name: e.name, type: e.type, durable: e.durable, auto_delete: e.autoDelete, delivery_mode: toJson(e.deliveryMode), arguments: toJson(e.arguments) };
}

export function queueJson(q: KombuQueue): Json {
  const bindings = q.bindings
    .map((b) => ({
      exchange: b.exchange instanceof KombuExchange ? exchangeJson(b.exchange) : toJson(b.exchange),
      routing_key: toJson(b.routingKey),
      arguments: toJson(b.arguments),
    }))
    .sort((a, b) => {
      const name = (x: { exchange: Json }) => (x.exchange && typeof x.exchange === 'object' && !Array.isArray(x.exchange) ? String(x.exchange.name) : '');
      return name(a).localeCompare(name(b)) || String(a.routing_key ?? '').localeCompare(String(b.routing_key ?? ''));
    });
  return {
    name: q.name,
    alias: toJson(q.alias),
    exchange: exchangeJson(q.exchange),
    routing_key: q.routingKey,
    queue_arguments: toJson(q.queueArguments),
    binding_arguments: toJson(q.bindingArguments),
    durable: q.durable,
    exclusive: q.exclusive,
    auto_delete: q.autoDelete,
    max_priority: toJson(q.maxPriority),
    expires: toJson(q.expires),
    message_ttl: toJson(q.messageTtl),
    max_length: toJson(q.maxLength),
    max_length_bytes: toJson(q.maxLengthBytes),
    bindings,
    broadcast: q.broadcast,
  };
}
