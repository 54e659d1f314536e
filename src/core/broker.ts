/**
 * The broker: the only thing that changes broker state. It holds the
 * exchanges, queues and connections of one virtual host ('/'), routes and
 * delivers messages, and tells the event stream everything that happens.
 * Clients talk to it through Connection and Channel (channel.ts).
 */
import { VirtualClock, type Timer } from './clock.ts';
import { BrokerBinding } from './binding.ts';
import type { BindingList } from './binding-list.ts';
import { ChannelLedger, type Delivery } from './channel-ledger.ts';
import { startChannelActor } from './channel-machine.ts';
import { deadLetterMessage, isDeadLetterCycle } from './dead-letter.ts';
import { AmqpError } from './errors.ts';
import { EventStream, type BindingRef, type BrokerEvent, type DeadLetterReason, type DropReason, type RouteHop } from './events.ts';
import { Exchange } from './exchange.ts';
import { EXCHANGE_TYPES, type Binding } from './exchanges/index.ts';
import type { FieldTable } from './fields.ts';
import { tableKey } from './fields.ts';
import type { Message } from './message.ts';
import type { QueuedMessage } from './message.ts';
import { Queue, type Consumer, type QueueHost } from './queue.ts';
import { SeededRandom } from './random.ts';
import { Channel, CONSUMER_TIMEOUT, Connection, type ConnectionOptions } from './channel.ts';
import { restoreSnapshot, takeSnapshot, type BrokerSnapshot } from './snapshot.ts';

export interface BrokerOptions {
  /** Seed of the generator of server-made names. */
  seed?: number;
  /** Virtual start time, ms since the epoch. */
  startTime?: number;
  /** Users that may connect, with passwords (default guest/guest). */
  users?: Record<string, string>;
  /**
   * Deliveries and acks go straight to each channel's ledger (true, the
   * default) or through its xstate actor (false); both behave the same.
   */
  channelFastPath?: boolean;
}

export const DEFAULT_START_TIME = Date.UTC(2026, 0, 1);

/** What a route that reaches no queue returns (route() hands it out read-only; nothing adds to it). */
const NO_QUEUES: Queue[] = [];

/** The pre-declared exchanges of every virtual host. */
const PREDECLARED: Array<[string, string, boolean]> = [
  ['', 'direct', false],
  ['amq.direct', 'direct', false],
  ['amq.fanout', 'fanout', false],
  ['amq.headers', 'headers', false],
  ['amq.match', 'headers', false],
  ['amq.topic', 'topic', false],
  ['amq.rabbitmq.trace', 'topic', true],
];

export class Broker implements QueueHost {
  readonly clock: VirtualClock;
  readonly random: SeededRandom;
  readonly events: EventStream;
  readonly exchanges = new Map<string, Exchange>();
  readonly queues = new Map<string, Queue>();
  readonly connections = new Map<string, Connection>();
  readonly users: Record<string, string>;
  /** Channels with a direct reply-to consumer, by their reply suffix. */
  readonly replyTargets = new Map<string, Channel>();
  channelFastPath: boolean;
  /** Ids of messages, in publish order. */
  messageCounter = 0;
  private connectionCounter = 0;
  private routeCounter = 0;

  constructor(options: BrokerOptions = {}) {
    this.clock = new VirtualClock(options.startTime ?? DEFAULT_START_TIME);
    this.random = new SeededRandom(options.seed ?? 1);
    this.events = new EventStream(() => this.clock.now);
    this.users = options.users ?? { guest: 'guest' };
    this.channelFastPath = options.channelFastPath ?? true;
    this.declarePredefined();
  }

  // ---- clients -------------------------------------------------------------

  /** Opens a connection (AMQP connection.open). Channel 1 is not opened for you. */
  connect(options: ConnectionOptions = {}): Connection {
    const user = options.username ?? 'guest';
    const password = options.password ?? this.users[user];
    if (this.users[user] === undefined || this.users[user] !== password) {
      throw new AmqpError(403, 'Login was refused using authentication mechanism PLAIN. For details see the broker logfile.', 'connection.open');
    }
    let name = options.name;
    if (!name) {
      do name = connectionName(this.connectionCounter++);
      while (this.connections.has(name));
    }
    if (this.connections.has(name)) throw new Error(`a connection named '${name}' is already open`);
    const conn = new Connection(this, name, user);
    this.connections.set(name, conn);
    this.emit({ type: 'connection.opened', connection: name, user });
    return conn;
  }

