/**
 * Changes to the viewed world waiting for their time (a message joining a
 * queue's stack when its flight lands), run in time order, ties in the
 * order they were scheduled. A binary heap: a burst schedules tens of
 * thousands, and each costs O(log n) to add and to run, never a shift of
 * the whole list.
 */
interface Effect {
  at: number;
  seq: number;
  apply: () => void;
}

const before = (a: Effect, b: Effect) => a.at < b.at || (a.at === b.at && a.seq < b.seq);

export class EffectQueue {
  private heap: Effect[] = [];
  private seq = 0;

  get size(): number {
    return this.heap.length;
  }

  /** Schedules `apply` for time `at`. */
  add(at: number, apply: () => void): void {
    const heap = this.heap;
    const e = { at, seq: this.seq++, apply };
    let i = heap.length;
    heap.push(e);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(e, heap[parent])) break;
      heap[i] = heap[parent];
      i = parent;
    }
    heap[i] = e;
  }

  /** Runs, in order, every effect due by `now` (including those they schedule for then); returns how many ran. */
  runDue(now: number): number {
    let n = 0;
    while (this.heap.length && this.heap[0].at <= now) {
      this.take().apply();
      n++;
    }
    return n;
  }

  /** The time of the first effect after `now`, or Infinity. */
  nextAfter(now: number): number {
    const top = this.heap[0];
    if (!top) return Infinity;
    if (top.at > now) return top.at;
    let next = Infinity;
    for (const e of this.heap) if (e.at > now && e.at < next) next = e.at;
    return next;
  }

  private take(): Effect {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length) {
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= heap.length) break;
        const r = l + 1;
        const c = r < heap.length && before(heap[r], heap[l]) ? r : l;
        if (!before(heap[c], last)) break;
        heap[i] = heap[c];
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
