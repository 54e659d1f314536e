/**
 * Engine behaviour that amqplib cannot reach (so the conformance suite
 * cannot compare it): connection-closing 540s, transactions, restarts,
 * snapshots, the event stream, determinism.
 */
import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { AmqpError } from '../../src/core/errors.ts';
import type { StampedEvent } from '../../src/core/events.ts';
import type { DeliveryInfo } from '../../src/core/channel.ts';

const text = (b: Uint8Array) => new TextDecoder().decode(b);

function caught(fn: () => unknown): AmqpError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AmqpError) return e;
    throw e;
  }
  throw new Error('expected an AMQP error');
}

function setup(options = {}) {
  const broker = new Broker({ seed: 7, ...options });
  const conn = broker.connect();
  const ch = conn.openChannel();
  return { broker, conn, ch };
}

describe('errors that close the connection', () => {
  const cases: Array<[string, (ch: ReturnType<typeof setup>['ch']) => void, number, string, [number, number]]> = [
    ['immediate=true', (ch) => ch.basicPublish({ exchange: '', routingKey: 'q', immediate: true, body: 'x' }), 540, 'NOT_IMPLEMENTED - immediate=true', [60, 40]],
    ['prefetch_size', (ch) => ch.basicQos({ prefetchSize: 10, prefetchCount: 1 }), 540, 'NOT_IMPLEMENTED - prefetch_size!=0 (10)', [60, 10]],
    ['recover requeue=false', (ch) => ch.basicRecover({ requeue: false }), 540, 'NOT_IMPLEMENTED - requeue=false', [60, 110]],
    ['channel.flow active=false', (ch) => ch.channelFlow({ active: false }), 540, 'NOT_IMPLEMENTED - active=false', [20, 20]],
    ['unknown exchange type', (ch) => ch.exchangeDeclare({ exchange: 'x', type: 'foo' }), 503, "COMMAND_INVALID - unknown exchange type 'foo'", [40, 10]],
  ];
  for (const [name, op, code, text, ids] of cases) {
    it(`${name} → ${code} closes every channel and the connection`, () => {
      const { conn, ch } = setup();
      const other = conn.openChannel();
      const e = caught(() => op(ch));
      expect([e.code, e.replyText, e.classId, e.methodId, e.scope]).toEqual([code, text, ...ids, 'connection']);
      expect(conn.isOpen).toBe(false);
      expect(other.isOpen).toBe(false);
    });
  }

  it('530 on a consumer tag reused on the same channel, but not across channels', () => {
    const { conn, ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.basicConsume({ queue: 'q', consumerTag: 'c' });
    conn.openChannel().basicConsume({ queue: 'q', consumerTag: 'c' });
    const e = caught(() => ch.basicConsume({ queue: 'q', consumerTag: 'c' }));
    expect([e.code, e.replyText]).toEqual([530, "NOT_ALLOWED - attempt to reuse consumer tag 'c'"]);
    expect(conn.isOpen).toBe(false);
  });

  it('504 on a second channel.open of an open channel number', () => {
    const { conn } = setup();
    const e = caught(() => conn.openChannel(1));
    expect([e.code, e.replyText]).toEqual([504, "CHANNEL_ERROR - second 'channel.open' seen"]);
  });
});

describe('transactions', () => {
  it('buffers publishes until commit and drops them on rollback', () => {
    const { ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.txSelect();
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(0);
    ch.txCommit();
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(1);
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'b' });
    ch.txRollback();
    ch.txCommit();
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(1);
  });

  it('un-does buffered acks on rollback: the message is unacked again, not requeued', () => {
    const { ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    const got = ch.basicGet({ queue: 'q' })!;
    ch.txSelect();
    ch.basicAck({ deliveryTag: got.deliveryTag });
    ch.txRollback();
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(0);
    ch.basicAck({ deliveryTag: got.deliveryTag });
    ch.txCommit();
    ch.close();
    expect(setupReopen(ch).messageCount).toBe(0);
  });

  it('requeues messages whose acks were never committed when the channel closes', () => {
    const { conn, ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    const got = ch.basicGet({ queue: 'q' })!;
    ch.txSelect();
    ch.basicAck({ deliveryTag: got.deliveryTag });
    ch.close();
    const again = conn.openChannel().basicGet({ queue: 'q' })!;
    expect([text(again.message.body), again.redelivered]).toEqual(['a', true]);
  });

  it('keeps counting an uncommitted ack against the prefetch limit until commit', () => {
    const { ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    const seen: number[] = [];
    ch.client = { deliver: (d) => seen.push(d.deliveryTag) };
    ch.basicQos({ prefetchCount: 1 });
    ch.basicConsume({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'b' });
    ch.txSelect();
    ch.basicAck({ deliveryTag: 1 });
    expect(seen).toEqual([1]);
    ch.txCommit();
    expect(seen).toEqual([1, 2]);
  });

  it('refuses to mix tx and confirm modes, and commit without select', () => {
    const a = setup().ch;
    a.confirmSelect();
    expect(caught(() => a.txSelect()).replyText).toBe('PRECONDITION_FAILED - cannot switch from confirm to tx mode');
    const b = setup().ch;
    b.txSelect();
    expect(caught(() => b.confirmSelect()).replyText).toBe('PRECONDITION_FAILED - cannot switch from tx to confirm mode');
    const c = setup().ch;
    expect(caught(() => c.txCommit()).replyText).toBe('PRECONDITION_FAILED - channel is not transactional');
  });
});

function setupReopen(ch: ReturnType<typeof setup>['ch']) {
  return ch.connection.openChannel().queueDeclare({ queue: 'q', passive: true });
}

describe('broker restart', () => {
  it('keeps durable topology and persistent messages in durable queues, nothing else', () => {
    const { broker, ch } = setup();
    ch.exchangeDeclare({ exchange: 'dx', type: 'direct', durable: true });
    ch.exchangeDeclare({ exchange: 'tx', type: 'direct' });
    ch.queueDeclare({ queue: 'dq', durable: true });
    ch.queueDeclare({ queue: 'tq' });
    ch.queueBind({ queue: 'dq', exchange: 'dx', routingKey: 'k' });
    ch.queueBind({ queue: 'tq', exchange: 'dx', routingKey: 'k' });
    ch.basicPublish({ exchange: 'dx', routingKey: 'k', properties: { deliveryMode: 2 }, body: 'persistent' });
    ch.basicPublish({ exchange: 'dx', routingKey: 'k', body: 'transient' });
    const conn = broker.connections.get('a')!;
    broker.restart();
    expect(conn.isOpen).toBe(false);
    expect([...broker.exchanges.keys()]).toContain('dx');
    expect([...broker.exchanges.keys()]).not.toContain('tx');
    expect([...broker.queues.keys()]).toEqual(['dq']);
    const ch2 = broker.connect().openChannel();
    expect(text(ch2.basicGet({ queue: 'dq', noAck: true })!.message.body)).toBe('persistent');
    expect(ch2.basicGet({ queue: 'dq' })).toBeNull();
    expect([...broker.exchanges.get('dx')!.bindings.values()].map((b) => b.destination.name)).toEqual(['dq']);
  });
});

describe('snapshot and restore', () => {
  it('restores topology, ready and unacked messages, tags and consumers; replays identically', () => {
    const { broker, ch } = setup();
    ch.exchangeDeclare({ exchange: 'x', type: 'topic' });
    ch.queueDeclare({ queue: 'q', arguments: { 'x-message-ttl': 5000 } });
    ch.queueBind({ queue: 'q', exchange: 'x', routingKey: 'a.*' });
    for (const body of ['1', '2', '3']) ch.basicPublish({ exchange: 'x', routingKey: 'a.b', body });
    const got = ch.basicGet({ queue: 'q' })!;
    expect(got.deliveryTag).toBe(1);
    const snap = broker.snapshot();
    const copy = Broker.restore(snap);
    const ch2 = copy.connections.get('a')!.channels.get(1)!;
    // The unacked message goes back to the head when its channel closes.
    ch2.close();
    const c = copy.connect().openChannel();
    const first = c.basicGet({ queue: 'q', noAck: true })!;
    expect([text(first.message.body), first.redelivered, first.messageCount]).toEqual(['1', true, 2]);
    // Time keeps its meaning: the TTL still fires on the restored broker.
    copy.advance(5000);
    expect(c.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(0);
    // The original is untouched.
    expect(ch.queueDeclare({ queue: 'q', passive: true }).messageCount).toBe(2);
    expect(JSON.stringify(Broker.restore(snap).snapshot())).toBe(JSON.stringify(snap));
  });

  it('keeps every waiting message in place: priority levels, requeued ones first, expiry, redelivered, CC keys', () => {
    const { broker, conn, ch } = setup();
    ch.queueDeclare({ queue: 'p', arguments: { 'x-max-priority': 5 } });
    ch.queueDeclare({ queue: 'cc' });
    for (const [body, priority] of [['low', 0], ['high', 5], ['mid', 2], ['low2', 0]] as const) {
      ch.basicPublish({ exchange: '', routingKey: 'p', body, properties: { priority, expiration: '9000' } });
    }
    ch.basicPublish({ exchange: '', routingKey: 'nowhere', body: 'copied', properties: { headers: { CC: ['cc'] } } });
    // Take two and hand them back: they wait again, redelivered, in their places.
    const other = conn.openChannel();
    other.basicGet({ queue: 'p' });
    other.basicGet({ queue: 'p' });
    other.close();
    ch.basicPublish({ exchange: '', routingKey: 'p', body: 'late', properties: { priority: 5 } });

    const drain = (b: Broker, queue: string) => {
      const c = b.connect().openChannel();
      const out: Array<[string, boolean, readonly string[]]> = [];
      for (let got = c.basicGet({ queue, noAck: true }); got; got = c.basicGet({ queue, noAck: true })) {
        out.push([text(got.message.body), got.redelivered, got.message.routingKeys]);
      }
      return out;
    };
    const copy = Broker.restore(broker.snapshot());
    const later = Broker.restore(broker.snapshot());
    expect(drain(copy, 'p')).toEqual([
      ['high', true, ['p']],
      ['late', false, ['p']],
      ['mid', true, ['p']],
      ['low', false, ['p']],
      ['low2', false, ['p']],
    ]);
    expect(drain(copy, 'cc')).toEqual([['copied', false, ['nowhere', 'cc']]]);
    // Expiry survives too: 9 s after publishing, the priority queue is empty.
    later.advance(9000);
    expect(drain(later, 'p')).toEqual([['late', false, ['p']]]);
  });
});

describe('determinism', () => {
  it('makes the same server-named queues and consumer tags from the same seed', () => {
    const names = () => {
      const { ch } = setup();
      const q = ch.queueDeclare().queue;
      return [q, ch.basicConsume({ queue: q }).consumerTag];
    };
    const [a, b] = [names(), names()];
    expect(a).toEqual(b);
    expect(a[0]).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    expect(a[1]).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
  });
});

describe('the event stream', () => {
  it('tells the story of a message hop by hop, with virtual time', () => {
    const { broker, ch } = setup();
    const events: StampedEvent[] = [];
    broker.subscribe((e) => events.push(e));
    ch.exchangeDeclare({ exchange: 'x', type: 'direct' });
    ch.queueDeclare({ queue: 'q' });
    ch.queueBind({ queue: 'q', exchange: 'x', routingKey: 'k' });
    ch.basicPublish({ exchange: 'x', routingKey: 'k', body: 'hello' });
    broker.advance(1500);
    const got = ch.basicGet({ queue: 'q' })!;
    ch.basicNack({ deliveryTag: got.deliveryTag });
    const again = ch.basicGet({ queue: 'q' })!;
    ch.basicAck({ deliveryTag: again.deliveryTag });
    const story = events.filter((e) => e.type.startsWith('message.')).map((e) => e.type);
    expect(story).toEqual([
      'message.published',
      'message.routed',
      'message.enqueued',
      'message.delivered',
      'message.nacked',
      'message.requeued',
      'message.delivered',
      'message.acked',
    ]);
    const routed = events.find((e) => e.type === 'message.routed')!;
    expect(routed.type === 'message.routed' && routed.hops[0].matched.map((b) => b.destination.name)).toEqual(['q']);
    const delivered = events.filter((e) => e.type === 'message.delivered');
    expect(delivered.map((e) => e.type === 'message.delivered' && [e.deliveryTag, e.redelivered])).toEqual([
      [1, false],
      [2, true],
    ]);
    expect(delivered[0].time - events[0].time).toBe(1500);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i));
  });

  it('explains unmatched bindings when route detail is on', () => {
    const { broker, ch } = setup();
    broker.events.routeDetail = true;
    const routed: StampedEvent[] = [];
    broker.subscribe((e) => e.type === 'message.routed' && routed.push(e));
    ch.exchangeDeclare({ exchange: 'x', type: 'topic' });
    for (const [q, key] of [['a', 'usa.#'], ['b', '#.news'], ['c', 'europe.*']]) {
      ch.queueDeclare({ queue: q });
      ch.queueBind({ queue: q, exchange: 'x', routingKey: key });
    }
    ch.basicPublish({ exchange: 'x', routingKey: 'usa.news', body: '' });
    const hop = routed[0].type === 'message.routed' ? routed[0].hops[0] : null;
    expect(hop!.matched.map((b) => b.routingKey).sort()).toEqual(['#.news', 'usa.#']);
    expect(hop!.unmatched!.map((b) => b.routingKey)).toEqual(['europe.*']);
  });
});

describe('consumers', () => {
  it('round-robins among consumers and redelivers a closed channel\'s unacked messages to the others', () => {
    const { conn, ch } = setup();
    ch.queueDeclare({ queue: 'tasks' });
    const got: Record<string, string[]> = { w1: [], w2: [] };
    const w1 = conn.openChannel();
    const w2 = conn.openChannel();
    for (const [w, tag] of [[w1, 'w1'], [w2, 'w2']] as const) {
      w.client = { deliver: (d: DeliveryInfo) => got[tag].push(`${text(d.message.body)}${d.redelivered ? '*' : ''}`) };
      w.basicQos({ prefetchCount: 1 });
      w.basicConsume({ queue: 'tasks', consumerTag: tag });
    }
    for (const body of ['t1', 't2', 't3']) ch.basicPublish({ exchange: '', routingKey: 'tasks', body });
    expect(got).toEqual({ w1: ['t1'], w2: ['t2'] });
    w2.close();
    w1.basicAck({ deliveryTag: 1 });
    expect(got.w1).toEqual(['t1', 't2*']);
    w1.basicAck({ deliveryTag: 2 });
    expect(got.w1).toEqual(['t1', 't2*', 't3']);
  });
});

describe('consumer timeout', () => {
  it('closes a channel whose oldest delivery waits 30 minutes for its ack', () => {
    const { broker, conn, ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'slow' });
    const worker = conn.openChannel();
    let closedWith: AmqpError | null = null;
    worker.client = { closed: (e) => (closedWith = e) };
    worker.basicGet({ queue: 'q' });
    broker.advance(1_799_999);
    expect(worker.isOpen).toBe(true);
    broker.advance(1);
    expect(worker.isOpen).toBe(false);
    const e = closedWith as AmqpError | null;
    expect([e?.code, e?.replyText, e?.classId, e?.methodId]).toEqual([
      406,
      'PRECONDITION_FAILED - delivery acknowledgement on channel 2 timed out. Timeout value used: 1800000 ms. This timeout value can be configured, see consumers doc guide to learn more',
      0,
      0,
    ]);
    // The message went back to its queue, redelivered.
    expect(ch.basicGet({ queue: 'q' })!.redelivered).toBe(true);
  });

  it('leaves a channel alone when its deliveries are acked in time', () => {
    const { broker, ch } = setup();
    ch.queueDeclare({ queue: 'q' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    ch.basicPublish({ exchange: '', routingKey: 'q', body: 'b' });
    const first = ch.basicGet({ queue: 'q' })!;
    broker.advance(1_000_000);
    ch.basicAck({ deliveryTag: first.deliveryTag });
    ch.basicGet({ queue: 'q' });
    broker.advance(1_000_000);
    expect(ch.isOpen).toBe(true);
    broker.advance(800_000);
    expect(ch.isOpen).toBe(false);
  });
});

describe('dead-lettering during a fan-out publish', () => {
  it('lets the original reach every queue before a dead letter it caused', () => {
    const { ch } = setup();
    ch.queueDeclare({ queue: 'a', arguments: { 'x-message-ttl': 0, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': 'b' } });
    ch.queueDeclare({ queue: 'b' });
    ch.queueBind({ queue: 'a', exchange: 'amq.fanout' });
    ch.queueBind({ queue: 'b', exchange: 'amq.fanout' });
    ch.basicPublish({ exchange: 'amq.fanout', routingKey: '', body: 'x' });
    const order = [ch.basicGet({ queue: 'b', noAck: true })!, ch.basicGet({ queue: 'b', noAck: true })!].map((g) => g.exchange);
    expect(order).toEqual(['amq.fanout', '']);
  });
});

describe('long queues', () => {
  it('hand out every message as published, whether it waited behind few or many, and publishes made from delivery callbacks too', () => {
    const { broker, ch } = setup();
    ch.queueDeclare({ queue: 'in' });
    ch.queueDeclare({ queue: 'out' });
    ch.basicQos({ prefetchCount: 1 });
    const seen: string[] = [];
    ch.client = {
      deliver: (d) => {
        seen.push(`${d.routingKey} ${text(d.message.body)}`);
        // Published while the queue is still taking the publish that caused this delivery.
        ch.basicPublish({ exchange: '', routingKey: 'out', body: `echo ${text(d.message.body)}`, properties: { priority: d.deliveryTag } });
        ch.basicAck({ deliveryTag: d.deliveryTag });
      },
    };
    ch.basicConsume({ queue: 'in' });
    const n = 2000;
    for (let i = 0; i < n; i++) {
      ch.basicPublish({ exchange: '', routingKey: 'out', body: `direct m${i}`, properties: i % 2 ? { contentType: 'text/plain' } : undefined });
      ch.basicPublish({ exchange: '', routingKey: 'in', body: `m${i}` });
    }
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => `in m${i}`));
    const out = broker.queues.get('out')!;
    expect(out.messageCount).toBe(2 * n);
    for (let i = 0; i < n; i++) {
      const direct = ch.basicGet({ queue: 'out', noAck: true })!;
      expect([direct.routingKey, text(direct.message.body), direct.message.properties, direct.message.routingKeys]).toEqual(['out', `direct m${i}`, i % 2 ? { contentType: 'text/plain' } : {}, ['out']]);
      const echo = ch.basicGet({ queue: 'out', noAck: true })!;
      expect([echo.routingKey, text(echo.message.body), echo.message.properties, echo.message.routingKeys]).toEqual(['out', `echo m${i}`, { priority: i + 1 }, ['out']]);
    }
  });
});