  /**
   * Advances the virtual clock, firing TTLs, expiries and timers on the way.
   * With `shouldYield` (the caller's budget, asked between timers: the
   * engine never reads a wall clock) it may stop early at a timer's time and
   * return false; advancing again goes on exactly where it stopped.
   */
  advance(ms: number, shouldYield?: () => boolean): boolean {
    const from = this.clock.now;
    const done = this.clock.advance(ms, shouldYield);
    this.emit({ type: 'clock.advanced', from, to: this.clock.now });
    return done;
  }

  get now(): number {
    return this.clock.now;
  }

  subscribe(listener: Parameters<EventStream['subscribe']>[0]): () => void {
    return this.events.subscribe(listener);
  }

  snapshot(): BrokerSnapshot {
    return takeSnapshot(this);
  }

  static restore(snapshot: BrokerSnapshot, options: Omit<BrokerOptions, 'seed' | 'startTime'> = {}): Broker {
    const broker = new Broker({ ...options, startTime: snapshot.time, seed: snapshot.randomState });
    restoreSnapshot(broker, snapshot);
    return broker;
  }

  /**
   * A broker restart: every connection is closed, durable exchanges, queues
   * and bindings survive, and so do persistent messages in durable queues
   * (unacked ones come back marked redelivered). Everything else is gone.
   */
  restart(): void {
    for (const conn of [...this.connections.values()]) {
      conn.forceClose(new AmqpError(320, 'broker forced connection closure with reason \'shutdown\'', 'none'));
    }
    const keep = (q: Queue) => q.durable && !q.owner;
    for (const q of [...this.queues.values()]) {
      if (!keep(q)) {
        this.deleteQueue(q, 'restart', false);
        continue;
      }
      for (const entry of q.clear()) {
        if (entry.message.persistent) q.ready.push(entry);
        else this.dropped(q, entry, 'queue-deleted');
      }
    }
    for (const x of [...this.exchanges.values()]) {
      if (!x.durable) this.deleteExchange(x, 'deleted');
    }
    for (const x of this.exchanges.values()) {
      for (const b of [...x.bindings.values()]) {
        const dest = b.destination as Queue | Exchange;
        if (!dest.durable) this.removeBinding(b);
      }
    }
    this.emit({ type: 'broker.restarted' });
  }

  // ---- QueueHost -----------------------------------------------------------

  setTimer(at: number, fire: () => void): Timer {
    return this.clock.setTimer(at, fire);
  }

  cancelTimer(timer: Timer | null): void {
    this.clock.cancel(timer);
  }

  canReceive(c: Consumer): boolean {
    const ch = c.channel as Channel;
    if (!ch.isOpen || !ch.flowActive) return false;
    if (c.noAck) return true;
    if (c.prefetch > 0 && c.unacked >= c.prefetch) return false;
    return !ch.ledger.globalBlocked;
  }

  deliver(c: Consumer, queue: Queue, entry: QueuedMessage): void {
    const ch = c.channel as Channel;
    const tag = this.record(ch, entry, queue, c, c.noAck);
    if (!c.noAck) queue.unackedCount++;
    if (this.events.active) {
      this.emit({
        type: 'message.delivered',
        messageId: entry.message.id,
        queue: queue.name,
        at: ch.ref,
        consumerTag: c.tag,
        deliveryTag: tag,
        redelivered: entry.redelivered,
        noAck: c.noAck,
      });
      if (c.noAck) this.emit({ type: 'message.acked', messageId: entry.message.id, queue: queue.name, at: ch.ref, deliveryTag: tag, auto: true });
    }
    ch.client?.deliver?.({
      consumerTag: c.tag,
      deliveryTag: tag,
      redelivered: entry.redelivered,
      exchange: entry.message.exchange,
      routingKey: entry.message.routingKey,
      message: entry.message,
    });
  }

