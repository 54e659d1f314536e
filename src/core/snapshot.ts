/**
 * Snapshot and restore of the whole broker: topology, messages (ready and
 * unacked, in place), connections, channels with their delivery tags and
 * consumers, the clock and the name generator. Client handlers are not
 * part of the state: whoever restores re-attaches them.
 */
import type { Broker } from './broker.ts';
import type { FieldTable } from './fields.ts';
import { QueuedMessage, type Message } from './message.ts';
import { Consumer, type Queue } from './queue.ts';
import { CONSUMER_TIMEOUT } from './channel.ts';
import { emptyReadyRows, type ReadyRows } from './ready-queue.ts';

export interface SnapshotEntry {
  message: number;
  seq: number;
  expiresAt: number | null;
  redelivered: boolean;
  priority: number;
}

export interface BrokerSnapshot {
  version: 1;
  time: number;
  randomState: number;
  messageCounter: number;
  /** The unacked deliveries' messages (ready ones are in their queue's rows). */
  messages: Message[];
  exchanges: Array<{ name: string; type: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable }>;
  queues: Array<{
    name: string;
    durable: boolean;
    autoDelete: boolean;
    owner: string | null;
    arguments: FieldTable;
    hadConsumers: boolean;
    seq: number;
    /** Its ready messages, as columns: a snapshot makes no object per waiting message. */
    ready: ReadyRows;
  }>;
  bindings: Array<{ source: string; destination: string; kind: 'queue' | 'exchange'; routingKey: string; arguments: FieldTable }>;
  connections: Array<{
    name: string;
    user: string;
    channels: Array<{
      number: number;
      nextTag: number;
      consumerPrefetch: number;
      globalPrefetch: number;
      confirm: boolean;
      publishSeq: number;
      lastQueue: string | null;
      consumers: Array<{ tag: string; queue: string; noAck: boolean; exclusive: boolean; priority: number; prefetch: number; arguments: FieldTable }>;
      unacked: Array<{ tag: number; queue: string; consumer: string | null; deliveredAt: number; entry: SnapshotEntry }>;
    }>;
  }>;
}

const PREDECLARED = new Set(['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic', 'amq.rabbitmq.trace']);

export function takeSnapshot(broker: Broker): BrokerSnapshot {
  const messages = new Map<number, Message>();
  const entry = (e: QueuedMessage): SnapshotEntry => {
    messages.set(e.message.id, e.message);
    return { message: e.message.id, seq: e.seq, expiresAt: e.expiresAt === Infinity ? null : e.expiresAt, redelivered: e.redelivered, priority: e.priority };
  };
  const snap: BrokerSnapshot = {
    version: 1,
    time: broker.clock.now,
    randomState: broker.random.seed,
    messageCounter: broker.messageCounter,
    messages: [],
    exchanges: [...broker.exchanges.values()]
      .filter((x) => !PREDECLARED.has(x.name))
      .map((x) => ({ name: x.name, type: x.type.name, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments })),
    queues: [...broker.queues.values()].map((q) => ({
      name: q.name,
      durable: q.durable,
      autoDelete: q.autoDelete,
      owner: q.owner,
      arguments: q.arguments,
      hadConsumers: q.hadConsumers,
      seq: q.seq,
      ready: readyRows(q),
    })),
    bindings: [...broker.exchanges.values()].flatMap((x) =>
      [...x.bindings.values()].map((b) => ({ source: b.source, destination: b.destination.name, kind: b.destinationKind, routingKey: b.routingKey, arguments: b.arguments })),
    ),
    connections: [...broker.connections.values()].map((c) => ({
      name: c.name,
      user: c.user,
      channels: [...c.channels.values()].map((ch) => ({
        number: ch.number,
        nextTag: ch.ledger.nextTag,
        consumerPrefetch: ch.ledger.consumerPrefetch,
        globalPrefetch: ch.ledger.globalPrefetch,
        confirm: ch.ledger.confirm,
        publishSeq: ch.ledger.publishSeq,
        lastQueue: ch.lastQueue,
        consumers: [...ch.consumers.values()].map((k) => ({
          tag: k.tag,
          queue: k.queue.name,
          noAck: k.noAck,
          exclusive: k.exclusive,
          priority: k.priority,
          prefetch: k.prefetch,
          arguments: k.args,
        })),
        unacked: [...ch.ledger.unacked.values()].map((d) => ({
          tag: d.tag,
          queue: d.queue.name,
          consumer: d.consumer?.tag ?? null,
          deliveredAt: d.deliveredAt,
          entry: entry(d.entry),
        })),
      })),
    })),
  };
  snap.messages = [...messages.values()];
  return snap;
}

function readyRows(q: Queue): ReadyRows {
  const rows = emptyReadyRows();
  q.ready.writeRows(rows);
  return rows;
}

export function restoreSnapshot(broker: Broker, snap: BrokerSnapshot): void {
  if (snap.version !== 1) throw new Error(`unsupported snapshot version ${String(snap.version)}`);
  broker.messageCounter = snap.messageCounter;
  const messages = new Map(snap.messages.map((m) => [m.id, m]));
  const entry = (e: SnapshotEntry) => {
    const qm = new QueuedMessage(messages.get(e.message)!, e.seq, e.expiresAt ?? Infinity, e.priority);
    qm.redelivered = e.redelivered;
    return qm;
  };
  for (const x of snap.exchanges) broker.createExchange(x.name, x.type, x);
  const queues = new Map<string, Queue>();
  for (const s of snap.queues) {
    const q = broker.createQueue(s.name, s);
    q.hadConsumers = s.hadConsumers;
    q.seq = s.seq;
    for (let i = 0; i < s.ready.id.length; i++) q.ready.pushRow(s.ready, i);
    q.dropExpired();
    queues.set(s.name, q);
  }
  for (const b of snap.bindings) {
    const source = broker.exchanges.get(b.source)!;
    const dest = b.kind === 'queue' ? broker.queues.get(b.destination)! : broker.exchanges.get(b.destination)!;
    broker.addBinding(source, dest, b.kind, b.routingKey, b.arguments);
  }
  for (const c of snap.connections) {
    const conn = broker.connect({ name: c.name, username: c.user, password: broker.users[c.user] });
    for (const s of c.channels) {
      const ch = conn.openChannel(s.number);
      ch.ledger.nextTag = s.nextTag;
      ch.ledger.consumerPrefetch = s.consumerPrefetch;
      ch.ledger.globalPrefetch = s.globalPrefetch;
      ch.ledger.publishSeq = s.publishSeq;
      if (s.confirm) ch.confirmSelect();
      ch.lastQueue = s.lastQueue;
      for (const k of s.consumers) {
        const q = queues.get(k.queue)!;
        const consumer = new Consumer(k.tag, ch, q, k.noAck, k.exclusive, k.priority, k.prefetch, k.arguments);
        q.addConsumer(consumer);
        ch.consumers.set(k.tag, consumer);
      }
      for (const d of s.unacked) {
        const q = queues.get(d.queue);
        if (!q) continue;
        const consumer = d.consumer ? (ch.consumers.get(d.consumer) ?? null) : null;
        ch.ledger.unacked.set(d.tag, { tag: d.tag, queue: q, entry: entry(d.entry), consumer, deliveredAt: d.deliveredAt });
        if (consumer) consumer.unacked++;
        q.unackedCount++;
      }
      const oldest = ch.ledger.oldest;
      if (oldest) ch.armAckTimeout(oldest.deliveredAt + CONSUMER_TIMEOUT);
    }
  }
  for (const q of queues.values()) q.run();
}
