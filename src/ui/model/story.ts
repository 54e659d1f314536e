/** The event log as a story a person (or a screen reader) can follow. */
import type { StampedEvent } from '../../core/events.ts';

const at = (r: { connection: string; channel: number }) => `${r.connection}:${r.channel}`;

/** One sentence per event, or null for events that tell nothing new. */
export function tell(e: StampedEvent): string | null {
  switch (e.type) {
    case 'connection.opened':
      return `Connection ${e.connection} opened as ${e.user}.`;
    case 'connection.closed':
      return e.error ? `Connection ${e.connection} closed by the broker: ${e.error.replyText}.` : `Connection ${e.connection} closed.`;
    case 'channel.state':
      if (e.state === 'closing') return null;
      return e.error ? `Channel ${at(e)} closed by the broker: ${e.error.replyText}.` : `Channel ${at(e)} ${e.state === 'open' ? 'opened' : 'closed'}.`;
    case 'exchange.declared':
      return `Exchange ${e.exchange} (${e.exchangeType}) declared.`;
    case 'exchange.deleted':
      return `Exchange ${e.exchange} deleted${e.reason === 'auto-delete' ? ' (auto-delete: its last binding went away)' : ''}.`;
    case 'queue.declared':
      return `Queue ${e.queue} declared${e.exclusive ? ', exclusive to its connection' : ''}.`;
    case 'queue.deleted':
      return `Queue ${e.queue} deleted${e.reason === 'deleted' ? '' : ` (${e.reason.replace(/-/g, ' ')})`}.`;
    case 'queue.purged':
      return `Queue ${e.queue} purged: ${e.count} messages removed.`;
    case 'binding.created':
      return `${e.binding.destination.kind === 'queue' ? 'Queue' : 'Exchange'} ${e.binding.destination.name} bound to ${e.binding.source} with key '${e.binding.routingKey}'.`;
    case 'binding.deleted':
      return `Binding of ${e.binding.destination.name} to ${e.binding.source} with key '${e.binding.routingKey}' removed.`;
    case 'consumer.added':
      return `Consumer ${e.consumerTag} on ${at(e.at)} consumes from ${e.queue}${e.noAck ? ' without acks' : e.prefetch ? ` with prefetch ${e.prefetch}` : ''}.`;
    case 'consumer.cancelled':
      return `Consumer ${e.consumerTag} ${e.by === 'broker' ? 'cancelled by the broker (its queue is gone)' : e.by === 'channel-closed' ? 'ended with its channel' : 'cancelled'}.`;
    case 'channel.qos':
      return `Channel ${at(e.at)} sets prefetch ${e.prefetchCount}${e.global ? ' for the whole channel' : ' per consumer'}.`;
    case 'message.published':
      return `Message #${e.message.id} published by ${at(e.at)} to ${e.message.exchange === '' ? 'the default exchange' : `exchange ${e.message.exchange}`} with key '${e.message.routingKey}'.`;
    case 'message.routed':
      return e.queues.length ? `Message #${e.messageId} routed to ${e.queues.join(', ')}.` : `Message #${e.messageId} matched no binding of ${e.exchange === '' ? 'the default exchange' : e.exchange}.`;
    case 'message.enqueued':
      return `Message #${e.messageId} waits in ${e.queue} (${e.ready} ready).`;
    case 'message.delivered':
      return `Message #${e.messageId} delivered from ${e.queue} to ${e.consumerTag ?? 'basic.get'} on ${at(e.at)}, delivery tag ${e.deliveryTag}${e.redelivered ? ', redelivered' : ''}.`;
    case 'message.acked':
      return e.auto ? null : `Message #${e.messageId} acknowledged (tag ${e.deliveryTag}).`;
    case 'message.nacked':
      return `Message #${e.messageId} ${e.method === 'basic.reject' ? 'rejected' : 'nacked'} (tag ${e.deliveryTag})${e.requeue ? ', to be requeued' : ''}.`;
    case 'message.requeued':
      return `Message #${e.messageId} back in ${e.queue} at its old place, marked redelivered.`;
    case 'message.returned':
      return `Message #${e.messageId} returned to ${at(e.at)}: ${e.replyCode} ${e.replyText}.`;
    case 'message.dead-lettered':
      return `Message #${e.messageId} dead-lettered from ${e.queue} (${e.reason}) to exchange ${e.exchange === '' ? "''" : e.exchange}.`;
    case 'message.expired':
      return `Message #${e.messageId} expired in ${e.queue}.`;
    case 'message.dropped':
      return `Message #${e.messageId} dropped${e.queue ? ` from ${e.queue}` : ''} (${e.reason.replace(/-/g, ' ')}).`;
    case 'message.confirmed':
      return `Publish ${e.sequence} on ${at(e.at)} ${e.ack ? 'confirmed' : 'nacked'} by the broker.`;
    case 'error':
      return `Error on ${at(e.at)}: ${e.error.replyText}.`;
    case 'broker.restarted':
      return 'The broker restarted: durable things survived.';
    default:
      return null;
  }
}
