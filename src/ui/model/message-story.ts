/**
 * One message's story for the inspector — every routing decision it went
 * through and what happened to it, as sentences put into words when shown
 * — read from the recorded events when someone looks, rather than kept for
 * every message as it flies (a burst would keep tens of thousands nobody
 * opens).
 */
import type { StampedEvent } from '../../core/events.ts';
import type { Said } from './story.ts';

export type RoutedEvent = Extract<StampedEvent, { type: 'message.routed' }>;

export interface MessageStory {
  /** Every routing decision it went through (one per exchange visited). */
  routes: RoutedEvent[];
  /** What happened to it, in order. */
  history: Said[];
}

const h = (key: string, params?: Said['params']): Said => ({ key: `history.${key}`, params });

/** What `e` says of message `id`, or null when it is not about that message. */
export function historyLine(e: StampedEvent, id: number): Said | null {
  switch (e.type) {
    case 'message.published':
      return e.message.id === id ? h('published', { exchange: e.message.exchange, key: e.message.routingKey }) : null;
    case 'message.dead-lettered':
      if (e.newMessageId === id) return h('dead-letter-copy', { id: e.messageId });
      return e.messageId === id ? h('dead-lettered', { queue: e.queue, reason: e.reason, exchange: e.exchange, id: e.newMessageId }) : null;
    case 'message.routed':
    case 'message.delivered':
    case 'message.acked':
    case 'message.nacked':
    case 'message.requeued':
    case 'message.returned':
    case 'message.expired':
    case 'message.dropped':
      return e.messageId === id ? aboutIt(e) : null;
    default:
      return null;
  }
}

type About = Extract<StampedEvent, { type: 'message.routed' | 'message.delivered' | 'message.acked' | 'message.nacked' | 'message.requeued' | 'message.returned' | 'message.expired' | 'message.dropped' }>;

function aboutIt(e: About): Said | null {
  switch (e.type) {
    case 'message.routed':
      return e.queues.length === 0 ? h('unrouted', { exchange: e.exchange }) : h('routed', { exchange: e.exchange, queues: e.queues.join(', ') });
    case 'message.delivered':
      return h(e.redelivered ? 'redelivered' : 'delivered', { queue: e.queue, consumer: e.consumerTag ?? 'basic.get', channel: `${e.at.connection}:${e.at.channel}`, tag: e.deliveryTag });
    case 'message.acked':
      return e.auto ? null : h('acked', { tag: e.deliveryTag });
    case 'message.nacked':
      return h(`${e.method === 'basic.reject' ? 'rejected' : 'nacked'}.${e.requeue ? 'requeue' : 'drop'}`, { tag: e.deliveryTag });
    case 'message.requeued':
      return h('requeued', { queue: e.queue, reason: { key: `history.requeue.${e.reason}` } });
    case 'message.returned':
      return h('returned', { code: e.replyCode, reply: e.replyText });
    case 'message.expired':
      return h('expired', { queue: e.queue });
    case 'message.dropped':
      return h('dropped', { reason: { key: `story.drop.${e.reason}` } });
  }
}

/**
 * Reads one message's story from a list of events, up to a time. Asked
 * again for the same message over the same (growing) list, it reads only
 * the events added since.
 */
export class MessageStories {
  private events: readonly StampedEvent[] | null = null;
  private id = -1;
  private until = -Infinity;
  private read = 0;
  private story: MessageStory = { routes: [], history: [] };

  of(events: readonly StampedEvent[], id: number, until = Infinity): MessageStory {
    if (events !== this.events || id !== this.id || until < this.until || this.read > events.length) {
      this.events = events;
      this.id = id;
      this.read = 0;
      this.story = { routes: [], history: [] };
    }
    this.until = until;
    for (; this.read < events.length && events[this.read].time <= until; this.read++) {
      const e = events[this.read];
      const line = historyLine(e, id);
      if (!line) continue;
      if (e.type === 'message.routed') this.story.routes.push(e);
      this.story.history.push(line);
    }
    return { routes: [...this.story.routes], history: [...this.story.history] };
  }
}
