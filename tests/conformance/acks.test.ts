/**
 * §8 delivery tags, basic.ack / basic.nack / basic.reject: tag numbering,
 * single and multiple settlement, tag 0, unknown tags, and requeue order.
 */
import { expect } from 'vitest';
import type { Channel, ConsumeMessage, GetMessage, Message } from 'amqplib';
import { scenarios, describeMessage, type ScenarioContext } from './harness.ts';
import { checkUntil, consumeInto, contents, declare, logged, open, publishAll, until } from './helpers.ts';

const body = (s: string) => Buffer.from(s);

/** A message object carrying only a delivery tag, for tags the client never received. */
const tagOnly = (deliveryTag: number) => ({ fields: { deliveryTag }, properties: {}, content: Buffer.alloc(0) }) as unknown as Message;

/** Resolves when the channel has closed. */
const closed = (ch: Channel) => new Promise<void>((r) => ch.once('close', () => r()));

/** basic.get with ack required; records the message and returns it. */
async function getOne(t: ScenarioContext, ch: Channel, q: string, label: string): Promise<GetMessage> {
  const m = await ch.get(q);
  t.record(label, describeMessage(m));
  if (!m) throw new Error(`${label}: queue ${q} was empty`);
  return m;
}

/** Takes (noAck) everything ready, in order, and records it. Same channel as the settles keeps it ordered after them. */
async function drain(t: ScenarioContext, ch: Channel, q: string, label: string) {
  const out: GetMessage[] = [];
  for (let i = 0; i < 20; i++) {
    const m = await ch.get(q, { noAck: true });
    if (!m) break;
    out.push(m);
  }
  t.record(label, out.map(describeMessage));
  return out.map((m) => [m.content.toString(), m.fields.redelivered] as const);
}

const PRECONDITION = (tag: number, methodId: number) => ({
  message: `Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag ${tag}"`,
  code: 406,
  classId: 60,
  methodId,
});