  /** Records a delivery on a channel: straight into its ledger, or through its actor. */
  record(ch: Channel, entry: QueuedMessage, queue: Queue, consumer: Consumer | null, noAck: boolean): number {
    if (!noAck && ch.ackTimer === null) ch.armAckTimeout(this.clock.now + CONSUMER_TIMEOUT);
    if (this.channelFastPath) return ch.ledger.record(entry, queue, consumer, noAck, this.clock.now);
    ch.actor.send({ type: 'deliver', entry, queue, consumer, noAck, now: this.clock.now });
    return ch.ledger.nextTag - 1;
  }

  enqueued(queue: Queue, messageId: number): void {
    if (this.events.active) this.emit({ type: 'message.enqueued', messageId, queue: queue.name, ready: queue.ready.length });
  }

  dropped(queue: Queue | null, entry: QueuedMessage | Message, reason: DropReason): void {
    if (!this.events.active) return;
    const id = 'message' in entry ? entry.message.id : entry.id;
    this.emit({ type: 'message.dropped', messageId: id, queue: queue ? queue.name : null, reason });
  }

  expire(queue: Queue): void {
    this.deleteQueue(queue, 'expired');
  }

  /**
   * Dead-letters a message. While a publish is still reaching its queues,
   * dead letters wait until it has reached them all: in RabbitMQ each queue
   * is its own process, and the original gets to every queue first.
   */
  deadLetter(queue: Queue, entry: QueuedMessage, reason: DeadLetterReason): void {
    if (this.delivering > 0) {
      this.pendingDeadLetters.push([queue, entry, reason]);
      return;
    }
    this.deadLetterNow(queue, entry, reason);
  }

  /** Runs `fn` (delivering one message to its queues), then the dead letters it caused. */
  deliverAll(fn: () => void): void {
    this.delivering++;
    try {
      fn();
    } finally {
      this.delivering--;
    }
    if (this.delivering > 0) return;
    while (this.pendingDeadLetters.length) {
      const [q, e, r] = this.pendingDeadLetters.shift()!;
      this.deliverAll(() => this.deadLetterNow(q, e, r));
    }
  }

  private delivering = 0;
  private pendingDeadLetters: Array<[Queue, QueuedMessage, DeadLetterReason]> = [];

  private deadLetterNow(queue: Queue, entry: QueuedMessage, reason: DeadLetterReason): void {
    const message = entry.message;
    if (reason === 'expired' && this.events.active) this.emit({ type: 'message.expired', messageId: message.id, queue: queue.name });
    const dlxName = queue.deadLetterExchange;
    if (dlxName === undefined) {
      this.dropped(queue, entry, reason === 'maxlen' && queue.overflow !== 'drop-head' ? 'reject-publish' : reason);
      return;
    }
    const dlx = this.exchanges.get(dlxName);
    if (!dlx) {
      this.dropped(queue, entry, 'dlx-missing');
      return;
    }
    const dead = deadLetterMessage(++this.messageCounter, message, reason, queue.name, dlxName, queue.deadLetterRoutingKey, Math.floor(this.now / 1000));
    if (this.events.active) {
      this.emit({ type: 'message.dead-lettered', messageId: message.id, queue: queue.name, reason, exchange: dlxName, newMessageId: dead.id });
    }
    const hops: RouteHop[] | null = this.events.active ? [] : null;
    const targets = this.route(dlx, dead.routingKeys, dead.properties.headers, hops);
    const accepted: Queue[] = [];
    for (const q of targets) {
      if (isDeadLetterCycle(reason, dead, q.name)) this.dropped(q, dead, 'dead-letter-cycle');
      else accepted.push(q);
    }
    if (hops) this.emit({ type: 'message.routed', messageId: dead.id, exchange: dlxName, queues: accepted.map((q) => q.name), hops });
    if (!accepted.length) {
      this.dropped(null, dead, 'dead-letter-unroutable');
      return;
    }
    if (accepted.length === 1) accepted[0].accept(dead);
    else this.deliverAll(() => accepted.forEach((q) => q.accept(dead)));
  }

  // ---- routing ---------------------------------------------------------------

