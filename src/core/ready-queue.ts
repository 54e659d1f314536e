import { newMessage, QueuedMessage, restoreMessage, type Message, type MessageParts, type MessageProperties } from './message.ts';

// A ready message is one slot of the ring: REFS references and NUMS numbers.
// A message that arrives as a publish's parts ("fresh": see Queue.accept)
// is kept as those parts, and its Message object is made only when it
// leaves the queue (or is looked at: peek, toArray), so a long queue is a
// few flat arrays, not several heap objects per message that the garbage
// collector would copy and promote. A queue of any length does the same
// work per message: the Message is made once either way.
const MESSAGE = 0; // the Message itself, or when kept as parts its id (a number)
const EXCHANGE = 1;
const ROUTING_KEY = 2;
const PROPERTIES = 3;
const BODY = 4;
const REFS = 5;
const SEQ = 0; // the sequence number, or -(seq + 1) for a message marked redelivered
const EXPIRES_AT = 1;
const NUMS = 2;

/** The sequence number a SEQ slot holds, whether or not it is marked redelivered (negative). */
const seqOf = (stored: number) => (stored < 0 ? -stored - 1 : stored);

/**
 * A queue's ready messages as columns, one row per message in delivery
 * order: what a snapshot keeps. Rows share the messages' properties and
 * bodies (nothing changes them), and a message kept as parts stays parts:
 * taking the rows makes no object per message.
 */
export interface ReadyRows {
  id: number[];
  exchange: string[];
  routingKey: string[];
  /** Every key it was routed with (CC, BCC) when more than its routing key, else null. */
  routingKeys: Array<readonly string[] | null>;
  properties: MessageProperties[];
  body: Uint8Array[];
  seq: number[];
  /** When it expires; null for never (so that rows survive JSON). */
  expiresAt: Array<number | null>;
  redelivered: boolean[];
  priority: number[];
}

export function emptyReadyRows(): ReadyRows {
  return { id: [], exchange: [], routingKey: [], routingKeys: [], properties: [], body: [], seq: [], expiresAt: [], redelivered: [], priority: [] };
}

function addRow(
  rows: ReadyRows,
  id: number,
  exchange: string,
  routingKey: string,
  routingKeys: readonly string[] | null,
  properties: MessageProperties,
  body: Uint8Array,
  seq: number,
  expiresAt: number,
  redelivered: boolean,
  priority: number,
): void {
  rows.id.push(id);
  rows.exchange.push(exchange);
  rows.routingKey.push(routingKey);
  rows.routingKeys.push(routingKeys);
  rows.properties.push(properties);
  rows.body.push(body);
  rows.seq.push(seq);
  rows.expiresAt.push(expiresAt === Infinity ? null : expiresAt);
  rows.redelivered.push(redelivered);
  rows.priority.push(priority);
}

function addMessageRow(rows: ReadyRows, m: Message, seq: number, expiresAt: number, redelivered: boolean, priority: number): void {
  const keys = m.routingKeys.length === 1 && m.routingKeys[0] === m.routingKey ? null : m.routingKeys;
  addRow(rows, m.id, m.exchange, m.routingKey, keys, m.properties, m.body, seq, expiresAt, redelivered, priority);
}

/**
 * A queue's ready messages in delivery order, with constant-time append and
 * take-from-head. Requeued messages return to their original place: they
 * were taken from the head, so they all sort before every message that was
 * never delivered, and a small heap keyed by enqueue order holds them.
 */
export class ReadyQueue {
  private capacity = 16;
  private refs: unknown[] = new Array(16 * REFS);
  private nums = new Float64Array(16 * NUMS);
  private head = 0;
  private count = 0;
  private requeued: QueuedMessage[] = [];
  /** How many in the ring expire at all: none, and the head's expiry needs no look at the ring. */
  private expiring = 0;
  bytes = 0;

  /** `priority`: the priority level this queue holds (0 for a plain queue). */
  constructor(readonly priority = 0) {}

  get length(): number {
    return this.count + this.requeued.length;
  }

  /** Appends a copy that is in line already (snapshot restore, broker restart). */
  push(m: QueuedMessage): void {
    this.append(m.message, false, m.seq, m.expiresAt, m.redelivered);
  }

  /**
   * Appends a newly arrived message (its priority is this queue's).
   * `fresh`: `message` is a publish's parts, not a Message (Queue.accept).
   */
  pushMessage(message: MessageParts, seq: number, expiresAt: number, _priority: number, fresh: boolean): void {
    this.append(message, fresh, seq, expiresAt, false);
  }

