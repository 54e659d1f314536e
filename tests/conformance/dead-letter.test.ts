/**
 * §2 Queue arguments: dead-lettering — reasons (rejected, expired, maxlen),
 * the x-death and x-first-death-* headers, the dead-letter routing key and CC
 * handling, a missing DLX, and cycle detection.
 */
import { expect } from 'vitest';
import type { Channel, ConsumeMessage } from 'amqplib';
import { describeMessage, scenarios, type ScenarioContext } from './harness.ts';

/** A watched channel on a fresh connection. */
async function open(t: ScenarioContext): Promise<Channel> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  t.watch('ch', ch);
  return ch;
}

/** Declares a non-durable queue that is cleaned up afterwards. */
async function queue(t: ScenarioContext, ch: Channel, q: string, options: Record<string, unknown> = {}) {
  t.cleanup('queue', q);
  await ch.assertQueue(q, { durable: false, ...options });
}

/** Declares a non-durable exchange that is cleaned up afterwards. */
async function exchange(t: ScenarioContext, ch: Channel, x: string, type: string, options: Record<string, unknown> = {}) {
  t.cleanup('exchange', x);
  await ch.assertExchange(x, type, { durable: false, ...options });
}

/** A fanout DLX `x` with queue `dead` bound to it. */
async function dlxWithQueue(t: ScenarioContext, ch: Channel, x: string, dead: string) {
  await exchange(t, ch, x, 'fanout');
  await queue(t, ch, dead);
  await ch.bindQueue(dead, x, '');
}

/** basic.get without ack, then reject without requeue. */
async function getAndReject(ch: Channel, q: string): Promise<void> {
  const m = await ch.get(q);
  if (!m) throw new Error(`nothing to reject in ${q}`);
  ch.reject(m, false);
}

type Described = { content: string; fields: Record<string, unknown>; properties: { headers: Record<string, unknown> } & Record<string, unknown> };

/** Records and returns the next message of `q` (basic.get, no ack). */
async function take(t: ScenarioContext, ch: Channel, q: string, label = `get ${q}`): Promise<Described> {
  return (await t.attempt(label, async () => describeMessage(await ch.get(q, { noAck: true })))) as Described;
}

