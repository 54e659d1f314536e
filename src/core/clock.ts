/**
 * The virtual clock: time only moves when someone advances it, and timers
 * fire in time order (ties in the order they were set) as it passes them.
 */
export interface Timer {
  readonly at: number;
  readonly seq: number;
  cancelled: boolean;
  readonly fire: () => void;
}

export class VirtualClock {
  private current: number;
  private heap: Timer[] = [];
  private seq = 0;
  /** Called after each timer fires (the broker uses it to settle). */
  onAdvance: ((now: number) => void) | null = null;

  constructor(start = 0) {
    this.current = start;
  }

  /** Milliseconds since the Unix epoch, virtually. */
  get now(): number {
    return this.current;
  }

  setTimer(at: number, fire: () => void): Timer {
    const timer: Timer = { at, seq: this.seq++, cancelled: false, fire };
    this.push(timer);
    return timer;
  }

  cancel(timer: Timer | null | undefined): void {
    if (timer) timer.cancelled = true;
  }

  /** The time of the next pending timer, or Infinity. */
  get nextAt(): number {
    while (this.heap.length && this.heap[0].cancelled) this.pop();
    return this.heap.length ? this.heap[0].at : Infinity;
  }

  /**
   * Moves time forward by `ms`, firing every timer due on the way. When
   * `shouldYield` (asked after each timer) says so, time stays at that
   * timer's and the call returns false: a later call fires the rest, in
   * the same order, so where a caller stops changes nothing that happens.
   */
  advance(ms: number, shouldYield?: () => boolean): boolean {
    if (!(ms >= 0)) throw new RangeError(`cannot advance the clock by ${ms} ms`);
    return this.advanceTo(this.current + ms, shouldYield);
  }

  /** As `advance`, to a time (never backwards: an earlier target only fires what is due). */
  advanceTo(target: number, shouldYield?: () => boolean): boolean {
    for (;;) {
      const at = this.nextAt;
      if (at > target) break;
      const timer = this.pop()!;
      if (timer.at > this.current) this.current = timer.at;
      timer.fire();
      this.onAdvance?.(this.current);
      if (shouldYield?.() && this.nextAt <= target) return false;
    }
    if (target > this.current) this.current = target;
    return true;
  }

  /** Fires timers that are already due (set for now or earlier); false when it yielded first. */
  runDue(shouldYield?: () => boolean): boolean {
    return this.advanceTo(this.current, shouldYield);
  }

  /** Restores the time (snapshot restore); pending timers are dropped. */
  reset(now: number): void {
    this.current = now;
    this.heap = [];
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(t: Timer): void {
    const h = this.heap;
    h.push(t);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i], h[p])) break;
      [h[i], h[p]] = [h[p], h[i]];
      i = p;
    }
  }

  private pop(): Timer | undefined {
    const h = this.heap;
    if (!h.length) return undefined;
    const top = h[0];
    const last = h.pop()!;
    if (h.length) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && this.less(h[l], h[m])) m = l;
        if (r < h.length && this.less(h[r], h[m])) m = r;
        if (m === i) break;
        [h[i], h[m]] = [h[m], h[i]];
        i = m;
      }
    }
    return top;
  }
}
