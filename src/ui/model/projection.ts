/**
 * The animation as a projection of the engine's event stream. Fed every
 * event, it keeps the world as the viewer should see it (nodes, edges,
 * queue stacks, consumers' unacked tags) and schedules each message's hops
 * as flights on the virtual clock: a hop starts when its event happened or
 * when the message's previous hop ends, whichever is later. State changes
 * a flight brings (a message joining a queue's stack) apply when it lands.
 *
 * Plain TypeScript, no Svelte: views read it, and the canvas layer reads
 * `flights` every frame.
 */
import type { BindingRef, ChannelRef, StampedEvent } from '../../core/events.ts';
import type { FieldTable } from '../../core/fields.ts';
import type { Message } from '../../core/message.ts';
import { EffectQueue } from './effect-queue.ts';

export type NodeKind = 'client' | 'exchange' | 'queue' | 'consumer';

export interface ViewExchange {
  id: string;
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface ViewQueue {
  id: string;
  name: string;
  durable: boolean;
  exclusive: boolean;
  autoDelete: boolean;
  arguments: FieldTable;
  /** Ready messages in delivery order (message ids). */
  ready: number[];
  unacked: number;
}

export interface ViewConsumer {
  id: string;
  tag: string;
  queue: string;
  at: ChannelRef;
  noAck: boolean;
  prefetch: number;
}

/** A connection's channel that publishes or gets: where messages start and end. */
export interface ViewClient {
  id: string;
  at: ChannelRef;
  state: 'open' | 'closing' | 'closed';
  published: number;
  /** Delivery tags not yet settled on this channel (consumers' and gets'). */
  unackedTags: number[];
}

export interface ViewEdge {
  id: string;
  from: string;
  to: string;
  kind: 'binding' | 'e2e' | 'consume';
  label: string;
  binding?: BindingRef;
}

export type FlightStyle = 'publish' | 'route' | 'deliver' | 'requeue' | 'return' | 'dead-letter' | 'ack' | 'drop' | 'expire';

/**
 * A message moving (or fading) from one node to another between t0 and t1:
 * one message's hop, or a stack's that fly together (then its newest message).
 */
export interface Flight {
  messageId: number;
  from: string;
  to: string;
  t0: number;
  t1: number;
  style: FlightStyle;
  redelivered: boolean;
}

/** A message the projection has seen (its routes and history are read from the events when shown: message-story.ts). */
export interface MessageRecord {
  message: Message;
  /** Dead-lettered copies continue under a new id. */
  parent?: number;
}

export const exchangeId = (name: string) => `x:${name}`;
export const queueId = (name: string) => `q:${name}`;
export const clientId = (at: ChannelRef) => `c:${at.connection}:${at.channel}`;
export const consumerId = (at: ChannelRef, tag: string) => `k:${at.connection}:${at.channel}:${tag}`;

/** How many of the latest flights a new one looks through for its twin (a message's hops in one burst are fewer). */
const SAME_FLIGHT_LOOKBACK = 8;

export class Projection {
  /** Hop duration in virtual ms at speed 1. */
  hop = 600;
  readonly exchanges = new Map<string, ViewExchange>();
  readonly queues = new Map<string, ViewQueue>();
  readonly consumers = new Map<string, ViewConsumer>();
  readonly clients = new Map<string, ViewClient>();
  readonly edges = new Map<string, ViewEdge>();
  readonly messages = new Map<number, MessageRecord>();
  /** Messages in flight, read by the canvas every frame. */
  flights: Flight[] = [];
  /** Ready messages that were delivered before (drawn marked). */
  readonly redelivered = new Set<number>();
  /** Bumped whenever nodes, edges or counts change (views re-read then). */
  version = 0;
  /** The time each message becomes free to take its next hop from a node. */
  private readyAt = new ReadyTimes();
  private effects = new EffectQueue();
  private now = 0;