scenarios('§8 delivery tags, ack / nack / reject', {
  '§8 delivery tags start at 1 and go up by one per delivery': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8a-q');
    const c = await consumeInto(ch, q, { consumerTag: 'a8a-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 3);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(c.msgs.map((m) => m?.fields.deliveryTag)).toEqual([1, 2, 3]);
  },

  '§8 basic.get and consumer deliveries share one tag counter': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8b-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    const g1 = await getOne(t, ch, q, 'get 1');
    await ch.prefetch(1);
    const c = await consumeInto(ch, q, { consumerTag: 'a8b-c' });
    await until(t, () => c.msgs.length >= 1);
    t.record('consumer', c.msgs.map(describeMessage));
    const g2 = await getOne(t, ch, q, 'get 2');
    expect([g1.fields.deliveryTag, c.msgs[0]?.fields.deliveryTag, g2.fields.deliveryTag]).toEqual([1, 2, 3]);
    expect([g1.content.toString(), contents(c.msgs)[0], g2.content.toString()]).toEqual(['m1', 'm2', 'm3']);
  },

  '§8 noAck deliveries also use up delivery tags': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8c-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    const g1 = await ch.get(q, { noAck: true });
    t.record('get noAck', describeMessage(g1));
    const g2 = await getOne(t, ch, q, 'get');
    const c = await consumeInto(ch, q, { consumerTag: 'a8c-c', noAck: true });
    await until(t, () => c.msgs.length >= 1);
    t.record('consumer noAck', c.msgs.map(describeMessage));
    expect([g1 && g1.fields.deliveryTag, g2.fields.deliveryTag, c.msgs[0]?.fields.deliveryTag]).toEqual([1, 2, 3]);
  },

  '§8 a redelivery gets a fresh delivery tag': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8d-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    const first = await getOne(t, ch, q, 'first');
    ch.nack(first);
    const again = await getOne(t, ch, q, 'again');
    expect([first.fields.deliveryTag, first.fields.redelivered]).toEqual([1, false]);
    expect([again.fields.deliveryTag, again.fields.redelivered]).toEqual([2, true]);
  },

  '§8 each channel has its own tag counter starting at 1': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'a8e-q');
    publishAll(ch1, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch1, 'queued', q, 3);
    const a = await getOne(t, ch1, q, 'ch1 get 1');
    const b = await getOne(t, ch1, q, 'ch1 get 2');
    const c = await getOne(t, ch2, q, 'ch2 get 1');
    expect([a.fields.deliveryTag, b.fields.deliveryTag, c.fields.deliveryTag]).toEqual([1, 2, 1]);
  },

  '§8 delivery tags keep counting after a consumer is cancelled': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8f-q');
    const c = await consumeInto(ch, q, { consumerTag: 'a8f-c', noAck: true });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => c.msgs.length >= 2);
    await ch.cancel('a8f-c');
    ch.sendToQueue(q, body('m3'));
    await checkUntil(t, ch, 'queued', q, 1);
    const g = await getOne(t, ch, q, 'get');
    expect(g.fields.deliveryTag).toBe(3);
  },

  '§8 an ack settles exactly the given tag': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8g-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    await getOne(t, ch, q, 'get 3');
    ch.ack(m2);
    ch.nackAll();
    const back = await drain(t, ch, q, 'requeued');
    expect(back).toEqual([
      ['m1', true],
      ['m3', true],
    ]);
  },

  '§8 an ack with multiple settles every outstanding tag up to and including it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8h-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    const got = [];
    for (let i = 1; i <= 4; i++) got.push(await getOne(t, ch, q, `get ${i}`));
    ch.ack(got[2], true);
    ch.nackAll();
    const back = await drain(t, ch, q, 'requeued');
    expect(back).toEqual([['m4', true]]);
  },

  '§8 an ack with multiple skips lower tags that were already settled': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8i-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    const got = [];
    for (let i = 1; i <= 4; i++) got.push(await getOne(t, ch, q, `get ${i}`));
    ch.ack(got[1]);
    ch.ack(got[2], true);
    const ok = await t.attempt('channel still open', () => ch.checkExchange('amq.direct'));
    ch.nackAll();
    const back = await drain(t, ch, q, 'requeued');
    expect(ok).toEqual({});
    expect(back).toEqual([['m4', true]]);
  },

  '§8 an ack with multiple on an already-settled tag fails and settles nothing': async (t) => {
    const { conn, ch } = await open(t);
    const q = await declare(t, ch, 'a8j-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    await getOne(t, ch, q, 'get 3');
    const done = closed(ch);
    ch.ack(m2);
    ch.ack(m2, true);
    await done;
    const ch2 = await conn.createChannel();
    t.watch('ch2', ch2);
    await checkUntil(t, ch2, 'after close', q, 2);
    const back = await drain(t, ch2, q, 'requeued');
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(2, 80));
    expect(back).toEqual([
      ['m1', true],
      ['m3', true],
    ]);
  },

  '§8 an ack with multiple on a tag never issued fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8k-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.ack(tagOnly(5), true);
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(5, 80));
  },

  '§8 an ack with multiple on the tag of a noAck delivery fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8l-q');
    publishAll(ch, q, ['m1', 'm2']);
    await checkUntil(t, ch, 'queued', q, 2);
    const g1 = await ch.get(q, { noAck: true });
    t.record('get noAck', describeMessage(g1));
    const m2 = await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.ack(m2, true);
    ch.ack(g1 as GetMessage, true);
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(1, 80));
  },

  '§8 ackAll settles every outstanding delivery': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8m-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    for (let i = 1; i <= 3; i++) await getOne(t, ch, q, `get ${i}`);
    ch.ackAll();
    ch.nackAll();
    const back = await drain(t, ch, q, 'remaining');
    expect(back).toEqual([['m4', false]]);
  },

  '§8 ackAll with nothing outstanding is accepted': async (t) => {
    const { ch } = await open(t);
    ch.ackAll();
    ch.nackAll();
    const ok = await t.attempt('channel still open', () => ch.checkExchange('amq.direct'));
    expect(ok).toEqual({});
  },

  '§8 an ack of tag 0 without multiple fails with 406 unknown delivery tag 0': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8n-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.ack(tagOnly(0));
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(0, 80));
  },

  '§8 acking the same delivery twice closes the channel with 406': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const q = await declare(t, ch, 'a8o-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    const m = await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.ack(m);
    ch.ack(m);
    await done;
    const other = await conn.createChannel();
    const alive = await t.attempt('connection still open', () => other.checkQueue(q));
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(1, 80));
    expect(alive).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  '§8 acking a noAck delivery fails with 406 unknown delivery tag': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8p-q');
    const c = await consumeInto(ch, q, { consumerTag: 'a8p-c', noAck: true });
    ch.sendToQueue(q, body('m1'));
    await until(t, () => c.msgs.length >= 1);
    const done = closed(ch);
    ch.ack(c.msgs[0] as ConsumeMessage);
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(1, 80));
  },

  '§8 acking on a channel other than the receiving one fails with 406': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'a8q-q');
    ch1.sendToQueue(q, body('m1'));
    await checkUntil(t, ch1, 'queued', q, 1);
    const m = await getOne(t, ch1, q, 'get on ch1');
    const done = closed(ch2);
    ch2.ack(m);
    await done;
    ch1.ack(m);
    const ok = await t.attempt('ch1 still open', () => ch1.checkQueue(q));
    expect(logged(t, 'ch2.error')).toEqual(PRECONDITION(1, 80));
    expect(ok).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  '§8 rejecting an unknown tag fails with 406 on basic.reject': async (t) => {
    const { ch } = await open(t);
    const done = closed(ch);
    ch.reject(tagOnly(3));
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(3, 90));
  },

  '§8 nacking an unknown tag fails with 406 on basic.nack': async (t) => {
    const { ch } = await open(t);
    const done = closed(ch);
    ch.nack(tagOnly(4));
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(4, 120));
  },

  '§8 nacking the same delivery twice fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8r-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    const m = await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.nack(m, false, false);
    ch.nack(m, false, false);
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(1, 120));
  },

  '§8 a nack with multiple on an unknown tag fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8s-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    await getOne(t, ch, q, 'get');
    const done = closed(ch);
    ch.nack(tagOnly(9), true);
    await done;
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(9, 120));
  },

  '§8 a requeued message goes back ahead of messages published after it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8t-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    const m1 = await getOne(t, ch, q, 'get 1');
    await getOne(t, ch, q, 'get 2');
    ch.nack(m1);
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m3', false],
      ['m4', false],
    ]);
  },

  '§8 requeued messages keep their original order whatever order they are nacked in': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8u-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    const m1 = await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    const m3 = await getOne(t, ch, q, 'get 3');
    ch.nack(m3);
    ch.reject(m1);
    ch.nack(m2);
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', true],
      ['m4', false],
    ]);
  },

  '§8 a requeued message returns to its position between messages still in the queue': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'a8v-q');
    publishAll(ch1, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch1, 'queued', q, 3);
    const m1 = await getOne(t, ch1, q, 'ch1 get 1');
    const m2 = await getOne(t, ch2, q, 'ch2 get 2');
    ch2.nack(m2);
    await checkUntil(t, ch2, 'after nack m2', q, 2);
    ch1.nack(m1);
    await checkUntil(t, ch1, 'after nack m1', q, 3);
    const back = await drain(t, ch1, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
    ]);
  },

  '§8 a nack with multiple and requeue requeues every outstanding tag up to it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8w-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    await getOne(t, ch, q, 'get 3');
    ch.nack(m2, true, true);
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m4', false],
    ]);
  },

  '§8 a nack with multiple and no requeue discards every outstanding tag up to it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8x-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    await getOne(t, ch, q, 'get 3');
    ch.nack(m2, true, false);
    ch.nackAll();
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([['m3', true]]);
  },

  '§8 nackAll requeues every outstanding delivery to the consumer again': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8y-q');
    await ch.prefetch(3);
    const c = await consumeInto(ch, q, { consumerTag: 'a8y-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 3);
    ch.nackAll();
    await until(t, () => c.msgs.length >= 6);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(c.msgs.map((m) => [m?.content.toString(), m?.fields.deliveryTag, m?.fields.redelivered])).toEqual([
      ['m1', 1, false],
      ['m2', 2, false],
      ['m3', 3, false],
      ['m1', 4, true],
      ['m2', 5, true],
      ['m3', 6, true],
    ]);
  },

  '§8 nackAll without requeue discards every outstanding delivery': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8z-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get 1');
    await getOne(t, ch, q, 'get 2');
    ch.nackAll(false);
    ch.nackAll();
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([['m3', false]]);
  },

  '§8 reject without requeue discards the message': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8aa-q');
    publishAll(ch, q, ['m1', 'm2']);
    await checkUntil(t, ch, 'queued', q, 2);
    const m1 = await getOne(t, ch, q, 'get');
    ch.reject(m1, false);
    const back = await drain(t, ch, q, 'ready');
    const check = await checkUntil(t, ch, 'check', q, 0);
    expect(back).toEqual([['m2', false]]);
    expect(check.messageCount).toBe(0);
  },

  '§8 nack and reject requeue by default': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8ab-q');
    publishAll(ch, q, ['m1', 'm2']);
    await checkUntil(t, ch, 'queued', q, 2);
    const m1 = await getOne(t, ch, q, 'get 1');
    const m2 = await getOne(t, ch, q, 'get 2');
    ch.reject(m1);
    ch.nack(m2);
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
    ]);
  },

  '§8 a rejected message may go straight back to the same consumer': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8ac-q');
    await ch.prefetch(1);
    const c = await consumeInto(ch, q, { consumerTag: 'a8ac-c' });
    ch.sendToQueue(q, body('m1'));
    await until(t, () => c.msgs.length >= 1);
    ch.reject(c.msgs[0] as ConsumeMessage);
    await until(t, () => c.msgs.length >= 2);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(c.msgs.map((m) => [m?.content.toString(), m?.fields.deliveryTag, m?.fields.redelivered])).toEqual([
      ['m1', 1, false],
      ['m1', 2, true],
    ]);
  },

  '§8 acking a delivery whose queue was deleted is accepted silently': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'a8ad-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    const m = await getOne(t, ch, q, 'get');
    await t.attempt('delete queue', () => ch.deleteQueue(q));
    ch.ack(m);
    const ok = await t.attempt('channel still open', () => ch.checkExchange('amq.direct'));
    expect(ok).toEqual({});
  },

  '§8 after an unknown-tag error the channel is gone but the connection keeps working': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const done = closed(ch);
    ch.ack(tagOnly(1));
    await done;
    const ch2 = await conn.createChannel();
    t.watch('ch2', ch2);
    const ok = await t.attempt('new channel works', () => ch2.checkExchange('amq.direct'));
    expect(logged(t, 'ch.error')).toEqual(PRECONDITION(1, 80));
    expect(logged(t, 'conn.error')).toBeUndefined();
    expect(ok).toEqual({});
  },
});
