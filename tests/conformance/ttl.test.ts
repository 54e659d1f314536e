/**
 * §2 Queue arguments: TTL — x-message-ttl, the per-message `expiration`
 * property, TTL 0, and expiry only at the head of the queue.
 */
import { expect } from 'vitest';
import type { Channel, ConsumeMessage } from 'amqplib';
import { describeMessage, scenarios, type ScenarioContext } from './harness.ts';

/** A watched channel on a fresh connection, with `q` declared (non-durable) and cleaned up. */
async function setup(t: ScenarioContext, q: string, options: Record<string, unknown> = {}): Promise<Channel> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  t.watch('ch', ch);
  t.cleanup('queue', q);
  await t.attempt('declare', () => ch.assertQueue(q, { durable: false, ...options }));
  return ch;
}

/** Consumes `q`, collecting described deliveries. */
async function collect(ch: Channel, q: string, options: Record<string, unknown> = { noAck: true }) {
  const seen: unknown[] = [];
  const raw: ConsumeMessage[] = [];
  await ch.consume(
    q,
    (m) => {
      if (m) raw.push(m);
      seen.push(describeMessage(m));
    },
    options,
  );
  return { seen, raw };
}

const bodies = (seen: unknown[]) => seen.map((m) => (m as { content: string }).content);

