/**
 * §2 Queue arguments: priorities — x-max-priority ordering, priorities above
 * the maximum, messages without priority, requeue position within a
 * priority, and how priorities meet length limits and TTL.
 */
import { expect } from 'vitest';
import type { Channel } from 'amqplib';
import { describeMessage, scenarios, type ScenarioContext } from './harness.ts';

/** A watched channel on a fresh connection with `q` declared (non-durable) and cleaned up. */
async function setup(t: ScenarioContext, q: string, options: Record<string, unknown>): Promise<Channel> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  t.watch('ch', ch);
  t.cleanup('queue', q);
  await t.attempt('declare', () => ch.assertQueue(q, { durable: false, ...options }));
  return ch;
}

/** Publishes [body, priority?] pairs to `q` through the default exchange. */
function publishAll(ch: Channel, q: string, messages: Array<[string, number?]>) {
  for (const [body, priority] of messages) {
    ch.sendToQueue(q, Buffer.from(body), priority === undefined ? {} : { priority });
  }
}

/** Takes every ready message with basic.get, recording them, and returns their bodies. */
async function drain(t: ScenarioContext, ch: Channel, q: string): Promise<string[]> {
  const out: unknown[] = [];
  for (let m = await ch.get(q, { noAck: true }); m; m = await ch.get(q, { noAck: true })) out.push(describeMessage(m));
  t.record('drained', out);
  return out.map((m) => (m as { content: string }).content);
}

