/**
 * Property tests of the engine: random sequences of client operations from
 * several connections and channels (declares with and without TTL, length
 * limits and dead-lettering, bindings, publishes with and without
 * mandatory, consumers with prefetch, gets, acks, nacks and rejects with
 * multiple and requeue, cancels, recover, confirm mode, channel and
 * connection closes, purges, deletes, the clock moving) must keep RabbitMQ's
 * bookkeeping straight:
 *
 * - every copy of a published (or dead-lettered) message is, per queue, in
 *   exactly one of ready, unacked, acked, dead-lettered or dropped (with a
 *   reason); a message no queue took is returned (mandatory) or dropped as
 *   unroutable. This is tracked from the event stream, transition by
 *   transition, and checked against the broker's real state (each queue's
 *   ready list and unacked count, every channel's ledger) after every op;
 * - a queue never holds a message twice, and hands messages out in order,
 *   requeued ones back in their original place, marked redelivered;
 * - delivery tags rise by one per channel, from 1;
 * - prefetch limits are never exceeded, and no queue sits on ready messages
 *   while one of its consumers could take them;
 * - messages expire only from the head and not before their time, and no
 *   expired message stays at a head; drop-head length limits hold;
 * - auto-delete queues go with their last consumer, exclusive ones with
 *   their connection, and nothing else deletes a queue;
 * - queue.declare(passive) reports the ready count and the consumer count;
 * - errors come where RabbitMQ gives them, and close the channel or the
 *   connection; publisher confirms and returns come once per publish.
 *
 * A second property runs each sequence with channelFastPath on and off and
 * requires identical event streams and snapshots. The last tests pin the
 * engine bugs the properties found, as minimal reproductions.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Broker, type Channel, type Connection } from '../../src/core/broker.ts';
import { AmqpError } from '../../src/core/errors.ts';
import type { ChannelRef, StampedEvent } from '../../src/core/events.ts';
import type { FieldTable } from '../../src/core/fields.ts';
import type { Queue } from '../../src/core/queue.ts';

// ---- operations ------------------------------------------------------------------

const QUEUES = ['q0', 'q1', 'q2', 'q3'] as const;
const EXCHANGES = ['', 'x', 'dlx', 'amq.fanout', 'nope'] as const;
const KEYS = ['q0', 'q1', 'q2', 'q3', 'a', 'b'] as const;

/** Queue arguments a declare may carry. 'x' is a direct exchange, 'dlx' a fanout, 'nope' never exists. */
const VARIANTS: FieldTable[] = [
  {},
  {},
  { 'x-message-ttl': 10 },
  { 'x-message-ttl': 0 },
  { 'x-max-length': 2 },
  { 'x-max-length': 1 },
  { 'x-max-length': 1, 'x-overflow': 'reject-publish' },
  { 'x-max-length': 1, 'x-overflow': 'reject-publish-dlx', 'x-dead-letter-exchange': 'dlx' },
  { 'x-dead-letter-exchange': 'dlx' },
  { 'x-message-ttl': 10, 'x-dead-letter-exchange': 'dlx' },
  { 'x-max-length': 2, 'x-dead-letter-exchange': 'x', 'x-dead-letter-routing-key': 'a' },
  { 'x-dead-letter-exchange': 'nope' },
  { 'x-message-ttl': 5, 'x-dead-letter-exchange': '' },
];

interface At {
  conn: number;
  chan: number;
}

/** Which delivery tag a settle names: an outstanding one, any tag the channel ever received (maybe settled already), 0, or one never issued. */
type TagPick = { kind: 'outstanding' | 'delivered'; index: number } | { kind: 'zero' } | { kind: 'unknown' };

type Op =
  | { op: 'declare'; at: At; queue: number; variant: number | 'same'; exclusive: boolean; autoDelete: boolean }
  | { op: 'check'; at: At; queue: number }
  | { op: 'bind'; at: At; queue: number; exchange: number; key: number }
  | { op: 'unbind'; at: At; queue: number; exchange: number; key: number }
  | { op: 'publish'; at: At; exchange: number; key: number; mandatory: boolean; expiration: string | null; cc: boolean }
  | { op: 'consume'; at: At; queue: number; noAck: boolean; exclusive: boolean; prefetch: number | null; global: boolean }
  | { op: 'get'; at: At; queue: number; noAck: boolean }
  | { op: 'settle'; at: At; method: 'ack' | 'nack' | 'reject'; tag: TagPick; multiple: boolean; requeue: boolean }
  | { op: 'cancel'; at: At; pick: number }
  | { op: 'recover'; at: At }
  | { op: 'confirm'; at: At }
  | { op: 'closeChannel'; at: At }
  | { op: 'closeConnection'; conn: number }
  | { op: 'advance'; ms: number }
  | { op: 'purge'; at: At; queue: number }
  | { op: 'delete'; at: At; queue: number; ifEmpty: boolean; ifUnused: boolean };

