/**
 * The event log as a story a person (or a screen reader) can follow.
 * A sentence is kept as a key and its parameters, and put into words when
 * shown, so switching language retells the whole story.
 */
import type { StampedEvent } from '../../core/events.ts';
import { pageT, type Translate } from '../../i18n/locale.svelte.ts';

/** A sentence to say: a string key and its parameters (which may be sentences too). */
export interface Said {
  key: string;
  params?: Record<string, string | number | Said>;
}

/** Puts a sentence into words in the current language (the page's, unless another translation is given). */
export function say(s: Said, t: Translate = pageT): string {
  if (!s.params) return t(s.key);
  const params: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(s.params)) params[k] = typeof v === 'object' ? say(v, t) : v;
  return t(s.key, params);
}

const at = (r: { connection: string; channel: number }) => `${r.connection}:${r.channel}`;
const s = (key: string, params?: Said['params']): Said => ({ key: `story.${key}`, params });
const exchangeName = (name: string): Said => (name === '' ? s('default-exchange') : s('exchange-named', { name }));

/** Whether `tell(e)` says something, without building the sentence (a burst tells tens of thousands). */
export function tells(e: StampedEvent): boolean {
  switch (e.type) {
    case 'clock.advanced':
      return false;
    case 'channel.state':
      return e.state !== 'closing';
    case 'message.acked':
      return !e.auto;
    default:
      return true;
  }
}

/** One sentence per event, or null for events that tell nothing new (exactly those `tells` rejects). */
export function tell(e: StampedEvent): Said | null {
  switch (e.type) {
    case 'connection.opened':
      return s('connection.opened', { connection: e.connection, user: e.user });
    case 'connection.closed':
      return e.error ? s('connection.closed.error', { connection: e.connection, reply: e.error.replyText }) : s('connection.closed', { connection: e.connection });
    case 'channel.state':
      if (e.state === 'closing') return null;
      if (e.error) return s('channel.closed.error', { channel: at(e), reply: e.error.replyText });
      return s(e.state === 'open' ? 'channel.opened' : 'channel.closed', { channel: at(e) });
    case 'exchange.declared':
      return s('exchange.declared', { exchange: e.exchange, type: e.exchangeType });
    case 'exchange.deleted':
      return s(e.reason === 'auto-delete' ? 'exchange.deleted.auto' : 'exchange.deleted', { exchange: e.exchange });
    case 'queue.declared':
      return s(e.exclusive ? 'queue.declared.exclusive' : 'queue.declared', { queue: e.queue });
    case 'queue.deleted':
      return s(`queue.deleted.${e.reason}`, { queue: e.queue });
    case 'queue.purged':
      return s('queue.purged', { queue: e.queue, count: e.count });
    case 'binding.created':
    case 'binding.deleted': {
      const kind = e.binding.destination.kind;
      return s(`${e.type}.${kind}`, { destination: e.binding.destination.name, source: e.binding.source, key: e.binding.routingKey });
    }
    case 'consumer.added': {
      const params = { tag: e.consumerTag, channel: at(e.at), queue: e.queue, prefetch: e.prefetch };
      return s(e.noAck ? 'consumer.added.noack' : e.prefetch ? 'consumer.added.prefetch' : 'consumer.added', params);
    }
    case 'consumer.cancelled':
      return s(`consumer.cancelled.${e.by}`, { tag: e.consumerTag });
    case 'channel.qos':
      return s(e.global ? 'channel.qos.global' : 'channel.qos', { channel: at(e.at), count: e.prefetchCount });
    case 'message.published':
      return s('message.published', { id: e.message.id, channel: at(e.at), exchange: exchangeName(e.message.exchange), key: e.message.routingKey });
    case 'message.routed':
      return e.queues.length
        ? s('message.routed', { id: e.messageId, queues: e.queues.join(', ') })
        : s('message.unrouted', { id: e.messageId, exchange: exchangeName(e.exchange) });
    case 'message.enqueued':
      return s('message.enqueued', { id: e.messageId, queue: e.queue, ready: e.ready });
    case 'message.delivered':
      return s(e.redelivered ? 'message.delivered.redelivered' : 'message.delivered', {
        id: e.messageId,
        queue: e.queue,
        consumer: e.consumerTag ?? 'basic.get',
        channel: at(e.at),
        tag: e.deliveryTag,
      });
    case 'message.acked':
      return e.auto ? null : s('message.acked', { id: e.messageId, tag: e.deliveryTag });
    case 'message.nacked':
      return s(`message.${e.method === 'basic.reject' ? 'rejected' : 'nacked'}${e.requeue ? '.requeue' : ''}`, { id: e.messageId, tag: e.deliveryTag });
    case 'message.requeued':
      return s('message.requeued', { id: e.messageId, queue: e.queue });
    case 'message.returned':
      return s('message.returned', { id: e.messageId, channel: at(e.at), code: e.replyCode, reply: e.replyText });
    case 'message.dead-lettered':
      return s('message.dead-lettered', { id: e.messageId, queue: e.queue, reason: e.reason, exchange: e.exchange === '' ? "''" : e.exchange });
    case 'message.expired':
      return s('message.expired', { id: e.messageId, queue: e.queue });
    case 'message.dropped':
      return e.queue
        ? s('message.dropped.from', { id: e.messageId, queue: e.queue, reason: s(`drop.${e.reason}`) })
        : s('message.dropped', { id: e.messageId, reason: s(`drop.${e.reason}`) });
    case 'message.confirmed':
      return s(e.ack ? 'message.confirmed' : 'message.confirm-nacked', { sequence: e.sequence, channel: at(e.at) });
    case 'error':
      return s('error', { channel: at(e.at), reply: e.error.replyText });
    case 'broker.restarted':
      return s('broker.restarted');
    default:
      return null;
  }
}