  /**
   * The queues a message reaches from `exchange`, each once, following
   * exchange-to-exchange bindings and alternate exchanges (RabbitMQ's
   * rabbit_exchange:route/2). Fills `hops` when given.
   */
  route(exchange: Exchange, routingKeys: readonly string[], headers: FieldTable | undefined, hops: RouteHop[] | null): readonly Queue[] {
    const stamp = ++this.routeCounter;
    const r = this.routing;
    r.stamp = stamp;
    r.queues = NO_QUEUES;
    r.next = null;
    exchange.routeStamp = stamp;
    let x: Exchange | undefined = exchange;
    let alternateOf: string | undefined;
    let w = 0;
    while (x) {
      r.produced = false;
      r.matched = hops ? [] : null;
      if (x.name === '') this.routeDefault(routingKeys);
      else for (let k = 0; k < routingKeys.length; k++) x.index.route(routingKeys[k], headers, r.visit);
      if (hops) {
        const hop: RouteHop = { exchange: x.name, matched: r.matched! };
        if (alternateOf !== undefined) hop.alternateOf = alternateOf;
        if (this.events.routeDetail) {
          const hit = new Set(hop.matched.map((m) => bindingIdentity(m)));
          hop.unmatched = [...x.bindings.values()].map((b) => b.ref).filter((ref) => !hit.has(bindingIdentity(ref)));
        }
        hops.push(hop);
      }
      alternateOf = undefined;
      if (!r.produced) {
        const aeName = x.alternateExchange;
        const ae = aeName === undefined ? undefined : this.exchanges.get(aeName);
        if (ae && ae.routeStamp !== stamp) {
          ae.routeStamp = stamp;
          (r.next ??= []).push(ae);
          r.alternates.set(ae, x.name);
        }
      }
      // Exchanges reached through e2e bindings or as alternates, breadth first.
      x = r.next && w < r.next.length ? r.next[w++] : undefined;
      if (x && r.alternates.has(x)) {
        alternateOf = r.alternates.get(x);
        r.alternates.delete(x);
      }
    }
    return r.queues;
  }

  /** The default exchange: the queue named by each routing key. */
  private routeDefault(routingKeys: readonly string[]): void {
    const r = this.routing;
    for (const key of routingKeys) {
      const q = this.queues.get(key);
      if (!q) continue;
      r.produced = true;
      r.matched?.push({ source: '', destination: { kind: 'queue', name: key }, routingKey: key, arguments: {} });
      if (q.routeStamp !== r.stamp) {
        q.routeStamp = r.stamp;
        this.reached(q);
      }
    }
  }

  /** A queue the route in progress reaches: the array of them is made at the first. */
  private reached(q: Queue): void {
    const r = this.routing;
    if (r.queues === NO_QUEUES) r.queues = [q];
    else r.queues.push(q);
  }

  /** Routing state of the publish in progress, so visiting a binding allocates nothing. */
  private routing: {
    stamp: number;
    /** NO_QUEUES until one is reached. */
    queues: Queue[];
    next: Exchange[] | null;
    produced: boolean;
    matched: BindingRef[] | null;
    alternates: Map<Exchange, string>;
    visit: (b: Binding) => void;
  } = {
    stamp: 0,
    queues: NO_QUEUES,
    next: null,
    produced: false,
    matched: null,
    alternates: new Map(),
    visit: (b: Binding) => {
      const r = this.routing;
      if (b.routeStamp === r.stamp) return;
      b.routeStamp = r.stamp;
      r.produced = true;
      r.matched?.push(b.ref);
      const d = b.destination;
      if (d.routeStamp === r.stamp) return;
      d.routeStamp = r.stamp;
      if (b.destinationKind === 'queue') this.reached(d as Queue);
      else (r.next ??= []).push(d as Exchange);
    },
  };

  // ---- topology ----------------------------------------------------------------

  createExchange(name: string, type: string, options: { durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable }): Exchange {
    const x = new Exchange(name, EXCHANGE_TYPES.get(type)!, options);
    this.exchanges.set(name, x);
    this.emit({ type: 'exchange.declared', exchange: name, exchangeType: type, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments });
    return x;
  }