  /** Takes one engine event. */
  apply(e: StampedEvent): void {
    this.now = Math.max(this.now, e.time);
    switch (e.type) {
      case 'exchange.declared':
        if (e.exchange === '') break;
        this.exchanges.set(e.exchange, {
          id: exchangeId(e.exchange),
          name: e.exchange,
          type: e.exchangeType,
          durable: e.durable,
          autoDelete: e.autoDelete,
          internal: e.internal,
          arguments: e.arguments,
        });
        this.changed();
        break;
      case 'exchange.deleted':
        this.exchanges.delete(e.exchange);
        this.changed();
        break;
      case 'queue.declared':
        this.queues.set(e.queue, {
          id: queueId(e.queue),
          name: e.queue,
          durable: e.durable,
          exclusive: e.exclusive,
          autoDelete: e.autoDelete,
          arguments: e.arguments,
          ready: [],
          unacked: 0,
        });
        this.changed();
        break;
      case 'queue.deleted':
        this.queues.delete(e.queue);
        this.changed();
        break;
      case 'queue.purged': {
        const q = this.queues.get(e.queue);
        if (q) this.later(e.time, () => (q.ready = []));
        break;
      }
      case 'binding.created': {
        const b = e.binding;
        const id = edgeId(b);
        const to = b.destination.kind === 'queue' ? queueId(b.destination.name) : exchangeId(b.destination.name);
        this.edges.set(id, { id, from: exchangeId(b.source), to, kind: b.destination.kind === 'queue' ? 'binding' : 'e2e', label: bindingLabel(b), binding: b });
        this.changed();
        break;
      }
      case 'binding.deleted':
        this.edges.delete(edgeId(e.binding));
        this.changed();
        break;
      case 'channel.state': {
        const c = this.client(e);
        c.state = e.state;
        if (e.state === 'closed') this.afterFlights(c.id, e.time, () => this.clients.delete(c.id));
        this.changed();
        break;
      }
      case 'consumer.added': {
        const id = consumerId(e.at, e.consumerTag);
        this.client(e.at);
        this.consumers.set(id, { id, tag: e.consumerTag, queue: e.queue, at: e.at, noAck: e.noAck, prefetch: e.prefetch });
        this.edges.set(`consume:${id}`, { id: `consume:${id}`, from: queueId(e.queue), to: id, kind: 'consume', label: e.consumerTag });
        this.changed();
        break;
      }
      case 'consumer.cancelled': {
        const id = consumerId(e.at, e.consumerTag);
        // Messages may still be flying from it (requeued on close): it leaves after them.
        this.afterFlights(id, e.time, () => {
          this.consumers.delete(id);
          this.edges.delete(`consume:${id}`);
        });
        break;
      }
      case 'message.published': {
        const from = clientId(e.at);
        this.client(e.at).published++;
        this.messages.set(e.message.id, { message: e.message });
        const exchange = e.message.exchange === '' ? from : exchangeId(e.message.exchange);
        // The default exchange is drawn as a direct line from the publisher.
        if (e.message.exchange !== '') this.fly(e.message.id, from, exchange, 'publish', false, e.time);
        else {
          this.readyAt.set(e.message.id, from, e.time);
          this.last.set(e.message.id, this.readyAt.node(from));
        }
        this.changed();
        break;
      }
      case 'message.routed':
        this.routed(e);
        break;
      case 'message.enqueued': {
        const q = this.queues.get(e.queue);
        if (!q) break;
        const at = this.readyAt.get(e.messageId, queueId(e.queue)) ?? e.time;
        this.later(at, () => q.ready.push(e.messageId));
        break;
      }
      case 'message.delivered': {
        const qid = queueId(e.queue);
        const to = e.consumerTag === null ? clientId(e.at) : consumerId(e.at, e.consumerTag);
        const start = this.fly(e.messageId, qid, to, 'deliver', e.redelivered, e.time);
        const q = this.queues.get(e.queue);
        const c = this.client(e.at);
        this.later(start, () => {
          if (q) {
            takeFrom(q.ready, e.messageId);
            if (!e.noAck) q.unacked++;
          }
          if (!e.noAck) c.unackedTags.push(e.deliveryTag);
        });
        if (e.noAck) this.fade(e.messageId, to, 'ack', e.time);
        break;
      }
      case 'message.acked': {
        if (e.auto) break;
        this.settled(e.messageId, e.queue, e.at, e.deliveryTag, e.time);
        this.fade(e.messageId, this.lastNode(e.messageId) ?? clientId(e.at), 'ack', e.time);
        break;
      }
      case 'message.nacked': {
        this.settled(e.messageId, e.queue, e.at, e.deliveryTag, e.time);
        break;
      }
      case 'message.requeued': {
        const from = this.lastNode(e.messageId);
        const qid = queueId(e.queue);
        if (e.reason === 'channel-closed' || e.reason === 'recover') {
          const q = this.queues.get(e.queue);
          if (q) q.unacked = Math.max(0, q.unacked - 1);
        }
        const land = from ? this.fly(e.messageId, from, qid, 'requeue', true, e.time) + this.hop : e.time;
        const q = this.queues.get(e.queue);
        this.redelivered.add(e.messageId);
        if (q) this.later(land, () => q.ready.unshift(e.messageId));
        break;
      }
      case 'message.returned':
        this.fly(e.messageId, exchangeId(this.messages.get(e.messageId)?.message.exchange ?? ''), clientId(e.at), 'return', false, e.time);
        break;
      case 'message.dead-lettered': {
        const qid = queueId(e.queue);
        this.removeFromQueue(e.messageId, e.queue, e.time);
        const start = this.fly(e.messageId, this.lastNode(e.messageId) ?? qid, exchangeId(e.exchange), 'dead-letter', false, e.time);
        this.readyAt.set(e.newMessageId, exchangeId(e.exchange), start + this.hop);
        const parent = this.messages.get(e.messageId);
        if (parent) this.messages.set(e.newMessageId, { message: parent.message, parent: e.messageId });
        break;
      }
      case 'message.expired':
        this.removeFromQueue(e.messageId, e.queue, e.time);
        this.fade(e.messageId, queueId(e.queue), 'expire', e.time);
        break;
      case 'message.dropped': {
        if (e.queue) this.removeFromQueue(e.messageId, e.queue, e.time);
        const at = e.queue ? queueId(e.queue) : this.lastNode(e.messageId);
        if (at) this.fade(e.messageId, at, 'drop', e.time);
        break;
      }
      default:
        break;
    }
  }

