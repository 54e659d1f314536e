import type { QueuedMessage } from './message.ts';

/**
 * A queue's ready messages in delivery order, with constant-time append and
 * take-from-head. Requeued messages return to their original place: they
 * were taken from the head, so they all sort before every message that was
 * never delivered, and a small heap keyed by enqueue order holds them.
 */
export class ReadyQueue {
  private ring: Array<QueuedMessage | undefined> = new Array(16);
  private head = 0;
  private count = 0;
  private requeued: QueuedMessage[] = [];
  bytes = 0;

  get length(): number {
    return this.count + this.requeued.length;
  }

  push(m: QueuedMessage): void {
    if (this.count === this.ring.length) this.grow();
    this.ring[(this.head + this.count) & (this.ring.length - 1)] = m;
    this.count++;
    this.bytes += m.size;
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

  peek(): QueuedMessage | undefined {
    if (this.requeued.length) return this.requeued[0];
    return this.count ? this.ring[this.head] : undefined;
  }

  shift(): QueuedMessage | undefined {
    let m: QueuedMessage | undefined;
    if (this.requeued.length) m = this.popRequeued();
    else if (this.count) {
      m = this.ring[this.head];
      this.ring[this.head] = undefined;
      this.head = (this.head + 1) & (this.ring.length - 1);
      this.count--;
    }
    if (m) this.bytes -= m.size;
    return m;
  }

  /** Every ready message in delivery order (for snapshots and views). */
  toArray(): QueuedMessage[] {
    const out = [...this.requeued].sort((a, b) => a.seq - b.seq);
    for (let i = 0; i < this.count; i++) out.push(this.ring[(this.head + i) & (this.ring.length - 1)]!);
    return out;
  }

  clear(): QueuedMessage[] {
    const all = this.toArray();
    this.ring = new Array(16);
    this.head = 0;
    this.count = 0;
    this.requeued = [];
    this.bytes = 0;
    return all;
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
    const next: Array<QueuedMessage | undefined> = new Array(this.ring.length * 2);
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) & (this.ring.length - 1)];
    this.ring = next;
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
    this.levels = Array.from({ length: maxPriority + 1 }, () => new ReadyQueue());
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

  requeue(m: QueuedMessage): void {
    this.levels[m.priority].requeue(m);
    this.total++;
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

  clear(): QueuedMessage[] {
    const all = this.toArray();
    for (const l of this.levels) l.clear();
    this.total = 0;
    return all;
  }
}

export type Ready = ReadyQueue | PriorityReady;