scenarios('§2 message TTL', {
  '§2 x-message-ttl: a message older than the TTL is removed without being fetched': async (t) => {
    const ch = await setup(t, 'tt01.q', { messageTtl: 100 });
    ch.sendToQueue('tt01.q', Buffer.from('old'));
    await t.settle();
    await t.attempt('count before', () => ch.checkQueue('tt01.q'));
    await t.sleep(400);
    const after = await t.attempt('count after', () => ch.checkQueue('tt01.q'));
    await t.attempt('get', () => ch.get('tt01.q', { noAck: true }));
    expect(after?.messageCount).toBe(0);
  },

  '§2 x-message-ttl: a message fetched within its TTL is delivered unchanged': async (t) => {
    const ch = await setup(t, 'tt02.q', { messageTtl: 60000 });
    ch.sendToQueue('tt02.q', Buffer.from('fresh'), { messageId: 'm1' });
    await t.settle();
    const got = await t.attempt('get', async () => describeMessage(await ch.get('tt02.q', { noAck: true })));
    expect((got as { properties: object }).properties).toEqual({ headers: {}, messageId: 'm1' });
  },

  '§2 x-message-ttl: each message\'s TTL runs from its own enqueue time': async (t) => {
    const ch = await setup(t, 'tt03.q', { messageTtl: 600 });
    ch.sendToQueue('tt03.q', Buffer.from('first'));
    await t.sleep(400);
    ch.sendToQueue('tt03.q', Buffer.from('second'));
    await t.sleep(400);
    const got = await t.attempt('get', async () => describeMessage(await ch.get('tt03.q', { noAck: true })));
    await t.attempt('then', () => ch.get('tt03.q', { noAck: true }));
    expect((got as { content: string }).content).toBe('second');
  },

  '§2 x-message-ttl: expired messages are never delivered to a consumer that arrives later': async (t) => {
    const ch = await setup(t, 'tt04.q', { messageTtl: 100 });
    for (const b of ['a', 'b', 'c']) ch.sendToQueue('tt04.q', Buffer.from(b));
    await t.sleep(400);
    const { seen } = await collect(ch, 'tt04.q');
    await t.settle();
    t.record('deliveries', seen);
    expect(seen).toEqual([]);
  },

  '§2 expiration: a per-message expiration removes the message': async (t) => {
    const ch = await setup(t, 'tt05.q');
    ch.sendToQueue('tt05.q', Buffer.from('short'), { expiration: '100' });
    await t.sleep(400);
    const after = await t.attempt('count', () => ch.checkQueue('tt05.q'));
    await t.attempt('get', () => ch.get('tt05.q', { noAck: true }));
    expect(after?.messageCount).toBe(0);
  },

  '§2 expiration: a message delivered in time keeps its expiration property': async (t) => {
    const ch = await setup(t, 'tt06.q');
    ch.sendToQueue('tt06.q', Buffer.from('long'), { expiration: '60000' });
    await t.settle();
    const got = await t.attempt('get', async () => describeMessage(await ch.get('tt06.q', { noAck: true })));
    expect((got as { properties: object }).properties).toEqual({ expiration: '60000', headers: {} });
  },

  '§2 expiration: the queue TTL wins when it is shorter than the message expiration': async (t) => {
    const ch = await setup(t, 'tt07.q', { messageTtl: 100 });
    ch.sendToQueue('tt07.q', Buffer.from('m'), { expiration: '60000' });
    await t.sleep(400);
    const after = await t.attempt('count', () => ch.checkQueue('tt07.q'));
    expect(after?.messageCount).toBe(0);
  },

  '§2 expiration: the message expiration wins when it is shorter than the queue TTL': async (t) => {
    const ch = await setup(t, 'tt08.q', { messageTtl: 60000 });
    ch.sendToQueue('tt08.q', Buffer.from('short'), { expiration: '100' });
    ch.sendToQueue('tt08.q', Buffer.from('long'));
    await t.sleep(400);
    const got = await t.attempt('get', async () => describeMessage(await ch.get('tt08.q', { noAck: true })));
    expect((got as { content: string }).content).toBe('long');
  },

  '§2 expiration: an expired message behind a live one still counts until it reaches the head': async (t) => {
    const ch = await setup(t, 'tt09.q');
    ch.sendToQueue('tt09.q', Buffer.from('live'));
    ch.sendToQueue('tt09.q', Buffer.from('expired'), { expiration: '50' });
    await t.sleep(400);
    const before = await t.attempt('count with live head', () => ch.checkQueue('tt09.q'));
    await t.attempt('get head', async () => describeMessage(await ch.get('tt09.q', { noAck: true })));
    await t.attempt('get next', () => ch.get('tt09.q', { noAck: true }));
    const after = await t.attempt('count after', () => ch.checkQueue('tt09.q'));
    expect([before?.messageCount, after?.messageCount]).toEqual([2, 0]);
  },

  '§2 expiration: an expired message between live ones is skipped by a consumer': async (t) => {
    const ch = await setup(t, 'tt10.q');
    ch.sendToQueue('tt10.q', Buffer.from('a'));
    ch.sendToQueue('tt10.q', Buffer.from('b'), { expiration: '50' });
    ch.sendToQueue('tt10.q', Buffer.from('c'));
    await t.sleep(400);
    const { seen } = await collect(ch, 'tt10.q');
    await t.settle();
    t.record('deliveries', seen);
    expect(bodies(seen)).toEqual(['a', 'c']);
  },

  '§2 TTL 0: with x-message-ttl 0 and no consumer the message is dropped at once': async (t) => {
    const ch = await setup(t, 'tt11.q', { messageTtl: 0 });
    ch.sendToQueue('tt11.q', Buffer.from('gone'));
    await t.settle();
    const after = await t.attempt('count', () => ch.checkQueue('tt11.q'));
    await t.attempt('get', () => ch.get('tt11.q', { noAck: true }));
    expect(after?.messageCount).toBe(0);
  },

  '§2 TTL 0: with x-message-ttl 0 a waiting consumer still receives the message': async (t) => {
    const ch = await setup(t, 'tt12.q', { messageTtl: 0 });
    const { seen } = await collect(ch, 'tt12.q');
    ch.sendToQueue('tt12.q', Buffer.from('caught'));
    await t.settle();
    t.record('deliveries', seen);
    expect(bodies(seen)).toEqual(['caught']);
  },

  '§2 TTL 0: expiration "0" without a consumer drops the message': async (t) => {
    const ch = await setup(t, 'tt13.q');
    ch.sendToQueue('tt13.q', Buffer.from('gone'), { expiration: '0' });
    await t.settle();
    const after = await t.attempt('count', () => ch.checkQueue('tt13.q'));
    await t.attempt('get', () => ch.get('tt13.q', { noAck: true }));
    expect(after?.messageCount).toBe(0);
  },

  '§2 TTL 0: expiration "0" is delivered to a waiting consumer with the property intact': async (t) => {
    const ch = await setup(t, 'tt14.q');
    const { seen } = await collect(ch, 'tt14.q');
    ch.sendToQueue('tt14.q', Buffer.from('caught'), { expiration: '0' });
    await t.settle();
    t.record('deliveries', seen);
    expect((seen[0] as { properties: object }).properties).toEqual({ expiration: '0', headers: {} });
  },

  '§2 TTL 0: a consumer at its prefetch limit cannot take the message, so it expires': async (t) => {
    const ch = await setup(t, 'tt15.q', { messageTtl: 0 });
    await ch.prefetch(1);
    const { seen, raw } = await collect(ch, 'tt15.q', { noAck: false });
    ch.sendToQueue('tt15.q', Buffer.from('first'));
    await t.settle();
    ch.sendToQueue('tt15.q', Buffer.from('second'));
    await t.settle();
    await t.attempt('count while busy', () => ch.checkQueue('tt15.q'));
    ch.ack(raw[0]);
    await t.settle();
    t.record('deliveries', seen);
    expect(bodies(seen)).toEqual(['first']);
  },

  '§2 TTL 0: an expired mandatory message is not returned': async (t) => {
    const ch = await setup(t, 'tt16.q', { messageTtl: 0 });
    ch.publish('', 'tt16.q', Buffer.from('m'), { mandatory: true });
    await t.settle(150);
    const after = await t.attempt('count', () => ch.checkQueue('tt16.q'));
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
    expect(after?.messageCount).toBe(0);
  },

  '§2 x-message-ttl: a requeued message keeps its original expiry time': async (t) => {
    const ch = await setup(t, 'tt17.q', { messageTtl: 200 });
    ch.sendToQueue('tt17.q', Buffer.from('m'));
    await t.settle();
    const m = await ch.get('tt17.q');
    t.record('got', describeMessage(m));
    await t.sleep(500);
    if (m) ch.nack(m, false, true);
    await t.settle();
    const after = await t.attempt('count after requeue', () => ch.checkQueue('tt17.q'));
    await t.attempt('get', () => ch.get('tt17.q', { noAck: true }));
    expect(after?.messageCount).toBe(0);
  },

  '§2 x-message-ttl: a message requeued before its expiry is redelivered': async (t) => {
    const ch = await setup(t, 'tt18.q', { messageTtl: 60000 });
    ch.sendToQueue('tt18.q', Buffer.from('m'));
    await t.settle();
    const m = await ch.get('tt18.q');
    if (m) ch.nack(m, false, true);
    await t.settle();
    const got = await t.attempt('get again', async () => describeMessage(await ch.get('tt18.q', { noAck: true })));
    expect((got as { fields: { redelivered: boolean } }).fields.redelivered).toBe(true);
  },
});