  /** Applies every scheduled change due by `now` and forgets finished flights. */
  advanceTo(now: number): void {
    this.now = Math.max(this.now, now);
    if (this.effects.runDue(now)) this.changed();
    if (this.flights.length && this.flights[0].t1 <= now) {
      // Kept in place (the canvas holds the array): no copy of tens of thousands of flights per frame.
      const flights = this.flights;
      let kept = 0;
      for (let i = 0; i < flights.length; i++) if (flights[i].t1 > now) flights[kept++] = flights[i];
      flights.length = kept;
    }
  }

  /** The time of the next thing that will change on screen, or null. */
  nextChangeAfter(now: number): number | null {
    let next = this.effects.nextAfter(now);
    for (const f of this.flights) {
      if (f.t0 > now && f.t0 < next) next = f.t0;
      if (f.t1 > now && f.t1 < next) next = f.t1;
    }
    return next === Infinity ? null : next;
  }

  private routed(e: Extract<StampedEvent, { type: 'message.routed' }>): void {
    for (const hop of e.hops) {
      const from = hop.exchange === '' ? this.lastNode(e.messageId) ?? exchangeId('') : exchangeId(hop.exchange);
      if (hop.alternateOf !== undefined) this.fly(e.messageId, exchangeId(hop.alternateOf), from, 'route', false, e.time);
      for (const b of hop.matched) {
        const to = b.destination.kind === 'queue' ? queueId(b.destination.name) : exchangeId(b.destination.name);
        if (b.destination.kind === 'queue' && !e.queues.includes(b.destination.name)) continue;
        this.fly(e.messageId, from, to, 'route', false, e.time);
      }
    }
  }

  /** Schedules a hop; returns its start. The message is at `to` when it ends. */
  private fly(messageId: number, from: string, to: string, style: FlightStyle, redelivered: boolean, time: number): number {
    const start = Math.max(time, this.readyAt.get(messageId, from) ?? time);
    const end = start + this.hop;
    this.addFlight(messageId, from, to, start, end, style, redelivered);
    this.readyAt.set(messageId, to, end);
    this.last.set(messageId, this.readyAt.node(to));
    return start;
  }

  /** A message fading out where it is (acked, expired, dropped). */
  private fade(messageId: number, at: string, style: FlightStyle, time: number): void {
    const start = Math.max(time, this.readyAt.get(messageId, at) ?? time);
    this.addFlight(messageId, at, at, start, start + this.hop / 2, style, false);
  }