const at = fc.record({ conn: fc.nat({ max: 2 }), chan: fc.nat({ max: 1 }) });
const queue = fc.nat({ max: QUEUES.length - 1 });
const rarely = fc.constantFrom(false, false, false, true);
const seldom = fc.constantFrom(false, false, false, false, false, false, false, true);
/** Mostly exchanges a queue can be bound to; sometimes '' (403) or 'nope' (404). */
const bindExchange = fc.constantFrom(1, 1, 2, 2, 3, 3, 0, 4);

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('declare' as const),
      at,
      queue,
      // 'same': an equivalent redeclare (the queue's own arguments and flags), if it exists.
      variant: fc.oneof({ weight: 3, arbitrary: fc.constant('same' as const) }, { weight: 1, arbitrary: fc.nat({ max: VARIANTS.length - 1 }) }),
      exclusive: seldom,
      autoDelete: rarely,
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('check' as const), at, queue }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('bind' as const), at, queue, exchange: bindExchange, key: fc.nat({ max: KEYS.length - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('unbind' as const), at, queue, exchange: bindExchange, key: fc.nat({ max: KEYS.length - 1 }) }) },
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('publish' as const),
      at,
      exchange: fc.constantFrom(0, 0, 0, 0, 0, 1, 2, 3, 4),
      key: fc.constantFrom(0, 0, 1, 1, 2, 2, 3, 3, 4, 5),
      mandatory: fc.boolean(),
      expiration: fc.constantFrom(null, null, null, null, null, '0', '7', '30'),
      cc: rarely,
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('consume' as const),
      at,
      queue,
      noAck: rarely,
      exclusive: fc.constantFrom(false, false, false, false, true),
      prefetch: fc.constantFrom(null, 0, 1, 2, 3),
      global: rarely,
    }),
  },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('get' as const), at, queue, noAck: rarely }) },
  {
    weight: 10,
    arbitrary: fc.record({
      op: fc.constant('settle' as const),
      at,
      method: fc.constantFrom('ack' as const, 'nack' as const, 'reject' as const),
      tag: fc.oneof(
        { weight: 12, arbitrary: fc.record({ kind: fc.constant('outstanding' as const), index: fc.nat({ max: 30 }) }) },
        { weight: 2, arbitrary: fc.record({ kind: fc.constant('delivered' as const), index: fc.nat({ max: 30 }) }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'zero' as const }) },
        { weight: 1, arbitrary: fc.constant({ kind: 'unknown' as const }) },
      ),
      multiple: rarely,
      requeue: fc.boolean(),
    }),
  },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('cancel' as const), at, pick: fc.nat({ max: 5 }) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('recover' as const), at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('confirm' as const), at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('closeChannel' as const), at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('closeConnection' as const), conn: fc.nat({ max: 2 }) }) },
  // 31 minutes is past the consumer timeout (30 min): unacked deliveries close their channel.
  { weight: 3, arbitrary: fc.record({ op: fc.constant('advance' as const), ms: fc.constantFrom(1, 5, 10, 40, 1, 5, 10, 40, 1_860_000) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('purge' as const), at, queue }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('delete' as const), at, queue, ifEmpty: rarely, ifUnused: rarely }) },
);

/** How each queue is declared (and maybe bound) before the operations start, so that most operations find something to act on. */
interface Setup {
  variant: number;
  autoDelete: boolean;
  bind: number | null;
  key: number;
}

const setupArb: fc.Arbitrary<Setup[]> = fc.array(
  fc.record({ variant: fc.nat({ max: VARIANTS.length - 1 }), autoDelete: rarely, bind: fc.constantFrom(null, 1, 2, 3), key: fc.nat({ max: KEYS.length - 1 }) }),
  { minLength: QUEUES.length, maxLength: QUEUES.length },
);

const scenarioArb = fc.record({ setup: setupArb, ops: fc.array(opArb, { minLength: 1, maxLength: 60, size: 'max' }) });
type Scenario = { setup: Setup[]; ops: Op[] };

// ---- the tracker: every message copy's fate, from the event stream ----------------

class Violation extends Error {
  override name = 'Violation';
}

function fail(text: string): never {
  throw new Violation(text);
}

const refKey = (r: ChannelRef) => `${r.connection}/${r.channel}`;

type CopyState = 'routed' | 'ready' | 'unacked' | 'autoack' | 'acked' | 'dead-lettered' | 'dropped';

/** One copy of a message in one queue. */
interface Copy {
  id: number;
  queue: string;
  /** Which incarnation of the queue name it belongs to (queues can be deleted and declared again). */
  incarnation: number;
  state: CopyState;
  reason: string | null;
  /** While unacked: where, under which tag, for which consumer (null: basic.get). */
  at: string | null;
  tag: number;
  consumerTag: string | null;
  requeued: boolean;
  /** When it was enqueued: its place in line, kept across requeues. */
  order: number;
  /** When it expires (Infinity: never): fixed on arrival, min of the queue's TTL and the message's expiration. */
  expiresAt: number;
  /** An event that must be followed by the copy's next transition within the same operation. */
  pending: null | 'nack-requeue' | 'nack-discard' | 'expired';
}

interface Msg {
  id: number;
  /** Made by dead-lettering (never mandatory, never confirmed). */
  dead: boolean;
  mandatory: boolean;
  at: string | null;
  /** The queues it was routed to (null until message.routed). */
  routed: string[] | null;
  fate: 'returned' | 'unroutable' | null;
  /** A queue refused it (reject-publish overflow): its confirm is a nack. */
  rejected: boolean;
  /** Its expiration property, ms (dead-lettering removes it). */
  expiration: number | undefined;
}

/** What the events said about the current queue of each name. */
interface QueueInfo {
  ttl: number | undefined;
  maxLength: number | undefined;
  dropHead: boolean;
  autoDelete: boolean;
  owner: string | undefined;
  /** Its consumers (channel|tag), and whether it ever had one. */
  consumers: Set<string>;
  hadConsumers: boolean;
}

class Tracker {
  readonly copies = new Map<string, Copy>();
  readonly msgs = new Map<number, Msg>();
  readonly incarnation = new Map<string, number>();
  readonly queues = new Map<string, QueueInfo>();
  /** basic.qos per channel, from channel.qos events. */
  readonly globalPrefetch = new Map<string, number>();
  readonly consumerPrefetchSetting = new Map<string, number>();
  /** Prefetch of each consumer, keyed channel|tag. */
  readonly consumerPrefetch = new Map<string, number>();
  /** Delivery tags handed out so far, per open channel. */
  readonly lastTag = new Map<string, number>();
  /** The latest delivery per channel, by consumers and by basic.get, for matching what the client is handed. */
  readonly lastDelivery = new Map<string, { tag: number; id: number }>();
  readonly lastGet = new Map<string, { tag: number; id: number }>();
  lastPublished = 0;
  private enqueues = 0;
  /** What happened, for the coverage check. */
  readonly stats: Map<string, number>;

  constructor(stats: Map<string, number>) {
    this.stats = stats;
  }

  private count(what: string): void {
    this.stats.set(what, (this.stats.get(what) ?? 0) + 1);
  }

  private copy(id: number, queue: string): Copy {
    const c = this.copies.get(`${id}|${queue}`);
    if (!c) fail(`no copy of message ${id} in ${queue}`);
    return c;
  }

  private expect(c: Copy, states: CopyState[], pending: Copy['pending'][], what: string): void {
    if (!states.includes(c.state) || !pending.includes(c.pending)) {
      fail(`${what}: message ${c.id} in ${c.queue} is ${c.state}${c.pending ? ` (${c.pending})` : ''}, expected ${states.join('|')} ${pending.join('|')}`);
    }
  }

