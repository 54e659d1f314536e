/**
 * A channel's unacked deliveries, in delivery-tag order, with Map's
 * interface. Tags only rise, so deliveries are appended to a ring; settled
 * ones leave a hole that is dropped once it reaches the head (acks mostly
 * settle the oldest). Lookups check the head first and fall back to a
 * binary search. Unlike a Map under heavy set/delete churn, this allocates
 * nothing per message.
 */
export class UnackedLog<T> {
  private tags: number[] = new Array(16);
  private items: Array<T | undefined> = new Array(16);
  private head = 0;
  /** Slots in use, holes included. */
  private count = 0;
  private live = 0;

  get size(): number {
    return this.live;
  }

  /** Appends a delivery; its tag must be above every tag already here. */
  set(tag: number, item: T): this {
    if (this.count === this.tags.length) this.grow();
    const i = (this.head + this.count) & (this.tags.length - 1);
    this.tags[i] = tag;
    this.items[i] = item;
    this.count++;
    this.live++;
    return this;
  }

  has(tag: number): boolean {
    return this.indexOf(tag) >= 0;
  }

  get(tag: number): T | undefined {
    const i = this.indexOf(tag);
    return i < 0 ? undefined : this.items[i];
  }

  delete(tag: number): boolean {
    const i = this.indexOf(tag);
    if (i < 0) return false;
    this.items[i] = undefined;
    this.live--;
    const mask = this.tags.length - 1;
    while (this.count > 0 && this.items[this.head] === undefined) {
      this.head = (this.head + 1) & mask;
      this.count--;
    }
    if (this.count > 64 && this.count > 4 * this.live) this.compact();
    return true;
  }

  clear(): void {
    this.tags = new Array(16);
    this.items = new Array(16);
    this.head = this.count = this.live = 0;
  }

  *keys(): IterableIterator<number> {
    for (const [t] of this) yield t;
  }

  *values(): IterableIterator<T> {
    for (const [, v] of this) yield v;
  }

  *[Symbol.iterator](): IterableIterator<[number, T]> {
    const mask = this.tags.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      const item = this.items[i];
      if (item !== undefined) yield [this.tags[i], item];
    }
  }

  /** The oldest delivery. */
  first(): T | undefined {
    return this.count ? this.items[this.head] : undefined;
  }

  /** Ring index of a live tag, or -1. */
  private indexOf(tag: number): number {
    if (this.count === 0) return -1;
    const mask = this.tags.length - 1;
    if (this.tags[this.head] === tag) return this.head;
    let lo = 0;
    let hi = this.count - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const i = (this.head + mid) & mask;
      const t = this.tags[i];
      if (t === tag) return this.items[i] === undefined ? -1 : i;
      if (t < tag) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }

  private grow(): void {
    const size = this.tags.length * 2;
    const tags: number[] = new Array(size);
    const items: Array<T | undefined> = new Array(size);
    const mask = this.tags.length - 1;
    for (let k = 0; k < this.count; k++) {
      const i = (this.head + k) & mask;
      tags[k] = this.tags[i];
      items[k] = this.items[i];
    }
    this.tags = tags;
    this.items = items;
    this.head = 0;
  }

  /** Drops holes when they outnumber live deliveries. */
  private compact(): void {
    const live = [...this];
    this.clear();
    while (this.tags.length < live.length) this.grow();
    for (const [t, v] of live) this.set(t, v);
  }
}
