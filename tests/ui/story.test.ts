/**
 * The story log: one sentence per event, in English and Chinese, retold
 * when the language changes; protocol text (reply texts, names, keys)
 * verbatim in both.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AmqpError } from '../../src/core/errors.ts';
import type { BrokerEvent, StampedEvent } from '../../src/core/events.ts';
import { LANGS, setLang } from '../../src/i18n/index.svelte.ts';
import { say, tell } from '../../src/ui/model/story.ts';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';

const ch = { connection: 'a', channel: 1 };
const refused = new AmqpError(404, "no exchange 'x' in vhost '/'", 'basic.publish');
const binding = (kind: 'queue' | 'exchange') => ({ source: 'news', destination: { kind, name: 'usa' }, routingKey: 'usa.#', arguments: {} });
const message = (exchange: string) => ({ id: 7, exchange, routingKey: 'usa.news' }) as never;

/** Every event, in every variant its sentence has. */
const EVENTS: BrokerEvent[] = [
  { type: 'connection.opened', connection: 'a', user: 'guest' },
  { type: 'connection.closed', connection: 'a' },
  { type: 'connection.closed', connection: 'a', error: refused },
  { type: 'channel.state', ...ch, state: 'open' },
  { type: 'channel.state', ...ch, state: 'closed' },
  { type: 'channel.state', ...ch, state: 'closed', error: refused },
  { type: 'exchange.declared', exchange: 'news', exchangeType: 'topic', durable: false, autoDelete: false, internal: false, arguments: {} },
  { type: 'exchange.deleted', exchange: 'news', reason: 'deleted' },
  { type: 'exchange.deleted', exchange: 'news', reason: 'auto-delete' },
  { type: 'queue.declared', queue: 'usa', durable: false, exclusive: false, autoDelete: false, arguments: {} },
  { type: 'queue.declared', queue: 'usa', durable: false, exclusive: true, autoDelete: false, arguments: {} },
  ...(['deleted', 'auto-delete', 'expired', 'exclusive-owner-closed', 'restart'] as const).map((reason) => ({ type: 'queue.deleted' as const, queue: 'usa', reason })),
  { type: 'queue.purged', queue: 'usa', count: 3 },
  { type: 'binding.created', binding: binding('queue') },
  { type: 'binding.created', binding: binding('exchange') },
  { type: 'binding.deleted', binding: binding('queue') },
  { type: 'binding.deleted', binding: binding('exchange') },
  ...[
    [false, 0],
    [true, 0],
    [false, 5],
  ].map(([noAck, prefetch]) => ({ type: 'consumer.added' as const, queue: 'usa', consumerTag: 'w', at: ch, noAck: noAck as boolean, exclusive: false, priority: 0, prefetch: prefetch as number })),
  ...(['client', 'broker', 'channel-closed'] as const).map((by) => ({ type: 'consumer.cancelled' as const, queue: 'usa', consumerTag: 'w', at: ch, by })),
  { type: 'channel.qos', at: ch, prefetchCount: 2, global: false },
  { type: 'channel.qos', at: ch, prefetchCount: 2, global: true },
  { type: 'message.published', message: message(''), at: ch, mandatory: false },
  { type: 'message.published', message: message('news'), at: ch, mandatory: false },
  { type: 'message.routed', messageId: 7, exchange: 'news', queues: ['usa', 'weather'], hops: [] },
  { type: 'message.routed', messageId: 7, exchange: '', queues: [], hops: [] },
  { type: 'message.enqueued', messageId: 7, queue: 'usa', ready: 2 },
  ...[false, true].map((redelivered) => ({ type: 'message.delivered' as const, messageId: 7, queue: 'usa', at: ch, consumerTag: null, deliveryTag: 1, redelivered, noAck: false })),
  { type: 'message.acked', messageId: 7, queue: 'usa', at: ch, deliveryTag: 1, auto: false },
  ...(['basic.nack', 'basic.reject'] as const).flatMap((method) =>
    [false, true].map((requeue) => ({ type: 'message.nacked' as const, messageId: 7, queue: 'usa', at: ch, deliveryTag: 1, requeue, method })),
  ),
  { type: 'message.requeued', messageId: 7, queue: 'usa', reason: 'channel-closed' },
  { type: 'message.returned', messageId: 7, at: ch, replyCode: 312, replyText: 'NO_ROUTE' },
  { type: 'message.dead-lettered', messageId: 7, queue: 'usa', reason: 'expired', exchange: '', newMessageId: 8 },
  { type: 'message.expired', messageId: 7, queue: 'usa' },
  ...(['unroutable', 'maxlen', 'expired', 'rejected', 'purged', 'queue-deleted', 'reject-publish', 'dlx-missing', 'dead-letter-cycle', 'dead-letter-unroutable'] as const).flatMap(
    (reason) => [null, 'usa'].map((queue) => ({ type: 'message.dropped' as const, messageId: 7, queue, reason })),
  ),
  ...[true, false].map((ack) => ({ type: 'message.confirmed' as const, at: ch, sequence: 1, ack })),
  { type: 'error', at: ch, error: refused },
  { type: 'broker.restarted' },
];