  private end(c: Copy, state: 'acked' | 'dead-lettered' | 'dropped', reason: string | null): void {
    c.state = state;
    c.reason = reason;
    c.pending = null;
    c.at = null;
  }

  /** The oldest ready copy in the current queue of a name. */
  head(queue: string): Copy | undefined {
    const incarnation = this.incarnation.get(queue);
    let head: Copy | undefined;
    for (const c of this.copies.values()) {
      if (c.queue === queue && c.incarnation === incarnation && c.state === 'ready' && (!head || c.order < head.order)) head = c;
    }
    return head;
  }

  /** Unacked copies on a channel (optionally for one consumer). */
  unackedOn(ref: string, consumerTag?: string): number {
    let n = 0;
    for (const c of this.copies.values()) if (c.state === 'unacked' && c.at === ref && (consumerTag === undefined || c.consumerTag === consumerTag)) n++;
    return n;
  }

  handle(e: StampedEvent): void {
    this.count(e.type);
    switch (e.type) {
      case 'queue.declared': {
        this.incarnation.set(e.queue, (this.incarnation.get(e.queue) ?? 0) + 1);
        const num = (v: unknown) => (typeof v === 'number' ? v : undefined);
        this.queues.set(e.queue, {
          ttl: num(e.arguments['x-message-ttl']),
          maxLength: num(e.arguments['x-max-length']),
          dropHead: (e.arguments['x-overflow'] ?? 'drop-head') === 'drop-head',
          autoDelete: e.autoDelete,
          owner: e.owner,
          consumers: new Set(),
          hadConsumers: false,
        });
        return;
      }
      case 'queue.deleted': {
        const info = this.queues.get(e.queue) ?? fail(`deleted unknown queue ${e.queue}`);
        if (info.consumers.size) fail(`${e.queue} deleted with consumers left`);
        if (e.reason === 'auto-delete' && !(info.autoDelete && info.hadConsumers)) fail(`${e.queue} auto-deleted, but autoDelete=${info.autoDelete}, hadConsumers=${info.hadConsumers}`);
        if (e.reason === 'exclusive-owner-closed' && !info.owner) fail(`${e.queue} deleted with its owner, but it is not exclusive`);
        this.count(`queue-deleted:${e.reason}`);
        this.queues.delete(e.queue);
        return;
      }
      case 'consumer.cancelled': {
        const info = this.queues.get(e.queue) ?? fail(`consumer cancelled on unknown queue ${e.queue}`);
        if (!info.consumers.delete(`${refKey(e.at)}|${e.consumerTag}`)) fail(`unknown consumer ${e.consumerTag} cancelled`);
        return;
      }
      case 'channel.state': {
        const ref = `${e.connection}/${e.channel}`;
        if (e.state === 'open') {
          this.globalPrefetch.set(ref, 0);
          this.consumerPrefetchSetting.set(ref, 0);
          this.lastTag.set(ref, 0);
        }
        if (e.state === 'closed') {
          if (this.unackedOn(ref) > 0) fail(`channel ${ref} closed with unacked deliveries not handed back`);
          this.lastTag.delete(ref);
        }
        return;
      }
      case 'channel.qos': {
        const ref = refKey(e.at);
        // RabbitMQ: a per-consumer qos also lifts the channel-wide limit.
        if (e.global) this.globalPrefetch.set(ref, e.prefetchCount);
        else {
          this.consumerPrefetchSetting.set(ref, e.prefetchCount);
          this.globalPrefetch.set(ref, 0);
        }
        return;
      }
      case 'consumer.added': {
        const ref = refKey(e.at);
        if (e.prefetch !== this.consumerPrefetchSetting.get(ref)) fail(`consumer ${e.consumerTag} got prefetch ${e.prefetch}, but basic.qos set ${this.consumerPrefetchSetting.get(ref)}`);
        this.consumerPrefetch.set(`${ref}|${e.consumerTag}`, e.prefetch);
        const info = this.queues.get(e.queue) ?? fail(`consumer added on unknown queue ${e.queue}`);
        info.consumers.add(`${ref}|${e.consumerTag}`);
        info.hadConsumers = true;
        return;
      }
      case 'message.published': {
        if (this.msgs.has(e.message.id)) fail(`message id ${e.message.id} published twice`);
        const expiration = e.message.properties.expiration;
        this.msgs.set(e.message.id, {
          id: e.message.id,
          dead: false,
          mandatory: e.mandatory,
          at: refKey(e.at),
          routed: null,
          fate: null,
          rejected: false,
          expiration: expiration === undefined ? undefined : Number(expiration),
        });
        this.lastPublished = e.message.id;
        return;
      }
      case 'message.routed': {
        const m = this.msgs.get(e.messageId) ?? fail(`routed unknown message ${e.messageId}`);
        if (m.routed) fail(`message ${e.messageId} routed twice`);
        if (new Set(e.queues).size !== e.queues.length) fail(`message ${e.messageId} routed twice to one queue: ${e.queues}`);
        m.routed = e.queues;
        for (const q of e.queues) {
          if (this.copies.has(`${m.id}|${q}`)) fail(`message ${m.id} reached ${q} twice`);
          const incarnation = this.incarnation.get(q) ?? fail(`routed to undeclared queue ${q}`);
          const ttls = [this.queues.get(q)!.ttl, m.expiration].filter((t): t is number => t !== undefined);
          const expiresAt = ttls.length ? e.time + Math.min(...ttls) : Infinity;
          this.copies.set(`${m.id}|${q}`, { id: m.id, queue: q, incarnation, state: 'routed', reason: null, at: null, tag: 0, consumerTag: null, requeued: false, order: 0, expiresAt, pending: null });
        }
        return;
      }
      case 'message.enqueued': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, ['routed'], [null], 'enqueued');
        c.state = 'ready';
        c.order = ++this.enqueues;
        return;
      }
      case 'message.delivered': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, ['routed', 'ready'], [null], 'delivered');
        if (c.state === 'ready') {
          // FIFO, with requeued messages back in their original place: the head is the oldest.
          for (const o of this.copies.values()) {
            if (o.queue === c.queue && o.incarnation === c.incarnation && o.state === 'ready' && o.order < c.order) {
              fail(`${c.queue} delivered message ${c.id} while message ${o.id}, enqueued earlier, was ready`);
            }
          }
        }
        // Handed straight to a consumer on arrival: its place in line is now.
        if (c.state === 'routed') c.order = ++this.enqueues;
        if (e.redelivered !== c.requeued) fail(`message ${c.id} from ${c.queue} delivered with redelivered=${e.redelivered}, but it was ${c.requeued ? '' : 'never '}requeued`);
        const ref = refKey(e.at);
        const last = this.lastTag.get(ref) ?? fail(`delivery on channel ${ref}, which is not open`);
        if (e.deliveryTag !== last + 1) fail(`channel ${ref} delivered tag ${e.deliveryTag} after ${last}`);
        this.lastTag.set(ref, e.deliveryTag);
        // A get's own get-ok comes after anything its side effects delivered (a dead letter, say).
        (e.consumerTag === null ? this.lastGet : this.lastDelivery).set(ref, { tag: e.deliveryTag, id: c.id });
        c.state = e.noAck ? 'autoack' : 'unacked';
        c.at = ref;
        c.tag = e.deliveryTag;
        c.consumerTag = e.consumerTag;
        if (e.consumerTag !== null && !e.noAck) {
          const limit = this.consumerPrefetch.get(`${ref}|${e.consumerTag}`) ?? 0;
          if (limit > 0 && this.unackedOn(ref, e.consumerTag) > limit) fail(`consumer ${e.consumerTag} holds more than its prefetch ${limit}`);
          const global = this.globalPrefetch.get(ref) ?? 0;
          if (global > 0 && this.unackedOn(ref) > global) fail(`channel ${ref} holds more than its global prefetch ${global} after a consumer delivery`);
        }
        this.count(e.consumerTag === null ? 'delivered:get' : c.requeued ? 'delivered:redelivery' : 'delivered:consumer');
        return;
      }
      case 'message.acked': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, [e.auto ? 'autoack' : 'unacked'], [null], e.auto ? 'auto-acked' : 'acked');
        if (c.at !== refKey(e.at) || c.tag !== e.deliveryTag) fail(`ack of message ${c.id} names ${refKey(e.at)} tag ${e.deliveryTag}, it was ${c.at} tag ${c.tag}`);
        this.end(c, 'acked', null);
        return;
      }
      case 'message.nacked': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, ['unacked'], [null], 'nacked');
        if (c.at !== refKey(e.at) || c.tag !== e.deliveryTag) fail(`nack of message ${c.id} names ${refKey(e.at)} tag ${e.deliveryTag}, it was ${c.at} tag ${c.tag}`);
        c.pending = e.requeue ? 'nack-requeue' : 'nack-discard';
        return;
      }
      case 'message.requeued': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, ['unacked'], e.reason === 'nack' || e.reason === 'reject' ? ['nack-requeue'] : [null], `requeued (${e.reason})`);
        if (c.incarnation !== this.incarnation.get(c.queue)) fail(`message ${c.id} requeued into a later queue named ${c.queue}`);
        c.state = 'ready';
        c.requeued = true;
        c.pending = null;
        c.at = null;
        this.count(`requeued:${e.reason}`);
        return;
      }
      case 'message.expired': {
        const c = this.copy(e.messageId, e.queue);
        this.expect(c, ['ready'], [null], 'expired');
        if (e.time < c.expiresAt) fail(`message ${c.id} expired in ${c.queue} at ${e.time}, before its time ${c.expiresAt}`);
        // Only the head expires.
        const head = this.head(c.queue);
        if (head !== c) fail(`message ${c.id} expired in ${c.queue} behind message ${head?.id}`);
        c.pending = 'expired';
        return;
      }
      case 'message.dead-lettered': {
        const c = this.copy(e.messageId, e.queue);
        if (e.reason === 'rejected') this.expect(c, ['unacked'], ['nack-discard'], 'dead-lettered (rejected)');
        else if (e.reason === 'expired') this.expect(c, ['ready'], ['expired'], 'dead-lettered (expired)');
        else {
          this.expect(c, ['ready', 'routed'], [null], 'dead-lettered (maxlen)');
          if (c.state === 'routed') this.msgs.get(c.id)!.rejected = true;
        }
        this.end(c, 'dead-lettered', e.reason);
        if (this.msgs.has(e.newMessageId)) fail(`dead-lettered copy reuses id ${e.newMessageId}`);
        this.msgs.set(e.newMessageId, { id: e.newMessageId, dead: true, mandatory: false, at: null, routed: null, fate: null, rejected: false, expiration: undefined });
        this.count(`dead-lettered:${e.reason}`);
        return;
      }
      case 'message.dropped': {
        this.count(`dropped:${e.reason}`);
        if (e.queue === null) {
          const m = this.msgs.get(e.messageId) ?? fail(`dropped unknown message ${e.messageId}`);
          if (!m.routed || m.routed.length || m.fate) fail(`message ${m.id} dropped as ${e.reason}, but it was routed to ${m.routed}`);
          if (e.reason === 'unroutable' ? m.dead || m.mandatory : e.reason !== 'dead-letter-unroutable' || !m.dead) fail(`message ${m.id} (dead=${m.dead}, mandatory=${m.mandatory}) dropped as ${e.reason}`);
          m.fate = 'unroutable';
          return;
        }
        if (e.reason === 'dead-letter-cycle') {
          const m = this.msgs.get(e.messageId) ?? fail(`cycle-dropped unknown message ${e.messageId}`);
          if (!m.dead || m.routed) fail(`message ${m.id} dropped as a dead-letter cycle in ${e.queue} but it is not a dead letter being routed`);
          if (this.copies.has(`${m.id}|${e.queue}`)) fail(`message ${m.id} cycle-dropped in ${e.queue} twice`);
          const incarnation = this.incarnation.get(e.queue)!;
          this.copies.set(`${m.id}|${e.queue}`, { id: m.id, queue: e.queue, incarnation, state: 'dropped', reason: e.reason, at: null, tag: 0, consumerTag: null, requeued: false, order: 0, expiresAt: Infinity, pending: null });
          return;
        }
        const c = this.copy(e.messageId, e.queue);
        switch (e.reason) {
          case 'reject-publish':
            this.expect(c, ['routed'], [null], 'dropped (reject-publish)');
            this.msgs.get(c.id)!.rejected = true;
            break;
          case 'maxlen':
          case 'purged':
            this.expect(c, ['ready'], [null], `dropped (${e.reason})`);
            break;
          case 'expired':
            this.expect(c, ['ready'], ['expired'], 'dropped (expired)');
            break;
          case 'rejected':
            this.expect(c, ['unacked'], ['nack-discard'], 'dropped (rejected)');
            break;
          case 'dlx-missing':
            if (c.state === 'routed') this.msgs.get(c.id)!.rejected = true;
            else if (c.state === 'unacked') this.expect(c, ['unacked'], ['nack-discard'], 'dropped (dlx-missing)');
            else this.expect(c, ['ready'], [null, 'expired'], 'dropped (dlx-missing)');
            break;
          case 'queue-deleted':
            if (c.state === 'ready') this.expect(c, ['ready'], [null], 'dropped (queue-deleted)');
            else this.expect(c, ['unacked'], [null, 'nack-requeue', 'nack-discard'], 'dropped (queue-deleted)');
            break;
          default:
            fail(`message ${c.id} dropped from ${e.queue} as ${e.reason}`);
        }
        this.end(c, 'dropped', e.reason);
        return;
      }
      case 'message.returned': {
        const m = this.msgs.get(e.messageId) ?? fail(`returned unknown message ${e.messageId}`);
        if (m.dead || !m.mandatory || !m.routed || m.routed.length || m.fate) fail(`message ${m.id} returned, but mandatory=${m.mandatory} routed=${m.routed}`);
        if (e.replyCode !== 312 || e.replyText !== 'NO_ROUTE' || refKey(e.at) !== m.at) fail(`bad return for message ${m.id}: ${e.replyCode} ${e.replyText} at ${refKey(e.at)}`);
        m.fate = 'returned';
        return;
      }
      default:
        return;
    }
  }

  /** Between operations nothing may be half done. */
  assertQuiescent(): void {
    for (const m of this.msgs.values()) {
      if (!m.routed) fail(`message ${m.id} was never routed`);
      if (!m.routed.length && !m.fate) fail(`message ${m.id} reached no queue and was neither returned nor dropped`);
    }
    for (const c of this.copies.values()) {
      if (c.state === 'routed' || c.state === 'autoack' || c.pending) fail(`message ${c.id} in ${c.queue} left ${c.state} ${c.pending ?? ''}`);
    }
  }
}