  /**
   * Adds a hop, or joins it to one of the last few that flies the very same
   * way at the very same times: a burst's messages published at one
   * instant fly as one stack, so they are one flight (showing the newest
   * message) that the canvas reads once per frame, not ten thousand.
   */
  private addFlight(messageId: number, from: string, to: string, t0: number, t1: number, style: FlightStyle, redelivered: boolean): void {
    const flights = this.flights;
    for (let i = flights.length - 1; i >= Math.max(0, flights.length - SAME_FLIGHT_LOOKBACK); i--) {
      const f = flights[i];
      if (f.t0 === t0 && f.t1 === t1 && f.from === from && f.to === to && f.style === style && f.redelivered === redelivered) {
        f.messageId = messageId;
        return;
      }
    }
    flights.push({ messageId, from, to, t0, t1, style, redelivered });
  }

  /** The node each message is at, or flying to. */
  private last = new Map<number, string>();

  /** Where a message is now (for a delivered one: its consumer or client). */
  private lastNode(messageId: number): string | undefined {
    return this.last.get(messageId);
  }

  private settled(messageId: number, queue: string, at: ChannelRef, tag: number, time: number): void {
    const q = this.queues.get(queue);
    const c = this.clients.get(clientId(at));
    const when = Math.max(time, this.readyAt.get(messageId, this.lastNode(messageId) ?? '') ?? time);
    this.later(when, () => {
      if (q) q.unacked = Math.max(0, q.unacked - 1);
      if (c) c.unackedTags = c.unackedTags.filter((t) => t !== tag);
    });
  }

  private removeFromQueue(messageId: number, queue: string, time: number): void {
    const q = this.queues.get(queue);
    if (!q) return;
    const when = Math.max(time, this.readyAt.get(messageId, q.id) ?? time);
    this.later(when, () => takeFrom(q.ready, messageId));
  }

  private client(at: ChannelRef): ViewClient {
    const id = clientId(at);
    let c = this.clients.get(id);
    if (!c) {
      c = { id, at: { connection: at.connection, channel: at.channel }, state: 'open', published: 0, unackedTags: [] };
      this.clients.set(id, c);
      this.changed();
    }
    return c;
  }

  /** Runs `apply` once every flight already scheduled from or to `node` has landed. */
  private afterFlights(node: string, time: number, apply: () => void): void {
    // A hop's grace: what the same event causes next (requeues on close) flies from it too.
    let end = time + this.hop;
    for (const f of this.flights) if ((f.from === node || f.to === node) && f.t1 > end) end = f.t1;
    this.later(end, apply);
  }

  private later(at: number, apply: () => void): void {
    if (at <= this.now) {
      apply();
      this.changed();
      return;
    }
    this.effects.add(at, apply);
  }

  private changed(): void {
    this.version++;
  }
}

/**
 * When each message is free to leave each node: one map of message ids per
 * node, so a lookup builds no key and an entry keeps no string of its own.
 */
class ReadyTimes {
  private byNode = new Map<string, { id: string; times: Map<number, number> }>();

  get(messageId: number, node: string): number | undefined {
    return this.byNode.get(node)?.times.get(messageId);
  }

  set(messageId: number, node: string, time: number): void {
    let entry = this.byNode.get(node);
    if (!entry) this.byNode.set(node, (entry = { id: node, times: new Map() }));
    entry.times.set(messageId, time);
  }

  /** The node's id as kept here (one string per node, however many messages pass it). */
  node(id: string): string {
    return this.byNode.get(id)?.id ?? id;
  }
}

/** Takes a message out of a queue's stack; most leave from the front, which costs no shift of the rest. */
function takeFrom(ready: number[], messageId: number): void {
  if (ready[0] === messageId) ready.shift();
  else {
    const i = ready.indexOf(messageId);
    if (i >= 0) ready.splice(i, 1);
  }
}

export function edgeId(b: BindingRef): string {
  return `b:${b.source}>${b.destination.kind}:${b.destination.name}:${b.routingKey}:${JSON.stringify(b.arguments)}`;
}

/** What a binding edge says: its key, pattern or header arguments. */
export function bindingLabel(b: BindingRef): string {
  const args = Object.entries(b.arguments).filter(([, v]) => v !== undefined);
  if (args.length) return args.map(([k, v]) => `${k}=${typeof v === 'object' && v !== null && '!' in v ? String(v.value) : String(v)}`).join(' ');
  return b.routingKey === '' ? "''" : b.routingKey;
}