scenarios('§2 dead-lettering', {
  '§2 dead-letter: basic.reject requeue=false dead-letters with reason rejected and an x-death entry': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl01.dlx', 'dl01.dead');
    await queue(t, ch, 'dl01.q', { deadLetterExchange: 'dl01.dlx' });
    ch.sendToQueue('dl01.q', Buffer.from('m'), { messageId: 'id-1', contentType: 'text/plain', headers: { app: 'x' } });
    await t.settle();
    await getAndReject(ch, 'dl01.q');
    await t.settle();
    const dead = await take(t, ch, 'dl01.dead');
    await t.attempt('source count', () => ch.checkQueue('dl01.q'));
    expect(dead.fields).toMatchObject({ exchange: 'dl01.dlx', routingKey: 'dl01.q', redelivered: false });
    expect(dead.properties).toEqual({
      contentType: 'text/plain',
      messageId: 'id-1',
      headers: {
        app: 'x',
        'x-death': [{ count: 1, exchange: '', queue: 'dl01.q', reason: 'rejected', 'routing-keys': ['dl01.q'], time: '<time>' }],
        'x-first-death-exchange': '',
        'x-first-death-queue': 'dl01.q',
        'x-first-death-reason': 'rejected',
      },
    });
  },

  '§2 dead-letter: basic.nack requeue=false from a consumer dead-letters with reason rejected': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl02.dlx', 'dl02.dead');
    await queue(t, ch, 'dl02.q', { deadLetterExchange: 'dl02.dlx' });
    await ch.consume('dl02.q', (m) => m && ch.nack(m, false, false));
    ch.sendToQueue('dl02.q', Buffer.from('m'));
    await t.settle(150);
    const dead = await take(t, ch, 'dl02.dead');
    expect((dead.properties.headers['x-death'] as Array<{ reason: string }>)[0].reason).toBe('rejected');
  },

  '§2 dead-letter: nack with multiple and requeue=false dead-letters in delivery order': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl03.dlx', 'dl03.dead');
    await queue(t, ch, 'dl03.q', { deadLetterExchange: 'dl03.dlx' });
    for (const b of ['a', 'b', 'c']) ch.sendToQueue('dl03.q', Buffer.from(b));
    const got: ConsumeMessage[] = [];
    await ch.consume('dl03.q', (m) => m && got.push(m));
    await t.settle();
    ch.nack(got[got.length - 1], true, false);
    await t.settle(150);
    const bodies: string[] = [];
    for (let m = await ch.get('dl03.dead', { noAck: true }); m; m = await ch.get('dl03.dead', { noAck: true })) {
      bodies.push(m.content.toString());
    }
    t.record('dead-lettered', bodies);
    expect(bodies).toEqual(['a', 'b', 'c']);
  },

  '§2 dead-letter: nack with requeue=true does not dead-letter': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl04.dlx', 'dl04.dead');
    await queue(t, ch, 'dl04.q', { deadLetterExchange: 'dl04.dlx' });
    ch.sendToQueue('dl04.q', Buffer.from('m'));
    await t.settle();
    const m = await ch.get('dl04.q');
    if (m) ch.nack(m, false, true);
    await t.settle();
    const dead = await t.attempt('dead count', () => ch.checkQueue('dl04.dead'));
    await t.attempt('source count', () => ch.checkQueue('dl04.q'));
    expect(dead?.messageCount).toBe(0);
  },

  '§2 dead-letter: per-message expiry dead-letters with reason expired, moving expiration to original-expiration': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl05.dlx', 'dl05.dead');
    await queue(t, ch, 'dl05.q', { deadLetterExchange: 'dl05.dlx' });
    ch.sendToQueue('dl05.q', Buffer.from('m'), { expiration: '50', correlationId: 'c-1' });
    await t.sleep(400);
    const dead = await take(t, ch, 'dl05.dead');
    expect(dead.properties.expiration).toBeUndefined();
    expect(dead.properties.correlationId).toBe('c-1');
    expect(dead.properties.headers['x-death']).toEqual([
      { count: 1, exchange: '', 'original-expiration': '50', queue: 'dl05.q', reason: 'expired', 'routing-keys': ['dl05.q'], time: '<time>' },
    ]);
  },

  '§2 dead-letter: queue TTL expiry dead-letters with reason expired and no original-expiration': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl06.dlx', 'dl06.dead');
    await queue(t, ch, 'dl06.q', { deadLetterExchange: 'dl06.dlx', messageTtl: 100 });
    ch.sendToQueue('dl06.q', Buffer.from('m'));
    await t.sleep(400);
    const dead = await take(t, ch, 'dl06.dead');
    expect(dead.properties.headers['x-death']).toEqual([
      { count: 1, exchange: '', queue: 'dl06.q', reason: 'expired', 'routing-keys': ['dl06.q'], time: '<time>' },
    ]);
  },

  '§2 dead-letter: messages expiring together are dead-lettered in queue order': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl07.dlx', 'dl07.dead');
    await queue(t, ch, 'dl07.q', { deadLetterExchange: 'dl07.dlx', messageTtl: 100 });
    for (const b of ['a', 'b', 'c']) ch.sendToQueue('dl07.q', Buffer.from(b));
    await t.sleep(400);
    const bodies: string[] = [];
    for (let m = await ch.get('dl07.dead', { noAck: true }); m; m = await ch.get('dl07.dead', { noAck: true })) {
      bodies.push(m.content.toString());
    }
    t.record('dead-lettered', bodies);
    expect(bodies).toEqual(['a', 'b', 'c']);
  },

  '§2 dead-letter: drop-head overflow dead-letters the oldest message with reason maxlen': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl08.dlx', 'dl08.dead');
    await queue(t, ch, 'dl08.q', { deadLetterExchange: 'dl08.dlx', maxLength: 1 });
    ch.sendToQueue('dl08.q', Buffer.from('old'));
    ch.sendToQueue('dl08.q', Buffer.from('new'));
    await t.settle(150);
    const dead = await take(t, ch, 'dl08.dead');
    await take(t, ch, 'dl08.q');
    expect(dead.content).toBe('old');
    expect((dead.properties.headers['x-death'] as Array<{ reason: string }>)[0].reason).toBe('maxlen');
  },

  '§2 dead-letter: x-dead-letter-routing-key replaces the routing key and removes CC': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl09.dlx', 'direct');
    await queue(t, ch, 'dl09.dead');
    await ch.bindQueue('dl09.dead', 'dl09.dlx', 'dead-key');
    await queue(t, ch, 'dl09.q', { deadLetterExchange: 'dl09.dlx', deadLetterRoutingKey: 'dead-key' });
    ch.sendToQueue('dl09.q', Buffer.from('m'), { CC: ['dl09.nowhere'], headers: { keep: 'me' } });
    await t.settle();
    await getAndReject(ch, 'dl09.q');
    await t.settle();
    const dead = await take(t, ch, 'dl09.dead');
    expect(dead.fields).toMatchObject({ exchange: 'dl09.dlx', routingKey: 'dead-key' });
    expect(dead.properties.headers.CC).toBeUndefined();
    expect(dead.properties.headers.keep).toBe('me');
    expect((dead.properties.headers['x-death'] as Array<Record<string, unknown>>)[0]['routing-keys']).toEqual(['dl09.q', 'dl09.nowhere']);
  },

  '§2 dead-letter: without a dead-letter routing key the original key and CC keys are all used': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl10.src', 'direct');
    await exchange(t, ch, 'dl10.dlx', 'direct');
    await queue(t, ch, 'dl10.q', { deadLetterExchange: 'dl10.dlx' });
    await ch.bindQueue('dl10.q', 'dl10.src', 'k1');
    await queue(t, ch, 'dl10.dead1');
    await queue(t, ch, 'dl10.dead2');
    await ch.bindQueue('dl10.dead1', 'dl10.dlx', 'k1');
    await ch.bindQueue('dl10.dead2', 'dl10.dlx', 'k2');
    ch.publish('dl10.src', 'k1', Buffer.from('m'), { CC: ['k2'] });
    await t.settle();
    await getAndReject(ch, 'dl10.q');
    await t.settle();
    const d1 = await take(t, ch, 'dl10.dead1');
    const d2 = await take(t, ch, 'dl10.dead2');
    expect([d1.fields.routingKey, d2.fields.routingKey]).toEqual(['k1', 'k1']);
    expect(d1.properties.headers.CC).toEqual(['k2']);
    expect((d1.properties.headers['x-death'] as Array<Record<string, unknown>>)[0]).toMatchObject({
      exchange: 'dl10.src',
      'routing-keys': ['k1', 'k2'],
    });
  },

  '§2 dead-letter: a missing dead-letter exchange silently drops the message': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl11.q', { deadLetterExchange: 'dl11.missing' });
    ch.sendToQueue('dl11.q', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl11.q');
    await t.settle(150);
    const ok = await t.attempt('source count', () => ch.checkQueue('dl11.q'));
    expect(ok?.messageCount).toBe(0);
    expect(t.log.some(([l]) => l === 'ch.error')).toBe(false);
  },

  '§2 dead-letter: the DLX only has to exist when a message is dead-lettered': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl12.q', { deadLetterExchange: 'dl12.dlx' });
    await dlxWithQueue(t, ch, 'dl12.dlx', 'dl12.dead');
    ch.sendToQueue('dl12.q', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl12.q');
    await t.settle();
    const dead = await take(t, ch, 'dl12.dead');
    expect(dead.content).toBe('m');
  },

  '§2 dead-letter: DLX "" with a dead-letter routing key targets a queue through the default exchange': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl13.dead');
    await queue(t, ch, 'dl13.q', { deadLetterExchange: '', deadLetterRoutingKey: 'dl13.dead' });
    ch.sendToQueue('dl13.q', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl13.q');
    await t.settle();
    const dead = await take(t, ch, 'dl13.dead');
    expect(dead.fields).toMatchObject({ exchange: '', routingKey: 'dl13.dead' });
  },

  '§2 dead-letter: dead-lettering goes through the DLX\'s alternate exchange when unroutable': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl14.ae', 'fanout');
    await queue(t, ch, 'dl14.ae.q');
    await ch.bindQueue('dl14.ae.q', 'dl14.ae', '');
    await exchange(t, ch, 'dl14.dlx', 'direct', { alternateExchange: 'dl14.ae' });
    await queue(t, ch, 'dl14.q', { deadLetterExchange: 'dl14.dlx' });
    ch.sendToQueue('dl14.q', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl14.q');
    await t.settle();
    const dead = await take(t, ch, 'dl14.ae.q');
    expect(dead.fields).toMatchObject({ exchange: 'dl14.dlx', routingKey: 'dl14.q' });
  },

  '§2 dead-letter: a dead-lettered message is never returned, even if the publish was mandatory': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl15.dlx', 'fanout');
    await queue(t, ch, 'dl15.q', { deadLetterExchange: 'dl15.dlx' });
    ch.publish('', 'dl15.q', Buffer.from('m'), { mandatory: true });
    await t.settle();
    await getAndReject(ch, 'dl15.q');
    await t.settle(150);
    await t.attempt('source count', () => ch.checkQueue('dl15.q'));
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
  },

  '§2 dead-letter: queue.purge does not dead-letter': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl16.dlx', 'dl16.dead');
    await queue(t, ch, 'dl16.q', { deadLetterExchange: 'dl16.dlx' });
    ch.sendToQueue('dl16.q', Buffer.from('a'));
    ch.sendToQueue('dl16.q', Buffer.from('b'));
    await t.settle();
    await t.attempt('purge', () => ch.purgeQueue('dl16.q'));
    await t.settle(150);
    const dead = await t.attempt('dead count', () => ch.checkQueue('dl16.dead'));
    expect(dead?.messageCount).toBe(0);
  },

  '§2 dead-letter: queue.delete does not dead-letter': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl17.dlx', 'dl17.dead');
    await queue(t, ch, 'dl17.q', { deadLetterExchange: 'dl17.dlx' });
    ch.sendToQueue('dl17.q', Buffer.from('a'));
    await t.settle();
    await t.attempt('delete', () => ch.deleteQueue('dl17.q'));
    await t.settle(150);
    const dead = await t.attempt('dead count', () => ch.checkQueue('dl17.dead'));
    expect(dead?.messageCount).toBe(0);
  },

  '§2 dead-letter: queue expiry (x-expires) does not dead-letter': async (t) => {
    const ch = await open(t);
    await dlxWithQueue(t, ch, 'dl18.dlx', 'dl18.dead');
    await queue(t, ch, 'dl18.q', { deadLetterExchange: 'dl18.dlx', expires: 200 });
    ch.sendToQueue('dl18.q', Buffer.from('a'));
    await t.sleep(700);
    const dead = await t.attempt('dead count', () => ch.checkQueue('dl18.dead'));
    await t.attempt('source', () => ch.checkQueue('dl18.q'));
    expect(dead?.messageCount).toBe(0);
  },

  '§2 dead-letter: x-first-death-* keep the first death while x-death lists the newest first': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl19.c');
    await queue(t, ch, 'dl19.b', { deadLetterExchange: '', deadLetterRoutingKey: 'dl19.c' });
    await queue(t, ch, 'dl19.a', { deadLetterExchange: '', deadLetterRoutingKey: 'dl19.b', messageTtl: 100 });
    ch.sendToQueue('dl19.a', Buffer.from('m'));
    await t.sleep(400);
    await getAndReject(ch, 'dl19.b');
    await t.settle();
    const dead = await take(t, ch, 'dl19.c');
    const h = dead.properties.headers;
    expect([h['x-first-death-reason'], h['x-first-death-queue'], h['x-first-death-exchange']]).toEqual(['expired', 'dl19.a', '']);
    expect((h['x-death'] as Array<{ queue: string; reason: string }>).map((d) => [d.queue, d.reason])).toEqual([
      ['dl19.b', 'rejected'],
      ['dl19.a', 'expired'],
    ]);
  },

  '§2 dead-letter: a cycle through a rejection is allowed and the x-death count grows': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl20.q', { deadLetterExchange: '' });
    ch.sendToQueue('dl20.q', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl20.q');
    await t.settle();
    await getAndReject(ch, 'dl20.q');
    await t.settle();
    const back = await take(t, ch, 'dl20.q');
    expect(back.fields).toMatchObject({ exchange: '', routingKey: 'dl20.q', redelivered: false });
    expect(back.properties.headers['x-death']).toEqual([
      { count: 2, exchange: '', queue: 'dl20.q', reason: 'rejected', 'routing-keys': ['dl20.q'], time: '<time>' },
    ]);
  },

  '§2 dead-letter: an existing x-death entry is moved to the front when its count grows': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl21.a', { deadLetterExchange: '', deadLetterRoutingKey: 'dl21.b' });
    await queue(t, ch, 'dl21.b', { deadLetterExchange: '', deadLetterRoutingKey: 'dl21.a' });
    ch.sendToQueue('dl21.a', Buffer.from('m'));
    await t.settle();
    await getAndReject(ch, 'dl21.a');
    await t.settle();
    await getAndReject(ch, 'dl21.b');
    await t.settle();
    await getAndReject(ch, 'dl21.a');
    await t.settle();
    const dead = await take(t, ch, 'dl21.b');
    const deaths = dead.properties.headers['x-death'] as Array<{ queue: string; count: number; 'routing-keys': string[] }>;
    expect(deaths.map((d) => [d.queue, d.count, d['routing-keys']])).toEqual([
      ['dl21.a', 2, ['dl21.a']],
      ['dl21.b', 1, ['dl21.b']],
    ]);
  },

  '§2 dead-letter: an expiry cycle back to the same queue is dropped for that queue only': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl22.dlx', 'fanout');
    await queue(t, ch, 'dl22.q', { deadLetterExchange: 'dl22.dlx', messageTtl: 100 });
    await queue(t, ch, 'dl22.seen');
    await ch.bindQueue('dl22.q', 'dl22.dlx', '');
    await ch.bindQueue('dl22.seen', 'dl22.dlx', '');
    ch.sendToQueue('dl22.q', Buffer.from('m'));
    await t.sleep(600);
    const q = await t.attempt('source count', () => ch.checkQueue('dl22.q'));
    const seen = await t.attempt('seen count', () => ch.checkQueue('dl22.seen'));
    expect([q?.messageCount, seen?.messageCount]).toEqual([0, 1]);
  },

  '§2 dead-letter: a queue with TTL dead-lettering to itself via "" loses the message': async (t) => {
    const ch = await open(t);
    await queue(t, ch, 'dl23.q', { deadLetterExchange: '', messageTtl: 100 });
    ch.sendToQueue('dl23.q', Buffer.from('m'));
    await t.sleep(500);
    const ok = await t.attempt('count', () => ch.checkQueue('dl23.q'));
    await t.attempt('get', () => ch.get('dl23.q', { noAck: true }));
    expect(ok?.messageCount).toBe(0);
  },

  '§2 dead-letter: a two-queue expiry cycle is dropped when it comes back': async (t) => {
    const ch = await open(t);
    await exchange(t, ch, 'dl24.dlx', 'fanout');
    await queue(t, ch, 'dl24.seen');
    await ch.bindQueue('dl24.seen', 'dl24.dlx', '');
    await queue(t, ch, 'dl24.b', { deadLetterExchange: '', deadLetterRoutingKey: 'dl24.a', messageTtl: 100 });
    await queue(t, ch, 'dl24.a', { deadLetterExchange: 'dl24.dlx', messageTtl: 100 });
    await ch.bindQueue('dl24.b', 'dl24.dlx', '');
    ch.sendToQueue('dl24.a', Buffer.from('m'));
    await t.sleep(800);
    const counts = await t.attempt('counts', async () => [
      (await ch.checkQueue('dl24.a')).messageCount,
      (await ch.checkQueue('dl24.b')).messageCount,
      (await ch.checkQueue('dl24.seen')).messageCount,
    ]);
    const seen = await take(t, ch, 'dl24.seen');
    expect(counts).toEqual([0, 0, 1]);
    expect(seen.properties.headers['x-death']).toEqual([
      { count: 1, exchange: '', queue: 'dl24.a', reason: 'expired', 'routing-keys': ['dl24.a'], time: '<time>' },
    ]);
  },
});