// ---- the world: a broker, its clients, and the checks ------------------------------

interface Slot {
  ch: Channel;
  ref: string;
  /** Every delivery tag received, in order. */
  tags: number[];
  consumers: string[];
  confirming: boolean;
  publishSeq: number;
  confirms: Array<[number, boolean]>;
  returns: number[];
}

class World {
  readonly broker: Broker;
  readonly tracker: Tracker;
  readonly events: StampedEvent[] = [];
  private readonly conns: Array<Connection | null> = [null, null, null];
  private readonly slots = new Map<string, Slot>();
  private readonly observer: Connection;
  readonly errors: Map<string, number>;

  constructor(
    channelFastPath: boolean,
    setups: Setup[],
    stats: Map<string, number>,
    errors: Map<string, number>,
    /** Check the invariants after every operation (off: just run). */
    private readonly checking = true,
  ) {
    this.broker = new Broker({ seed: 11, channelFastPath });
    this.tracker = new Tracker(stats);
    this.errors = errors;
    this.broker.subscribe((e) => {
      this.events.push(e);
      this.tracker.handle(e);
    });
    this.observer = this.broker.connect({ name: 'observer' });
    const setup = this.observer.openChannel();
    setup.exchangeDeclare({ exchange: 'x', type: 'direct' });
    setup.exchangeDeclare({ exchange: 'dlx', type: 'fanout' });
    setups.forEach((d, i) => {
      setup.queueDeclare({ queue: QUEUES[i], autoDelete: d.autoDelete, arguments: VARIANTS[d.variant] });
      if (d.bind !== null) setup.queueBind({ queue: QUEUES[i], exchange: EXCHANGES[d.bind], routingKey: KEYS[d.key] });
    });
    setup.close();
  }