scenarios('§2 priority queues', {
  '§2 x-max-priority: queued messages come out highest priority first': async (t) => {
    const ch = await setup(t, 'pr01.q', { maxPriority: 10 });
    publishAll(ch, 'pr01.q', [['p1', 1], ['p5', 5], ['p3', 3], ['p10', 10]]);
    await t.settle();
    expect(await drain(t, ch, 'pr01.q')).toEqual(['p10', 'p5', 'p3', 'p1']);
  },

  '§2 x-max-priority: FIFO within one priority level': async (t) => {
    const ch = await setup(t, 'pr02.q', { maxPriority: 5 });
    publishAll(ch, 'pr02.q', [['a2', 2], ['b4', 4], ['c2', 2], ['d4', 4], ['e2', 2]]);
    await t.settle();
    expect(await drain(t, ch, 'pr02.q')).toEqual(['b4', 'd4', 'a2', 'c2', 'e2']);
  },

  '§2 x-max-priority: a message without priority counts as priority 0': async (t) => {
    const ch = await setup(t, 'pr03.q', { maxPriority: 5 });
    publishAll(ch, 'pr03.q', [['none-a'], ['zero', 0], ['one', 1], ['none-b']]);
    await t.settle();
    expect(await drain(t, ch, 'pr03.q')).toEqual(['one', 'none-a', 'zero', 'none-b']);
  },

  '§2 x-max-priority: a priority above the maximum counts as the maximum and is delivered unchanged': async (t) => {
    const ch = await setup(t, 'pr04.q', { maxPriority: 3 });
    publishAll(ch, 'pr04.q', [['p2', 2], ['p3', 3], ['p9', 9], ['p3b', 3]]);
    await t.settle();
    const order = await drain(t, ch, 'pr04.q');
    expect(order).toEqual(['p3', 'p9', 'p3b', 'p2']);
    const drained = t.log.find(([l]) => l === 'drained')?.[1] as Array<{ properties: { priority: number } }>;
    expect(drained[1].properties.priority).toBe(9);
  },

  '§2 x-max-priority: priority 255 is accepted as a message property': async (t) => {
    const ch = await setup(t, 'pr05.q', { maxPriority: 1 });
    publishAll(ch, 'pr05.q', [['low', 0], ['max', 255]]);
    await t.settle();
    expect(await drain(t, ch, 'pr05.q')).toEqual(['max', 'low']);
  },

  '§2 x-max-priority: a non-priority queue ignores the priority property': async (t) => {
    const ch = await setup(t, 'pr06.q', {});
    publishAll(ch, 'pr06.q', [['p1', 1], ['p9', 9], ['p5', 5]]);
    await t.settle();
    expect(await drain(t, ch, 'pr06.q')).toEqual(['p1', 'p9', 'p5']);
  },

  '§2 x-max-priority: 0 makes a queue with one level (plain FIFO)': async (t) => {
    const ch = await setup(t, 'pr07.q', { maxPriority: 0 });
    publishAll(ch, 'pr07.q', [['p1', 1], ['p9', 9], ['none']]);
    await t.settle();
    expect(await drain(t, ch, 'pr07.q')).toEqual(['p1', 'p9', 'none']);
  },

  '§2 x-max-priority: a consumer with prefetch sees queued messages in priority order': async (t) => {
    const ch = await setup(t, 'pr08.q', { maxPriority: 5 });
    publishAll(ch, 'pr08.q', [['p1', 1], ['p2', 2], ['p5', 5], ['p0', 0]]);
    await t.settle();
    await ch.prefetch(1);
    const seen: string[] = [];
    await ch.consume('pr08.q', (m) => {
      if (!m) return;
      seen.push(m.content.toString());
      ch.ack(m);
    });
    await t.settle(150);
    t.record('deliveries', seen);
    expect(seen).toEqual(['p5', 'p2', 'p1', 'p0']);
  },

  '§2 x-max-priority: a requeued message goes back to its position within its own priority': async (t) => {
    const ch = await setup(t, 'pr09.q', { maxPriority: 5 });
    publishAll(ch, 'pr09.q', [['a5', 5], ['b5', 5], ['c1', 1]]);
    await t.settle();
    const a = await ch.get('pr09.q');
    t.record('got', describeMessage(a));
    publishAll(ch, 'pr09.q', [['d5', 5], ['e1', 1]]);
    await t.settle();
    if (a) ch.nack(a, false, true);
    await t.settle();
    const order = await drain(t, ch, 'pr09.q');
    expect(order).toEqual(['a5', 'b5', 'd5', 'c1', 'e1']);
  },

  '§2 x-max-priority: a requeued low-priority message stays behind higher priorities': async (t) => {
    const ch = await setup(t, 'pr10.q', { maxPriority: 5 });
    publishAll(ch, 'pr10.q', [['low', 1]]);
    await t.settle();
    const low = await ch.get('pr10.q');
    publishAll(ch, 'pr10.q', [['high', 4], ['low2', 1]]);
    await t.settle();
    if (low) ch.nack(low, false, true);
    await t.settle();
    expect(await drain(t, ch, 'pr10.q')).toEqual(['high', 'low', 'low2']);
  },

  '§2 x-max-priority: messages requeued by channel close return to their priority positions': async (t) => {
    const ch = await setup(t, 'pr11.q', { maxPriority: 5 });
    const conn2 = await t.connect();
    const other = await conn2.createChannel();
    t.watch('other', other);
    publishAll(ch, 'pr11.q', [['a3', 3], ['b1', 1]]);
    await t.settle();
    const a = await other.get('pr11.q');
    const b = await other.get('pr11.q');
    t.record('taken', [describeMessage(a), describeMessage(b)]);
    publishAll(ch, 'pr11.q', [['c3', 3], ['d1', 1]]);
    await t.settle();
    await other.close();
    await t.settle(150);
    expect(await drain(t, ch, 'pr11.q')).toEqual(['a3', 'c3', 'b1', 'd1']);
  },

  '§2 x-max-priority: declare-ok counts messages across all priority levels': async (t) => {
    const ch = await setup(t, 'pr12.q', { maxPriority: 5 });
    publishAll(ch, 'pr12.q', [['a', 0], ['b', 3], ['c', 5], ['d', 9]]);
    await t.settle();
    const ok = await t.attempt('count', () => ch.checkQueue('pr12.q'));
    const got = await t.attempt('get', async () => describeMessage(await ch.get('pr12.q', { noAck: true })));
    expect(ok?.messageCount).toBe(4);
    expect(got).toMatchObject({ content: 'c', fields: { messageCount: 3 } });
  },

  '§2 x-max-priority: drop-head in a priority queue drops the highest-priority message': async (t) => {
    const ch = await setup(t, 'pr13.q', { maxPriority: 5, maxLength: 2 });
    publishAll(ch, 'pr13.q', [['low-old', 1], ['high', 5], ['low-new', 1]]);
    await t.settle();
    expect(await drain(t, ch, 'pr13.q')).toEqual(['low-old', 'low-new']);
  },

  '§2 x-max-priority: an expired low-priority message waits behind live higher-priority ones': async (t) => {
    const ch = await setup(t, 'pr14.q', { maxPriority: 5 });
    ch.sendToQueue('pr14.q', Buffer.from('high'), { priority: 5 });
    ch.sendToQueue('pr14.q', Buffer.from('low-expiring'), { priority: 1, expiration: '50' });
    await t.sleep(400);
    const before = await t.attempt('count', () => ch.checkQueue('pr14.q'));
    const order = await drain(t, ch, 'pr14.q');
    const after = await t.attempt('count after', () => ch.checkQueue('pr14.q'));
    expect(order).toEqual(['high']);
    expect([before?.messageCount, after?.messageCount]).toEqual([2, 0]);
  },

  '§2 x-max-priority: a value above 255 is refused': async (t) => {
    const conn = await t.connect();
    conn.on('error', () => {});
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    t.cleanup('queue', 'pr15.q');
    await t.attempt('declare', () => ch.assertQueue('pr15.q', { durable: false, maxPriority: 256 }));
    await t.settle();
    const e = (t.log.find(([l]) => l === 'declare')?.[1] as { error: { message: string; code: number } }).error;
    expect(e.code).toBe(406);
    expect(e.message).toContain("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'pr15.q' in vhost '/': {max_value_exceeded,256}");
  },

  '§2 x-max-priority: a negative value is refused': async (t) => {
    const conn = await t.connect();
    conn.on('error', () => {});
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    t.cleanup('queue', 'pr16.q');
    await t.attempt('declare', () => ch.assertQueue('pr16.q', { durable: false, maxPriority: -1 }));
    await t.settle();
    const e = (t.log.find(([l]) => l === 'declare')?.[1] as { error: { message: string; code: number } }).error;
    expect(e.message).toContain("PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'pr16.q' in vhost '/': {value_negative,-1}");
  },

  '§2 x-max-priority: redeclaring with a different maximum is inequivalent': async (t) => {
    const ch = await setup(t, 'pr17.q', { maxPriority: 5 });
    await t.attempt('redeclare', () => ch.assertQueue('pr17.q', { durable: false, maxPriority: 10 }));
    await t.settle();
    const e = (t.log.find(([l]) => l === 'redeclare')?.[1] as { error: { message: string; code: number } }).error;
    expect(e.message).toContain("PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'pr17.q' in vhost '/': received '10' but current is '5'");
  },
});
