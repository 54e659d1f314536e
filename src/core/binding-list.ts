import type { BrokerBinding } from './binding.ts';

/**
 * Bindings in the order they were made, as a list threaded through the
 * bindings themselves: adding and removing cost no allocation and no
 * hashing, and iteration follows creation order, which events, snapshots
 * and exports show. A binding is in two lists, its source exchange's
 * (sourcePrev/sourceNext) and its destination's (destinationPrev/Next).
 */
export class BindingList implements Iterable<BrokerBinding> {
  size = 0;
  private head: BrokerBinding | null = null;
  private tail: BrokerBinding | null = null;

  /** `side`: which of a binding's two lists this is. */
  constructor(private readonly side: 'source' | 'destination') {}

  add(b: BrokerBinding): void {
    const tail = this.tail;
    this.link(b, tail, null);
    if (tail) this.link(tail, this.prev(tail), b);
    else this.head = b;
    this.tail = b;
    this.size++;
  }

  /** Removes a binding of this list (only ever called for one). */
  delete(b: BrokerBinding): void {
    const prev = this.prev(b);
    const next = this.next(b);
    if (prev) this.link(prev, this.prev(prev), next);
    else this.head = next;
    if (next) this.link(next, prev, this.next(next));
    else this.tail = prev;
    this.link(b, null, null);
    this.size--;
  }

  /** In creation order; removing the binding just visited is safe. */
  *values(): IterableIterator<BrokerBinding> {
    for (let b = this.head; b; ) {
      const next = this.next(b);
      yield b;
      b = next;
    }
  }

  [Symbol.iterator](): IterableIterator<BrokerBinding> {
    return this.values();
  }

  private prev(b: BrokerBinding): BrokerBinding | null {
    return this.side === 'source' ? b.sourcePrev : b.destinationPrev;
  }

  private next(b: BrokerBinding): BrokerBinding | null {
    return this.side === 'source' ? b.sourceNext : b.destinationNext;
  }

  private link(b: BrokerBinding, prev: BrokerBinding | null, next: BrokerBinding | null): void {
    if (this.side === 'source') {
      b.sourcePrev = prev;
      b.sourceNext = next;
    } else {
      b.destinationPrev = prev;
      b.destinationNext = next;
    }
  }
}