  private connection(n: number): Connection {
    let conn = this.conns[n];
    if (!conn || !conn.isOpen) conn = this.conns[n] = this.broker.connect();
    return conn;
  }

  private readonly probes = new Map<Connection, Channel>();

  /** A channel for passive declares on a connection (it never consumes or gets). */
  private probe(conn: Connection): Channel {
    let ch = this.probes.get(conn);
    if (!ch || !ch.isOpen) this.probes.set(conn, (ch = conn.openChannel()));
    return ch;
  }

  /** The channel at a slot, opened (with its connection) if need be. */
  slot(a: At): Slot {
    const conn = this.connection(a.conn);
    const key = `${a.conn}/${a.chan}`;
    const old = this.slots.get(key);
    if (old && old.ch.isOpen && old.ch.connection === conn) return old;
    const ch = conn.openChannel();
    const s: Slot = { ch, ref: `${conn.name}/${ch.number}`, tags: [], consumers: [], confirming: false, publishSeq: 0, confirms: [], returns: [] };
    const t = this.tracker;
    ch.client = {
      deliver: (d) => {
        const last = t.lastDelivery.get(s.ref);
        if (!last || last.tag !== d.deliveryTag || last.id !== d.message.id) fail(`client got tag ${d.deliveryTag} (message ${d.message.id}) on ${s.ref}, the event said ${JSON.stringify(last)}`);
        s.tags.push(d.deliveryTag);
      },
      returned: (r) => {
        if (r.replyCode !== 312) fail(`return with code ${r.replyCode}`);
        s.returns.push(r.message.id);
      },
      confirmed: (seq, ack) => s.confirms.push([seq, ack]),
      cancelled: (tag) => {
        if (!s.consumers.includes(tag)) fail(`cancel for unknown consumer ${tag}`);
        s.consumers = s.consumers.filter((c) => c !== tag);
      },
    };
    this.slots.set(key, s);
    return s;
  }

  private queueNamed(i: number): Queue | undefined {
    return this.broker.queues.get(QUEUES[i]);
  }

  /** Whether a queue is exclusive to a connection other than the slot's. */
  private lockedFor(q: Queue, s: Slot): boolean {
    return q.owner !== null && q.owner !== s.ch.connection.name;
  }

