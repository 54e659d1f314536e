/**
 * The engine's event stream: everything that happens, in order, stamped
 * with virtual time. The engine never knows who listens; the shell printer,
 * the animation, lesson checks and the inspector all subscribe here.
 */
import type { AmqpError } from './errors.ts';
import type { FieldTable } from './fields.ts';
import type { Message } from './message.ts';

export type ChannelRef = { connection: string; channel: number };
export type DestinationRef = { kind: 'queue' | 'exchange'; name: string };
export type BindingRef = { source: string; destination: DestinationRef; routingKey: string; arguments: FieldTable };

export type DropReason =
  | 'unroutable'
  | 'maxlen'
  | 'expired'
  | 'rejected'
  | 'purged'
  | 'queue-deleted'
  | 'reject-publish'
  | 'dlx-missing'
  | 'dead-letter-cycle'
  | 'dead-letter-unroutable';

export type DeadLetterReason = 'rejected' | 'expired' | 'maxlen';

/** One exchange visited while routing: which bindings matched. */
export interface RouteHop {
  exchange: string;
  matched: BindingRef[];
  /** Bindings that did not match (only when detail is switched on). */
  unmatched?: BindingRef[];
  /** Set when this hop was reached as an alternate exchange. */
  alternateOf?: string;
}

export type BrokerEvent =
  | { type: 'connection.opened'; connection: string; user: string }
  | { type: 'connection.closed'; connection: string; error?: AmqpError }
  | { type: 'channel.state'; connection: string; channel: number; state: 'open' | 'closing' | 'closed'; error?: AmqpError }
  | { type: 'exchange.declared'; exchange: string; exchangeType: string; durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable }
  | { type: 'exchange.deleted'; exchange: string; reason: 'deleted' | 'auto-delete' }
  | { type: 'queue.declared'; queue: string; durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: FieldTable; owner?: string }
  | { type: 'queue.deleted'; queue: string; reason: 'deleted' | 'auto-delete' | 'expired' | 'exclusive-owner-closed' | 'restart' }
  | { type: 'queue.purged'; queue: string; count: number }
  | { type: 'binding.created'; binding: BindingRef }
  | { type: 'binding.deleted'; binding: BindingRef }
  | { type: 'consumer.added'; queue: string; consumerTag: string; at: ChannelRef; noAck: boolean; exclusive: boolean; priority: number; prefetch: number }
  | { type: 'consumer.cancelled'; queue: string; consumerTag: string; at: ChannelRef; by: 'client' | 'broker' | 'channel-closed' }
  | { type: 'channel.qos'; at: ChannelRef; prefetchCount: number; global: boolean }
  | { type: 'message.published'; message: Message; at: ChannelRef; mandatory: boolean }
  | { type: 'message.routed'; messageId: number; exchange: string; queues: string[]; hops: RouteHop[] }
  | { type: 'message.enqueued'; messageId: number; queue: string; ready: number }
  | { type: 'message.delivered'; messageId: number; queue: string; at: ChannelRef; consumerTag: string | null; deliveryTag: number; redelivered: boolean; noAck: boolean }
  | { type: 'message.acked'; messageId: number; queue: string; at: ChannelRef; deliveryTag: number; auto: boolean }
  | { type: 'message.nacked'; messageId: number; queue: string; at: ChannelRef; deliveryTag: number; requeue: boolean; method: 'basic.nack' | 'basic.reject' }
  | { type: 'message.requeued'; messageId: number; queue: string; reason: 'nack' | 'reject' | 'channel-closed' | 'recover' | 'cancelled' }
  | { type: 'message.returned'; messageId: number; at: ChannelRef; replyCode: number; replyText: string }
  | { type: 'message.dead-lettered'; messageId: number; queue: string; reason: DeadLetterReason; exchange: string; newMessageId: number }
  | { type: 'message.expired'; messageId: number; queue: string }
  | { type: 'message.dropped'; messageId: number; queue: string | null; reason: DropReason }
  | { type: 'message.confirmed'; at: ChannelRef; sequence: number; ack: boolean }
  | { type: 'error'; at: ChannelRef; error: AmqpError }
  | { type: 'clock.advanced'; from: number; to: number }
  | { type: 'broker.restarted' };

export type StampedEvent = BrokerEvent & { time: number; seq: number };

export type Listener = (event: StampedEvent) => void;

export class EventStream {
  private listeners: Listener[] = [];
  private seq = 0;
  /** True when someone listens: the engine skips building events otherwise. */
  active = false;
  /** Compute unmatched bindings for message.routed (costly on big exchanges). */
  routeDetail = false;

  constructor(private readonly now: () => number) {}

  subscribe(listener: Listener): () => void {
    this.listeners.push(listener);
    this.active = true;
    return () => {
      this.listeners = this.listeners.filter((l) => l !== listener);
      this.active = this.listeners.length > 0;
    };
  }

  emit(event: BrokerEvent): void {
    const stamped = event as StampedEvent;
    stamped.time = this.now();
    stamped.seq = this.seq++;
    const ls = this.listeners;
    for (let i = 0; i < ls.length; i++) ls[i](stamped);
  }
}
