/**
 * What a channel's xstate machine says about it, for the views: its state
 * (open / closing / closed, the machine's own value), the next delivery tag,
 * the unacked tags, prefetch and confirm/tx mode (the machine's context).
 * Read from the live broker and kept with the time it was read, so that a
 * look back in time shows what the machine said then.
 */
import type { Broker } from '../../core/broker.ts';
import type { Channel } from '../../core/channel.ts';
import { clientId } from './projection.ts';

/** At most this many unacked tags are listed (the count says how many in all). */
export const LISTED_TAGS = 12;

export interface ChannelStatus {
  state: 'open' | 'closing' | 'closed';
  nextDeliveryTag: number;
  /** The oldest unacked delivery tags, at most LISTED_TAGS of them. */
  unackedTags: number[];
  /** How many deliveries are unacked. */
  unacked: number;
  /** basic.qos global=false: each new consumer's limit (0: none). */
  prefetch: number;
  /** basic.qos global=true: the channel's limit (0: none). */
  globalPrefetch: number;
  confirm: boolean;
  /** In confirm mode: the sequence number of the last publish. */
  publishSeq: number;
  tx: boolean;
}

/** One channel, as its machine says. */
export function readChannel(ch: Channel): ChannelStatus {
  const snap = ch.actor.getSnapshot();
  const ledger = snap.context.ledger;
  const unackedTags: number[] = [];
  for (const [tag] of ledger.unacked) {
    if (unackedTags.length === LISTED_TAGS) break;
    unackedTags.push(tag);
  }
  return {
    state: snap.value as ChannelStatus['state'],
    nextDeliveryTag: ledger.nextTag,
    unackedTags,
    unacked: ledger.unacked.size,
    prefetch: ledger.consumerPrefetch,
    globalPrefetch: ledger.globalPrefetch,
    confirm: ledger.confirm,
    publishSeq: ledger.publishSeq,
    tx: ledger.tx,
  };
}

/** Every channel of every connection, keyed as the projection keys its channels. */
export function readChannels(broker: Broker): Map<string, ChannelStatus> {
  const out = new Map<string, ChannelStatus>();
  for (const conn of broker.connections.values()) {
    for (const ch of conn.channels.values()) out.set(clientId(ch.ref), readChannel(ch));
  }
  return out;
}

function same(a: ChannelStatus, b: ChannelStatus): boolean {
  return (
    a.state === b.state &&
    a.nextDeliveryTag === b.nextDeliveryTag &&
    a.unacked === b.unacked &&
    a.prefetch === b.prefetch &&
    a.globalPrefetch === b.globalPrefetch &&
    a.confirm === b.confirm &&
    a.publishSeq === b.publishSeq &&
    a.tx === b.tx &&
    a.unackedTags.length === b.unackedTags.length &&
    a.unackedTags.every((t, i) => t === b.unackedTags[i])
  );
}

export function sameChannels(a: ReadonlyMap<string, ChannelStatus>, b: ReadonlyMap<string, ChannelStatus>): boolean {
  if (a.size !== b.size) return false;
  for (const [id, s] of a) {
    const o = b.get(id);
    if (!o || !same(s, o)) return false;
  }
  return true;
}

/**
 * The machines' statuses over time: a reading is kept only when something
 * changed, so looking back finds what they said at any moment.
 */
export class ChannelHistory {
  private readings: Array<{ time: number; channels: Map<string, ChannelStatus> }> = [];

  constructor(private readonly limit = 5000) {}

  /** Records a reading taken at `time`; returns the latest reading (this one or an equal earlier one). */
  record(time: number, channels: Map<string, ChannelStatus>): Map<string, ChannelStatus> {
    const last = this.readings.at(-1);
    if (last && sameChannels(last.channels, channels)) return last.channels;
    this.readings.push({ time, channels });
    if (this.readings.length > this.limit) this.readings.splice(0, this.readings.length - this.limit);
    return channels;
  }

  /** What the machines said at `time` (empty before the first reading). */
  at(time: number): Map<string, ChannelStatus> {
    const r = this.readings;
    let lo = 0;
    let hi = r.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid].time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo ? r[lo - 1].channels : new Map();
  }

  /** Forgets readings after `time` (the broker went back to it). */
  forgetAfter(time: number): void {
    while (this.readings.length && this.readings.at(-1)!.time > time) this.readings.pop();
  }
}