  /**
   * The reply code RabbitMQ fails an operation with, null if it succeeds,
   * 'any' if this test does not predict it (redeclare equivalence).
   */
  private expectedError(op: Op, s: Slot): number | null | 'any' {
    const t = this.tracker;
    switch (op.op) {
      case 'declare': {
        const q = this.queueNamed(op.queue);
        if (!q) return null;
        if (op.variant === 'same') return this.lockedFor(q, s) ? 405 : null;
        if (q.owner !== (op.exclusive ? s.ch.connection.name : null)) return 405;
        return 'any';
      }
      case 'check':
      case 'get':
      case 'purge': {
        const q = this.queueNamed(op.queue);
        if (!q) return 404;
        return this.lockedFor(q, s) ? 405 : null;
      }
      case 'consume': {
        const q = this.queueNamed(op.queue);
        if (!q) return 404;
        if (this.lockedFor(q, s)) return 405;
        if (q.consumers.some((c) => c.exclusive) || (op.exclusive && q.consumers.length > 0)) return 403;
        return null;
      }
      case 'bind': {
        if (EXCHANGES[op.exchange] === '') return 403;
        if (EXCHANGES[op.exchange] === 'nope') return 404;
        const q = this.queueNamed(op.queue);
        if (!q) return 404;
        return this.lockedFor(q, s) ? 405 : null;
      }
      case 'unbind':
        return EXCHANGES[op.exchange] === '' ? 403 : 'any';
      case 'publish':
        return EXCHANGES[op.exchange] === 'nope' ? 404 : null;
      case 'settle': {
        const tag = this.pickTag(s, op.tag);
        if (op.tag.kind === 'outstanding' && tag > (t.lastTag.get(s.ref) ?? 0)) return null; // skipped
        if (op.multiple && op.method !== 'reject' && tag === 0) return null;
        const outstanding = [...t.copies.values()].some((c) => c.state === 'unacked' && c.at === s.ref && c.tag === tag);
        return outstanding ? null : 406;
      }
      case 'delete': {
        const q = this.queueNamed(op.queue);
        if (!q) return null;
        if (this.lockedFor(q, s)) return 405;
        if (op.ifEmpty && q.messageCount > 0) return 406;
        if (op.ifUnused && q.consumerCount > 0) return 406;
        return null;
      }
      default:
        return null;
    }
  }

  private pickTag(s: Slot, pick: TagPick): number {
    if (pick.kind === 'zero') return 0;
    const never = (this.tracker.lastTag.get(s.ref) ?? 0) + 3;
    if (pick.kind === 'unknown') return never;
    const outstanding = () => [...this.tracker.copies.values()].filter((c) => c.state === 'unacked' && c.at === s.ref).map((c) => c.tag);
    const from = pick.kind === 'outstanding' ? outstanding() : s.tags;
    return from.length ? from[pick.index % from.length] : never;
  }

  /** Performs one operation and checks everything afterwards. */
  run(op: Op): void {
    if (op.op === 'advance') {
      this.broker.advance(op.ms);
      this.check();
      return;
    }
    if (op.op === 'closeConnection') {
      this.conns[op.conn]?.close();
      this.check();
      return;
    }
    const s = this.slot(op.at);
    const expected = this.expectedError(op, s);
    const confirmsBefore = s.confirms.length;
    const returnsBefore = s.returns.length;
    const publishedBefore = this.tracker.lastPublished;
    let error: AmqpError | null = null;
    try {
      this.perform(op, s);
    } catch (e) {
      if (!(e instanceof AmqpError)) throw e;
      error = e;
    }
    const code = error ? error.code : null;
    this.errors.set(`${op.op}:${code ?? 'ok'}`, (this.errors.get(`${op.op}:${code ?? 'ok'}`) ?? 0) + 1);
    if (expected !== 'any' && code !== expected) fail(`${JSON.stringify(op)} ${code ? `failed with ${error!.replyText}` : 'succeeded'}; RabbitMQ: ${expected ?? 'success'}`);
    if (error) {
      if (s.ch.isOpen) fail(`${error.replyText} left the channel open`);
      if (error.scope === 'connection' && s.ch.connection.isOpen) fail(`${error.replyText} left the connection open`);
    }
    if (op.op === 'publish' && !error) this.checkPublish(op, s, publishedBefore, confirmsBefore, returnsBefore);
    this.check();
  }