  createQueue(name: string, options: { durable: boolean; autoDelete: boolean; owner: string | null; arguments: FieldTable }): Queue {
    const q = new Queue(name, options, this);
    this.queues.set(name, q);
    const event: BrokerEvent = { type: 'queue.declared', queue: name, durable: q.durable, exclusive: q.owner !== null, autoDelete: q.autoDelete, arguments: q.arguments };
    if (q.owner) event.owner = q.owner;
    this.emit(event);
    return q;
  }

  /** Adds a binding unless an identical one exists. */
  addBinding(source: Exchange, destination: Queue | Exchange, kind: 'queue' | 'exchange', routingKey: string, args: FieldTable): void {
    const argumentsKey = tableKey(args);
    if (this.bindingWith(source, destination, kind, routingKey, argumentsKey)) return;
    const b = new BrokerBinding<Queue | Exchange>(source.name, destination, kind, routingKey, args, argumentsKey);
    source.bindings.add(b);
    source.index.add(b);
    bindingsTo(b).add(b);
    if (this.events.active) this.events.emit({ type: 'binding.created', binding: b.ref });
  }

  findBinding(source: Exchange, destination: Queue | Exchange, kind: 'queue' | 'exchange', routingKey: string, args: FieldTable): BrokerBinding | undefined {
    return this.bindingWith(source, destination, kind, routingKey, tableKey(args));
  }

  /** The binding of `source` with this identity: through the source's index, or among the destination's bindings. */
  private bindingWith(source: Exchange, destination: Queue | Exchange, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): BrokerBinding | undefined {
    if (source.index.find) return source.index.find(destination, kind, routingKey, argumentsKey) as BrokerBinding | undefined;
    const incoming = kind === 'queue' ? (destination as Queue).bindings : (destination as Exchange).incoming;
    for (const b of incoming) if (b.source === source.name && b.is(destination, kind, routingKey, argumentsKey)) return b;
    return undefined;
  }

  removeBinding(b: BrokerBinding): void {
    const source = this.exchanges.get(b.source);
    if (!source || !b.live) return;
    this.unlinkBinding(source, b);
    this.emit({ type: 'binding.deleted', binding: b.ref });
    if (source.autoDelete && source.bindings.size === 0) this.deleteExchange(source, 'auto-delete');
  }

  /** Takes a binding out of its source's index and lists and its destination's list. */
  private unlinkBinding(source: Exchange, b: BrokerBinding): void {
    b.live = false;
    source.bindings.delete(b);
    source.index.remove(b);
    bindingsTo(b).delete(b);
  }

  deleteExchange(x: Exchange, reason: 'deleted' | 'auto-delete'): void {
    if (this.exchanges.get(x.name) !== x) return;
    this.exchanges.delete(x.name);
    for (const b of [...x.bindings.values()]) {
      this.unlinkBinding(x, b);
      this.emit({ type: 'binding.deleted', binding: b.ref });
    }
    this.emit({ type: 'exchange.deleted', exchange: x.name, reason });
    for (const b of [...x.incoming]) this.removeBinding(b);
  }