const stamped = (e: BrokerEvent): StampedEvent => ({ ...e, time: 0, seq: 0 }) as StampedEvent;

describe('the story', () => {
  afterEach(() => setLang('en'));

  it('tells every event in every language, each variant in its own words', () => {
    for (const lang of LANGS) {
      setLang(lang);
      const sentences = EVENTS.map((e) => say(tell(stamped(e))!));
      expect(sentences.every((x) => x.length > 0)).toBe(true);
      // Protocol text stays verbatim in every language.
      expect(sentences.filter((x) => x.includes("NOT_FOUND - no exchange 'x' in vhost '/'"))).toHaveLength(3);
    }
  });

  it('says in English what the log always said', () => {
    const en = (e: BrokerEvent) => say(tell(stamped(e))!);
    expect(en(EVENTS[5])).toBe("Channel a:1 closed by the broker: NOT_FOUND - no exchange 'x' in vhost '/'.");
    expect(en({ type: 'message.published', message: message(''), at: ch, mandatory: false })).toBe("Message #7 published by a:1 to the default exchange with key 'usa.news'.");
    expect(en({ type: 'message.dropped', messageId: 7, queue: 'usa', reason: 'queue-deleted' })).toBe('Message #7 dropped from usa (queue deleted).');
    expect(en({ type: 'consumer.added', queue: 'usa', consumerTag: 'w', at: ch, noAck: false, exclusive: false, priority: 0, prefetch: 5 })).toBe(
      'Consumer w on a:1 consumes from usa with prefetch 5.',
    );
  });

  it('says it in Chinese with the seed’s terms', () => {
    setLang('zh');
    expect(say(tell(stamped({ type: 'message.published', message: message('news'), at: ch, mandatory: false }))!)).toBe("消息 #7 由 a:1 发送到交换机 news，路由键 'usa.news'。");
    expect(say(tell(stamped({ type: 'queue.declared', queue: 'usa', durable: false, exclusive: false, autoDelete: false, arguments: {} }))!)).toBe('已声明队列 usa。');
  });

  it('retells the lines already in the log when the language changes', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare jobs');
    s.flushStory(true);
    const line = s.storyLines().find((l) => l.said.key === 'story.queue.declared')!;
    expect(line.text).toBe('Queue jobs declared.');
    setLang('zh');
    expect(line.text).toBe('已声明队列 jobs。');
  });

  it('ignores the events that tell nothing new', () => {
    expect(tell(stamped({ type: 'channel.state', ...ch, state: 'closing' }))).toBeNull();
    expect(tell(stamped({ type: 'message.acked', messageId: 7, queue: 'usa', at: ch, deliveryTag: 1, auto: true }))).toBeNull();
    expect(tell(stamped({ type: 'clock.advanced', from: 0, to: 1 }))).toBeNull();
  });
});