  private perform(op: Exclude<Op, { op: 'advance' } | { op: 'closeConnection' }>, s: Slot): void {
    const ch = s.ch;
    switch (op.op) {
      case 'declare': {
        const existing = this.queueNamed(op.queue);
        if (op.variant === 'same' && existing) {
          ch.queueDeclare({ queue: QUEUES[op.queue], exclusive: existing.owner !== null, autoDelete: existing.autoDelete, arguments: existing.arguments });
          return;
        }
        const args = VARIANTS[op.variant === 'same' ? 0 : op.variant];
        ch.queueDeclare({ queue: QUEUES[op.queue], exclusive: op.exclusive, autoDelete: op.autoDelete, arguments: args });
        return;
      }
      case 'check': {
        const q = this.queueNamed(op.queue);
        const ok = ch.queueDeclare({ queue: QUEUES[op.queue], passive: true });
        if (ok.messageCount !== q!.messageCount) fail('passive declare count');
        return;
      }
      case 'bind':
        ch.queueBind({ queue: QUEUES[op.queue], exchange: EXCHANGES[op.exchange], routingKey: KEYS[op.key] });
        return;
      case 'unbind':
        ch.queueUnbind({ queue: QUEUES[op.queue], exchange: EXCHANGES[op.exchange], routingKey: KEYS[op.key] });
        return;
      case 'publish': {
        const properties: { expiration?: string; headers?: FieldTable } = {};
        if (op.expiration !== null) properties.expiration = op.expiration;
        if (op.cc) properties.headers = { CC: ['a'] };
        ch.basicPublish({ exchange: EXCHANGES[op.exchange], routingKey: KEYS[op.key], mandatory: op.mandatory, properties, body: `m${this.tracker.lastPublished}` });
        return;
      }
      case 'consume': {
        if (op.prefetch !== null) ch.basicQos({ prefetchCount: op.prefetch, global: op.global });
        const { consumerTag } = ch.basicConsume({ queue: QUEUES[op.queue], noAck: op.noAck, exclusive: op.exclusive });
        s.consumers.push(consumerTag);
        return;
      }
      case 'get': {
        const got = ch.basicGet({ queue: QUEUES[op.queue], noAck: op.noAck });
        if (!got) {
          if (this.queueNamed(op.queue)!.messageCount !== 0) fail('basic.get-empty from a queue with ready messages');
          return;
        }
        const last = this.tracker.lastGet.get(s.ref);
        if (!last || last.tag !== got.deliveryTag || last.id !== got.message.id) fail(`get-ok tag ${got.deliveryTag} does not match the delivery event`);
        if (got.messageCount !== this.queueNamed(op.queue)!.messageCount) fail('get-ok message_count is not the ready count after the get');
        s.tags.push(got.deliveryTag);
        return;
      }
      case 'settle': {
        const deliveryTag = this.pickTag(s, op.tag);
        if (op.tag.kind === 'outstanding' && deliveryTag > (this.tracker.lastTag.get(s.ref) ?? 0)) return; // nothing outstanding: skip
        if (op.method === 'ack') ch.basicAck({ deliveryTag, multiple: op.multiple });
        else if (op.method === 'nack') ch.basicNack({ deliveryTag, multiple: op.multiple, requeue: op.requeue });
        else ch.basicReject({ deliveryTag, requeue: op.requeue });
        return;
      }
      case 'cancel': {
        if (!s.consumers.length) return;
        const tag = s.consumers[op.pick % s.consumers.length];
        ch.basicCancel({ consumerTag: tag });
        s.consumers = s.consumers.filter((c) => c !== tag);
        return;
      }
      case 'recover':
        ch.basicRecover({ requeue: true });
        return;
      case 'confirm':
        ch.confirmSelect();
        s.confirming = true;
        return;
      case 'closeChannel':
        ch.close();
        return;
      case 'purge':
        ch.queuePurge({ queue: QUEUES[op.queue] });
        return;
      case 'delete':
        ch.queueDelete({ queue: QUEUES[op.queue], ifEmpty: op.ifEmpty, ifUnused: op.ifUnused });
        return;
    }
  }

  /** One confirm per publish in confirm mode (a nack only if a queue refused it); one return per unroutable mandatory publish. */
  private checkPublish(op: Extract<Op, { op: 'publish' }>, s: Slot, publishedBefore: number, confirmsBefore: number, returnsBefore: number): void {
    const id = this.tracker.lastPublished;
    if (id === publishedBefore) fail('publish emitted no message.published');
    const m = this.tracker.msgs.get(id)!;
    const confirms = s.confirms.slice(confirmsBefore);
    if (s.confirming) {
      s.publishSeq++;
      if (confirms.length !== 1 || confirms[0][0] !== s.publishSeq || confirms[0][1] !== !m.rejected) {
        fail(`publish ${s.publishSeq} in confirm mode got confirms ${JSON.stringify(confirms)}, expected [[${s.publishSeq},${!m.rejected}]]`);
      }
    } else if (confirms.length) fail('confirm on a channel not in confirm mode');
    const returns = s.returns.slice(returnsBefore);
    const shouldReturn = op.mandatory && m.routed!.length === 0;
    if (returns.length !== (shouldReturn ? 1 : 0) || (shouldReturn && returns[0] !== id)) fail(`message ${id}: returns ${JSON.stringify(returns)}, mandatory=${op.mandatory}, routed=${m.routed}`);
  }

  /** Checks the tracker against the broker's actual state. */
  check(): void {
    if (!this.checking) return;
    const t = this.tracker;
    t.assertQuiescent();
    const b = this.broker;
    for (const [name, q] of b.queues) {
      const incarnation = t.incarnation.get(name);
      const ids = q.ready.toArray().map((e) => e.message.id);
      if (new Set(ids).size !== ids.length) fail(`${name} holds a message twice: ${ids}`);
      const tracked: Copy[] = [];
      let unacked = 0;
      for (const c of t.copies.values()) {
        if (c.queue !== name) continue;
        if (c.state === 'ready') {
          if (c.incarnation !== incarnation) fail(`message ${c.id} ready in a deleted queue ${name}`);
          tracked.push(c);
        }
        if (c.state === 'unacked' && c.incarnation === incarnation) unacked++;
      }
      // The same messages, in the order they were enqueued (requeued ones back in their place).
      const inOrder = tracked.sort((x, y) => x.order - y.order).map((c) => c.id);
      if (JSON.stringify(inOrder) !== JSON.stringify(ids)) fail(`${name} holds ${ids}, the events say ${inOrder}`);
      if (q.unackedCount !== unacked) fail(`${name} counts ${q.unackedCount} unacked, the events say ${unacked}`);
      // queue.declare(passive), from a connection allowed to see the queue.
      const ok = this.probe(q.owner === null ? this.observer : b.connections.get(q.owner)!).queueDeclare({ queue: name, passive: true });
      if (ok.messageCount !== tracked.length || ok.consumerCount !== q.consumers.length) {
        fail(`passive declare of ${name}: ${ok.messageCount} ready / ${ok.consumerCount} consumers; expected ${tracked.length} / ${q.consumers.length}`);
      }
      const info = t.queues.get(name) ?? fail(`${name} exists, but the events never declared it`);
      // A message past its time does not stay at the head (RabbitMQ drops it at once).
      const head = t.head(name);
      if (head && head.expiresAt <= b.now) fail(`${name} keeps expired message ${head.id} at its head (expired at ${head.expiresAt}, now ${b.now})`);
      // Length limits hold for the ready messages after every operation (drop-head drops at once).
      if (info.dropHead && info.maxLength !== undefined && ids.length > info.maxLength) fail(`${name} holds ${ids.length} ready messages, over its limit ${info.maxLength}`);
      // An auto-delete queue goes with its last consumer; an exclusive one with its connection.
      if (info.autoDelete && info.hadConsumers && info.consumers.size === 0) fail(`${name} outlived its last consumer`);
      if (info.owner && !b.connections.get(info.owner)?.isOpen) fail(`${name} outlived its owner connection ${info.owner}`);
      if (info.consumers.size !== q.consumers.length) fail(`${name} has ${q.consumers.length} consumers, the events say ${info.consumers.size}`);
      // No queue keeps ready messages while a consumer could take them.
      if (head) {
        for (const c of q.consumers) {
          const ref = `${c.channel.connectionName}/${c.channel.number}`;
          const global = t.globalPrefetch.get(ref) ?? 0;
          const free = c.noAck || ((c.prefetch === 0 || t.unackedOn(ref, c.tag) < c.prefetch) && (global === 0 || t.unackedOn(ref) < global));
          if (free) fail(`${name} keeps ${ids.length} ready messages while consumer ${c.tag} could take them`);
        }
      }
    }
    for (const c of t.copies.values()) if (c.state === 'ready' && !b.queues.has(c.queue)) fail(`message ${c.id} ready in deleted queue ${c.queue}`);
    // Every channel's ledger holds exactly the copies the events left unacked there.
    const inLedgers: string[] = [];
    for (const conn of b.connections.values()) {
      for (const ch of conn.channels.values()) {
        if (ch.ledger.held !== 0) fail(`ledger of ${conn.name}/${ch.number} holds tx acks outside a transaction`);
        for (const d of ch.ledger.unacked.values()) inLedgers.push(`${conn.name}/${ch.number}#${d.tag}:${d.entry.message.id}@${d.queue.name}`);
      }
    }
    const tracked = [...t.copies.values()].filter((c) => c.state === 'unacked').map((c) => `${c.at}#${c.tag}:${c.id}@${c.queue}`);
    if (JSON.stringify(inLedgers.sort()) !== JSON.stringify(tracked.sort())) fail(`ledgers hold ${inLedgers}, the events say ${tracked}`);
  }
}

