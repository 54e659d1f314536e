/**
 * Changes to the viewed world waiting for their time (a message joining a
 * queue's stack when its flight lands), run in time order, ties in the
 * order they were scheduled.
 *
 * Effects due at one time share a bucket (a list, run front to back), and
 * a binary heap orders the buckets: a burst's ten thousand messages land
 * at one instant, so adding and running each of them costs O(1), not a
 * sift through a heap of tens of thousands (12 ms in one frame).
 */
interface Bucket {
  at: number;
  effects: Array<() => void>;
  /** The next effect to run. */
  next: number;
}

export class EffectQueue {
  /** Buckets by time, earliest first (a binary heap). */
  private heap: Bucket[] = [];
  private byTime = new Map<number, Bucket>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** Schedules `apply` for time `at`. */
  add(at: number, apply: () => void): void {
    this.count++;
    const bucket = this.byTime.get(at);
    if (bucket) {
      bucket.effects.push(apply);
      return;
    }
    const b: Bucket = { at, effects: [apply], next: 0 };
    this.byTime.set(at, b);
    const heap = this.heap;
    let i = heap.length;
    heap.push(b);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= at) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = b;
  }

  /** Runs, in order, every effect due by `now` (including those they schedule for then); returns how many ran. */
  runDue(now: number): number {
    let n = 0;
    // The earliest bucket is looked up again after each effect: one may schedule an earlier one.
    for (let top = this.heap[0]; top && top.at <= now; top = this.heap[0]) {
      if (top.next < top.effects.length) {
        const apply = top.effects[top.next];
        top.effects[top.next++] = NOTHING;
        this.count--;
        n++;
        apply();
      } else this.removeTop();
    }
    return n;
  }

  /** The time of the first effect after `now`, or Infinity. */
  nextAfter(now: number): number {
    const top = this.heap[0];
    if (!top) return Infinity;
    if (top.at > now) return top.at;
    let next = Infinity;
    for (const b of this.heap) if (b.at > now && b.at < next && b.next < b.effects.length) next = b.at;
    return next;
  }

  private removeTop(): void {
    const heap = this.heap;
    this.byTime.delete(heap[0].at);
    const last = heap.pop()!;
    if (!heap.length) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= heap.length) break;
      const r = l + 1;
      const c = r < heap.length && heap[r].at < heap[l].at ? r : l;
      if (heap[c].at >= last.at) break;
      heap[i] = heap[c];
      i = c;
    }
    heap[i] = last;
  }
}

/** What a run effect's slot holds: the effect (and what it holds) can be collected before its bucket is done. */
const NOTHING = () => {};