  /**
   * Deletes a queue: its consumers are cancelled (and told so), its ready
   * messages are gone, its bindings removed. Returns the ready count.
   */
  deleteQueue(q: Queue, reason: 'deleted' | 'auto-delete' | 'expired' | 'exclusive-owner-closed' | 'restart', notify = true): number {
    if (this.queues.get(q.name) !== q) return 0;
    const count = q.messageCount;
    q.dispose();
    this.queues.delete(q.name);
    // Each channel hears of its consumers in tag order (RabbitMQ folds over a
    // gb_set of the channel's tags for the queue).
    const byTag = (a: Consumer, b: Consumer) => {
      const ca = a.channel as Channel;
      const cb = b.channel as Channel;
      return ca.connectionName.localeCompare(cb.connectionName) || ca.number - cb.number || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0);
    };
    for (const c of [...q.consumers].sort(byTag)) {
      q.removeConsumer(c);
      const ch = c.channel as Channel;
      ch.consumers.delete(c.tag);
      this.emit({ type: 'consumer.cancelled', queue: q.name, consumerTag: c.tag, at: ch.ref, by: 'broker' });
      if (notify && ch.isOpen) ch.client?.cancelled?.(c.tag);
    }
    for (const entry of q.clear()) this.dropped(q, entry, 'queue-deleted');
    for (const b of [...q.bindings]) this.removeBinding(b);
    this.emit({ type: 'queue.deleted', queue: q.name, reason });
    return count;
  }

  // ---- settling ------------------------------------------------------------------

  /**
   * Applies the outcome of ack / nack / reject / close to deliveries taken
   * from a channel's ledger, then lets unblocked consumers receive.
   */
  settle(ch: Channel, deliveries: Delivery[], outcome: 'ack' | 'requeue' | 'discard', why: 'nack' | 'reject' | 'channel-closed' | 'recover' | 'ack', method: 'basic.nack' | 'basic.reject' = 'basic.nack'): void {
    if (outcome === 'ack' && deliveries.length === 1 && ch.ledger.globalPrefetch === 0) {
      // The common case, without collections.
      const d = deliveries[0];
      const q = d.queue as Queue;
      q.unackedCount--;
      if (this.events.active) this.emit({ type: 'message.acked', messageId: d.entry.message.id, queue: q.name, at: ch.ref, deliveryTag: d.tag, auto: false });
      if (!q.deleted) q.run();
      return;
    }
    const touched = new Set<Queue>();
    const requeues = new Map<Queue, QueuedMessage[]>();
    for (const d of deliveries) {
      const q = d.queue as Queue;
      q.unackedCount--;
      const id = d.entry.message.id;
      if (this.events.active) {
        if (why === 'ack') this.emit({ type: 'message.acked', messageId: id, queue: q.name, at: ch.ref, deliveryTag: d.tag, auto: false });
        else if (why === 'nack' || why === 'reject') {
          this.emit({ type: 'message.nacked', messageId: id, queue: q.name, at: ch.ref, deliveryTag: d.tag, requeue: outcome === 'requeue', method });
        }
      }
      if (outcome === 'ack') {
        touched.add(q);
        continue;
      }
      if (q.deleted) {
        this.dropped(q, d.entry, 'queue-deleted');
        continue;
      }
      if (outcome === 'discard') {
        this.deadLetter(q, d.entry, 'rejected');
        touched.add(q);
        continue;
      }
      if (this.events.active) this.emit({ type: 'message.requeued', messageId: id, queue: q.name, reason: why === 'ack' ? 'nack' : why });
      let list = requeues.get(q);
      if (!list) requeues.set(q, (list = []));
      list.push(d.entry);
    }
    for (const [q, entries] of requeues) {
      q.requeue(entries);
      touched.add(q);
    }
    if (ch.ledger.globalPrefetch > 0) for (const c of ch.consumers.values()) touched.add(c.queue);
    for (const q of touched) if (!q.deleted) q.run();
  }

  /** @internal */
  emit(event: BrokerEvent): void {
    if (this.events.active) this.events.emit(event);
  }

  /** @internal: a fresh ledger and actor for a channel. */
  newChannelState(): { ledger: ChannelLedger; actor: ReturnType<typeof startChannelActor> } {
    const ledger = new ChannelLedger();
    return { ledger, actor: startChannelActor(ledger) };
  }

  private declarePredefined(): void {
    for (const [name, type, internal] of PREDECLARED) {
      const x = new Exchange(name, EXCHANGE_TYPES.get(type)!, { durable: true, autoDelete: false, internal, arguments: {} });
      this.exchanges.set(name, x);
    }
  }
}

/** The list of bindings pointing at a binding's destination. */
function bindingsTo(b: BrokerBinding): BindingList {
  return b.destinationKind === 'queue' ? (b.destination as Queue).bindings : (b.destination as Exchange).incoming;
}

function bindingIdentity(r: BindingRef): string {
  return `${r.destination.kind}\u0000${r.destination.name}\u0000${r.routingKey}\u0000${tableKey(r.arguments)}`;
}

/** a, b, …, z, aa, ab, … */
function connectionName(n: number): string {
  let s = '';
  n++;
  while (n > 0) {
    n--;
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  }
  return s;
}

export { Channel, Connection };