// ---- the properties --------------------------------------------------------------

const NUM_RUNS = 200;

// A fixed seed keeps CI's verdict (including the coverage check below)
// repeatable; FC_SEED=<n> explores other runs.
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });

describe('engine invariants under random operations', () => {
  // What the runs of both properties did, for the coverage check at the end.
  const stats = new Map<string, number>();
  const errors = new Map<string, number>();

  it(`every message copy is accounted for, and the broker agrees (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, fc.boolean(), ({ setup, ops }: Scenario, fastPath) => {
        const world = new World(fastPath, setup, stats, errors);
        world.check();
        for (const op of ops) world.run(op);
      }),
      { numRuns: NUM_RUNS },
    );
  }, 60_000);

  it(`the fast path and the actor path tell the same story (${NUM_RUNS} runs)`, () => {
    fc.assert(
      fc.property(scenarioArb, ({ setup, ops }: Scenario) => {
        const [fast, slow] = [true, false].map((fastPath) => {
          const world = new World(fastPath, setup, stats, errors, false);
          for (const op of ops) world.run(op);
          return world;
        });
        expect(JSON.stringify(slow.events)).toBe(JSON.stringify(fast.events));
        expect(slow.broker.snapshot()).toEqual(fast.broker.snapshot());
      }),
      { numRuns: NUM_RUNS },
    );
  }, 60_000);

  it('the runs reached every fate of a message and the common errors (or the properties prove little)', () => {
    const fates = [
      'message.returned',
      'message.confirmed',
      'delivered:get',
      'delivered:consumer',
      'delivered:redelivery',
      'dropped:unroutable',
      'dropped:maxlen',
      'dropped:reject-publish',
      'dropped:expired',
      'dropped:purged',
      'dropped:queue-deleted',
      'dropped:dlx-missing',
      'dropped:dead-letter-cycle',
      'dropped:rejected',
      'dead-lettered:rejected',
      'dead-lettered:expired',
      'dead-lettered:maxlen',
      'requeued:nack',
      'requeued:reject',
      'requeued:channel-closed',
      'requeued:recover',
      'queue-deleted:deleted',
      'queue-deleted:auto-delete',
      'queue-deleted:exclusive-owner-closed',
    ];
    const failures = ['settle:406', 'publish:404', 'consume:403', 'get:404', 'declare:406'];
    const missing = () => [...fates.filter((k) => !stats.get(k)), ...failures.filter((k) => !errors.get(k))];
    // The rarest fates turn up a dozen times in the runs above; should a run
    // of bad luck miss one, a few more (checked) scenarios top it up.
    for (let extra = 0; missing().length && extra < 300; extra++) {
      const [scenario] = fc.sample(scenarioArb, 1);
      try {
        const world = new World(true, scenario.setup, stats, errors);
        world.check();
        for (const op of scenario.ops) world.run(op);
      } catch (e) {
        throw new Error(`${(e as Error).message}\nin ${JSON.stringify(scenario)}`, { cause: e });
      }
    }
    expect(missing()).toEqual([]);
  });
});

// ---- what the properties found --------------------------------------------------

describe('engine bugs the properties found (minimal reproductions of RabbitMQ 3.10 behaviour)', () => {
  // rabbit_amqqueue_process:deliver_or_enqueue
  // runs drop_expired_msgs after maybe_drop_head has dropped something, so a
  // message that is already due and becomes the head expires at once.
  // Queue.accept used to run dropExpired before enforceMaxLength only.
  it('a publish that makes drop-head room leaves no expired message at the head', () => {
    const broker = new Broker();
    const ch = broker.connect().openChannel();
    ch.queueDeclare({ queue: 'dead' });
    ch.queueDeclare({ queue: 'q', arguments: { 'x-max-length': 1, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'dead' } });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'b', properties: { expiration: '0' } });
    // a is dropped for the length limit, b has expired: both dead-lettered, nothing ready.
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(0);
    expect(ch.queueDeclare({ queue: 'dead', passive: true }).messageCount).toBe(2);
  });

  // Queue.take used to drop the expired messages behind the head it takes
  // before basic.get reported that head's delivery, so the stream showed a
  // message expiring from behind a ready head.
  it('basic.get: the event stream delivers the head before the messages behind it expire', () => {
    const broker = new Broker();
    const ch = broker.connect().openChannel();
    ch.queueDeclare({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'b', properties: { expiration: '0' } });
    const seen: string[] = [];
    broker.subscribe((e) => {
      if (e.type === 'message.delivered' || e.type === 'message.expired' || e.type === 'message.dropped') seen.push(`${e.type} ${e.messageId}`);
    });
    expect(ch.basicGet({ queue: 'q' })!.messageCount).toBe(0);
    expect(seen).toEqual(['message.delivered 1', 'message.expired 2', 'message.dropped 2']);
  });
});
