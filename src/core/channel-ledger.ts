import { AmqpError, type MethodName } from './errors.ts';
import type { QueuedMessage } from './message.ts';
import { UnackedLog } from './unacked-log.ts';

/** Who a delivery went to: a consumer, or a basic.get (null). */
export interface LedgerConsumer {
  readonly tag: string;
  unacked: number;
}

/** The queue a delivery came from, as the ledger sees it. */
export interface LedgerQueue {
  readonly name: string;
}

/** A delivery awaiting ack on one channel. */
export interface Delivery {
  readonly tag: number;
  readonly queue: LedgerQueue;
  readonly entry: QueuedMessage;
  readonly consumer: LedgerConsumer | null;
  /** Virtual time of the delivery (for the consumer timeout). */
  readonly deliveredAt: number;
}

/**
 * A channel's per-message bookkeeping: the delivery-tag counter, the
 * unacked deliveries in tag order, prefetch and confirm state. The channel
 * machine's actions call these methods, and the broker's fast path calls
 * them directly; tests prove both give the same results.
 */
export class ChannelLedger {
  nextTag = 1;
  readonly unacked = new UnackedLog<Delivery>();
  /** basic.qos global=false: the limit given to consumers created from now on. */
  consumerPrefetch = 0;
  /** basic.qos global=true: one limit for the whole channel (0 = none). */
  globalPrefetch = 0;
  confirm = false;
  /** The sequence number of the last publish in confirm mode. */
  publishSeq = 0;
  tx = false;
  /**
   * Deliveries acked inside an uncommitted transaction: gone from the
   * ledger (their tags are settled) but still outstanding for prefetch.
   */
  held = 0;

  record(entry: QueuedMessage, queue: LedgerQueue, consumer: LedgerConsumer | null, noAck: boolean, now: number): number {
    const tag = this.nextTag++;
    if (!noAck) {
      this.unacked.set(tag, { tag, queue, entry, consumer, deliveredAt: now });
      if (consumer) consumer.unacked++;
    }
    return tag;
  }

  /** Whether ack/nack/reject of (tag, multiple) names outstanding deliveries. */
  canSettle(tag: number, multiple: boolean): boolean {
    if (multiple && tag === 0) return true;
    return this.unacked.has(tag);
  }

  /**
   * Removes and returns the deliveries that (tag, multiple) settles, in tag
   * order; RabbitMQ's collect_acks. Throws 406 unknown delivery tag.
   */
  collect(tag: number, multiple: boolean, method: MethodName): Delivery[] {
    if (!this.canSettle(tag, multiple)) throw new AmqpError(406, `unknown delivery tag ${tag}`, method);
    if (!multiple) return [this.take(tag)];
    const out: Delivery[] = [];
    for (const [t] of [...this.unacked]) {
      if (tag !== 0 && t > tag) break;
      out.push(this.take(t));
    }
    return out;
  }

  /** Every unacked delivery, in tag order, removed from the ledger. */
  takeAll(): Delivery[] {
    const out = [...this.unacked.keys()].map((t) => this.take(t));
    return out;
  }

  /** Puts deliveries back (tx.rollback of buffered acks), keeping tag order. */
  restore(deliveries: Delivery[]): void {
    const all = [...this.unacked.values(), ...deliveries].sort((a, b) => a.tag - b.tag);
    this.unacked.clear();
    for (const d of all) {
      this.unacked.set(d.tag, d);
      if (deliveries.includes(d) && d.consumer) d.consumer.unacked++;
    }
  }

  /** The oldest unacked delivery. */
  get oldest(): Delivery | undefined {
    return this.unacked.first();
  }

  /** Has the channel-wide limit been reached? */
  get globalBlocked(): boolean {
    return this.globalPrefetch > 0 && this.unacked.size + this.held >= this.globalPrefetch;
  }

  private take(tag: number): Delivery {
    const d = this.unacked.get(tag)!;
    this.unacked.delete(tag);
    if (d.consumer) d.consumer.unacked--;
    return d;
  }
}