  /** Puts a message that was taken from this queue back in its place. */
  requeue(m: QueuedMessage): void {
    const h = this.requeued;
    h.push(m);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (h[p].seq <= h[i].seq) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
    this.bytes += m.size;
  }

  /** When the head expires (call only when not empty). */
  headExpiresAt(): number {
    if (this.requeued.length) return this.requeued[0].expiresAt;
    return this.expiring === 0 ? Infinity : this.nums[this.head * NUMS + EXPIRES_AT];
  }

  peek(): QueuedMessage | undefined {
    if (this.requeued.length) return this.requeued[0];
    return this.count ? this.entryAt(this.head, true) : undefined;
  }

  shift(): QueuedMessage | undefined {
    let m: QueuedMessage | undefined;
    if (this.requeued.length) m = this.popRequeued();
    else if (this.count) {
      const slot = this.head;
      m = this.entryAt(slot, false);
      if (m.expiresAt !== Infinity) this.expiring--;
      const r = slot * REFS;
      for (let k = 0; k < REFS; k++) this.refs[r + k] = undefined;
      this.head = (slot + 1) & (this.capacity - 1);
      this.count--;
    }
    if (m) this.bytes -= m.size;
    return m;
  }

  /** Every ready message in delivery order (for snapshots and views). */
  toArray(): QueuedMessage[] {
    const out = [...this.requeued].sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < this.count; i++) out.push(this.entryAt((this.head + i) & (this.capacity - 1), true));
    return out;
  }

  /** Adds every ready message to `rows`, in delivery order. */
  writeRows(rows: ReadyRows): void {
    for (const m of [...this.requeued].sort((a, b) => a.seq - b.seq)) addMessageRow(rows, m.message, m.seq, m.expiresAt, m.redelivered, this.priority);
    for (let i = 0; i < this.count; i++) {
      const slot = (this.head + i) & (this.capacity - 1);
      const r = slot * REFS;
      const stored = this.nums[slot * NUMS + SEQ];
      const expiresAt = this.nums[slot * NUMS + EXPIRES_AT];
      const held = this.refs[r + MESSAGE] as Message | number;
      if (typeof held !== 'number') addMessageRow(rows, held, seqOf(stored), expiresAt, stored < 0, this.priority);
      else {
        const refs = this.refs;
        addRow(rows, held, refs[r + EXCHANGE] as string, refs[r + ROUTING_KEY] as string, null, refs[r + PROPERTIES] as MessageProperties, refs[r + BODY] as Uint8Array, seqOf(stored), expiresAt, stored < 0, this.priority);
      }
    }
  }

  /** Appends row `i` of `rows` (snapshot restore). */
  pushRow(rows: ReadyRows, i: number): void {
    const keys = rows.routingKeys[i];
    const parts: MessageParts = { id: rows.id[i], exchange: rows.exchange[i], routingKey: rows.routingKey[i], properties: rows.properties[i], body: rows.body[i] };
    const message = keys ? newMessage(parts.id, parts.exchange, parts.routingKey, keys, parts.properties, parts.body) : parts;
    this.append(message, !keys, rows.seq[i], rows.expiresAt[i] ?? Infinity, rows.redelivered[i]);
  }

  clear(): QueuedMessage[] {
    const all = this.toArray();
    this.capacity = 16;
    this.refs = new Array(16 * REFS);
    this.nums = new Float64Array(16 * NUMS);
    this.head = 0;
    this.count = 0;
    this.requeued = [];
    this.expiring = 0;
    this.bytes = 0;
    return all;
  }

  private append(message: MessageParts, fresh: boolean, seq: number, expiresAt: number, redelivered: boolean): void {
    if (this.count === this.capacity) this.grow();
    const slot = (this.head + this.count) & (this.capacity - 1);
    const r = slot * REFS;
    if (fresh) {
      this.refs[r + MESSAGE] = message.id;
      this.refs[r + EXCHANGE] = message.exchange;
      this.refs[r + ROUTING_KEY] = message.routingKey;
      this.refs[r + PROPERTIES] = message.properties;
      this.refs[r + BODY] = message.body;
    } else this.refs[r + MESSAGE] = message;
    this.nums[slot * NUMS + SEQ] = redelivered ? -(seq + 1) : seq;
    this.nums[slot * NUMS + EXPIRES_AT] = expiresAt;
    if (expiresAt !== Infinity) this.expiring++;
    this.count++;
    this.bytes += message.body.length;
  }

  /**
   * The entry in a slot. A message kept as parts becomes a Message, and
   * with `keep` (it stays in line: peek, toArray) the slot keeps that
   * Message for the next look.
   */
  private entryAt(slot: number, keep: boolean): QueuedMessage {
    const r = slot * REFS;
    const held = this.refs[r + MESSAGE] as Message | number;
    let message: Message;
    if (typeof held !== 'number') message = held;
    else {
      message = restoreMessage(
        held,
        this.refs[r + EXCHANGE] as string,
        this.refs[r + ROUTING_KEY] as string,
        this.refs[r + PROPERTIES] as MessageProperties,
        this.refs[r + BODY] as Uint8Array,
      );
      if (keep) {
        this.refs[r + MESSAGE] = message;
        for (let k = 1; k < REFS; k++) this.refs[r + k] = undefined;
      }
    }
    const seq = this.nums[slot * NUMS + SEQ];
    const entry = new QueuedMessage(message, seqOf(seq), this.nums[slot * NUMS + EXPIRES_AT], this.priority);
    if (seq < 0) entry.redelivered = true;
    return entry;
  }

  private popRequeued(): QueuedMessage {
    const h = this.requeued;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && h[l].seq < h[m].seq) m = l;
        if (r < h.length && h[r].seq < h[m].seq) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }

  private grow(): void {
    const old = this.capacity;
    const size = old * 2;
    const refs: unknown[] = new Array(size * REFS);
    const nums = new Float64Array(size * NUMS);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & (old - 1);
      for (let k = 0; k < REFS; k++) refs[i * REFS + k] = this.refs[from * REFS + k];
      for (let k = 0; k < NUMS; k++) nums[i * NUMS + k] = this.nums[from * NUMS + k];
    }
    this.capacity = size;
    this.refs = refs;
    this.nums = nums;
    this.head = 0;
  }
}

