import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import type { StampedEvent } from '../../src/core/events.ts';
import { MessageStories } from '../../src/ui/model/message-story.ts';
import { say } from '../../src/ui/model/story.ts';

function world() {
  const broker = new Broker({ seed: 1 });
  const events: StampedEvent[] = [];
  broker.events.routeDetail = true;
  broker.subscribe((e) => events.push(e));
  const ch = broker.connect().openChannel();
  ch.exchangeDeclare({ exchange: 'dlx', type: 'fanout' });
  ch.queueDeclare({ queue: 'dead' });
  ch.queueBind({ queue: 'dead', exchange: 'dlx', routingKey: '' });
  ch.queueDeclare({ queue: 'work', arguments: { 'x-dead-letter-exchange': 'dlx' } });
  return { broker, events, ch };
}

describe('MessageStories', () => {
  it('reads a message’s routes and history from the events, and its dead-lettered copy’s', () => {
    const { broker, events, ch } = world();
    ch.basicPublish({ exchange: '', routingKey: 'work', body: 'job' });
    broker.advance(100);
    const first = ch.basicGet({ queue: 'work' })!;
    ch.basicNack({ deliveryTag: first.deliveryTag, requeue: true });
    const cut = broker.now;
    broker.advance(100);
    const again = ch.basicGet({ queue: 'work' })!;
    ch.basicReject({ deliveryTag: again.deliveryTag, requeue: false });
    const stories = new MessageStories();
    const story = stories.of(events, 1);
    expect(story.history.map((s) => s.key.replace('history.', ''))).toEqual([
      'published',
      'routed',
      'delivered',
      'nacked.requeue',
      'requeued',
      'redelivered',
      'rejected.drop',
      'dead-lettered',
    ]);
    expect(story.routes.map((r) => r.queues)).toEqual([['work']]);
    expect(say(story.history[2])).toBe('delivered from work to basic.get on a:1 (delivery tag 1)');
    const copy = stories.of(events, 2);
    expect(copy.history.map((s) => s.key)).toEqual(['history.dead-letter-copy', 'history.routed']);
    expect(copy.routes.map((r) => [r.exchange, r.queues])).toEqual([['dlx', ['dead']]]);
    // Up to a moment: only what had happened by then; and later again in full.
    expect(stories.of(events, 1, cut).history).toHaveLength(5);
    expect(stories.of(events, 1).history).toHaveLength(8);
  });

  it('reads only the events added since it was last asked about the same message', () => {
    const { broker, events, ch } = world();
    ch.basicPublish({ exchange: '', routingKey: 'work', body: 'job' });
    const stories = new MessageStories();
    expect(stories.of(events, 1).history).toHaveLength(2);
    const got = ch.basicGet({ queue: 'work' })!;
    broker.advance(10);
    ch.basicAck({ deliveryTag: got.deliveryTag });
    expect(stories.of(events, 1).history.map((s) => s.key)).toEqual(['history.published', 'history.routed', 'history.delivered', 'history.acked']);
  });
});