/**
 * A priority queue's ready messages: one ReadyQueue per priority level,
 * highest first. A plain queue is the one-level case.
 */
export class PriorityReady {
  private levels: ReadyQueue[];
  private total = 0;

  constructor(readonly maxPriority: number) {
    this.levels = Array.from({ length: maxPriority + 1 }, (_, p) => new ReadyQueue(p));
  }

  get length(): number {
    return this.total;
  }

  get bytes(): number {
    let b = 0;
    for (const l of this.levels) b += l.bytes;
    return b;
  }

  push(m: QueuedMessage): void {
    this.levels[m.priority].push(m);
    this.total++;
  }

  pushMessage(message: MessageParts, seq: number, expiresAt: number, priority: number, fresh: boolean): void {
    this.levels[priority].pushMessage(message, seq, expiresAt, priority, fresh);
    this.total++;
  }

  requeue(m: QueuedMessage): void {
    this.levels[m.priority].requeue(m);
    this.total++;
  }

  /** When the head expires (call only when not empty). */
  headExpiresAt(): number {
    let p = this.maxPriority;
    while (!this.levels[p].length) p--;
    return this.levels[p].headExpiresAt();
  }

  peek(): QueuedMessage | undefined {
    for (let p = this.maxPriority; p >= 0; p--) {
      const m = this.levels[p].peek();
      if (m) return m;
    }
    return undefined;
  }

  shift(): QueuedMessage | undefined {
    for (let p = this.maxPriority; p >= 0; p--) {
      if (this.levels[p].length) {
        this.total--;
        return this.levels[p].shift();
      }
    }
    return undefined;
  }

  toArray(): QueuedMessage[] {
    const out: QueuedMessage[] = [];
    for (let p = this.maxPriority; p >= 0; p--) out.push(...this.levels[p].toArray());
    return out;
  }

  writeRows(rows: ReadyRows): void {
    for (let p = this.maxPriority; p >= 0; p--) this.levels[p].writeRows(rows);
  }

  pushRow(rows: ReadyRows, i: number): void {
    this.levels[rows.priority[i]].pushRow(rows, i);
    this.total++;
  }

  clear(): QueuedMessage[] {
    const all = this.toArray();
    for (const l of this.levels) l.clear();
    this.total = 0;
    return all;
  }
}

export type Ready = ReadyQueue | PriorityReady;
