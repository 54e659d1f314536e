/**
 * §9 channel close, connection close and basic.recover (requeueing of unacked
 * deliveries, exclusive queue deletion); §10 basic.get.
 */
import { expect } from 'vitest';
import type { Channel, GetMessage } from 'amqplib';
import { scenarios, describeMessage, type ScenarioContext } from './harness.ts';
import { checkUntil, consumeInto, contents, declare, logged, open, publishAll, until } from './helpers.ts';

const body = (s: string) => Buffer.from(s);

/** Resolves when the emitter (channel or connection) has closed. */
const closed = (e: { once(ev: string, fn: () => void): unknown }) => new Promise<void>((r) => void e.once('close', () => r()));

async function getOne(t: ScenarioContext, ch: Channel, q: string, label: string, noAck = false): Promise<GetMessage> {
  const m = await ch.get(q, { noAck });
  t.record(label, describeMessage(m));
  if (!m) throw new Error(`${label}: queue ${q} was empty`);
  return m;
}

/** Takes (noAck) everything ready, in order, and records it. */
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

const LOCKED = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;

scenarios('§9 channel close, connection close, basic.recover', {
  '§9 closing a channel requeues its unacked deliveries with redelivered set': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9a-q');
    publishAll(ch1, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch1, 'queued', q, 3);
    await getOne(t, ch1, q, 'get 1');
    await getOne(t, ch1, q, 'get 2');
    await t.attempt('close ch1', () => ch1.close());
    await checkUntil(t, ch2, 'after close', q, 3);
    const back = await drain(t, ch2, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
    ]);
  },

  "§9 a consumer's unacked deliveries go to the next consumer after its channel closes": async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9b-q');
    await ch1.prefetch(2);
    const a = await consumeInto(ch1, q, { consumerTag: 'r9b-a' });
    publishAll(ch2, q, ['m1', 'm2', 'm3']);
    await until(t, () => a.msgs.length >= 2);
    await checkUntil(t, ch2, 'ready while held', q, 1);
    await t.attempt('close ch1', () => ch1.close());
    await checkUntil(t, ch2, 'after close', q, 3);
    const b = await consumeInto(ch2, q, { consumerTag: 'r9b-b' });
    await until(t, () => b.msgs.length >= 3);
    t.record('a', a.msgs.map(describeMessage));
    t.record('b', b.msgs.map(describeMessage));
    expect(b.msgs.map((m) => [m?.content.toString(), m?.fields.redelivered])).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
    ]);
  },

  '§9 closing a channel removes its consumers': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9c-q');
    await ch1.consume(q, () => {}, { consumerTag: 'r9c-a' });
    await ch1.consume(q, () => {}, { consumerTag: 'r9c-b' });
    const before = await t.attempt('before', () => ch2.checkQueue(q));
    await t.attempt('close ch1', () => ch1.close());
    const after = await t.attempt('after', () => ch2.checkQueue(q));
    expect([before?.consumerCount, after?.consumerCount]).toEqual([2, 0]);
  },

  '§9 a channel closed by a server error also requeues its unacked deliveries': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9d-q');
    publishAll(ch1, q, ['m1', 'm2']);
    await checkUntil(t, ch1, 'queued', q, 2);
    await getOne(t, ch1, q, 'get');
    await t.attempt('check missing queue', () => ch1.checkQueue('r9d-missing'));
    await checkUntil(t, ch2, 'after error', q, 2);
    const back = await drain(t, ch2, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', false],
    ]);
  },

  '§9 closing a connection requeues the unacked deliveries of all its channels': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const other = await t.connect();
    const och = await other.createChannel();
    t.watch('other.ch', och);
    const q = await declare(t, och, 'r9e-q');
    publishAll(och, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, och, 'queued', q, 3);
    await getOne(t, ch1, q, 'ch1 get');
    await getOne(t, ch2, q, 'ch2 get');
    await t.attempt('close connection', () => conn.close());
    await checkUntil(t, och, 'after close', q, 3);
    const back = await drain(t, och, q, 'ready');
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
    ]);
  },

  '§9 closing a connection deletes its exclusive queues': async (t) => {
    const owner = await t.connect();
    t.watch('owner', owner);
    const och = await owner.createChannel();
    t.watch('owner.ch', och);
    const q = await declare(t, och, 'r9f-q', { exclusive: true });
    publishAll(och, q, ['m1', 'm2']);
    await checkUntil(t, och, 'queued', q, 2);
    await t.attempt('close owner', () => owner.close());
    const other = await t.connect();
    const ch = await other.createChannel();
    t.watch('other.ch', ch);
    await t.attempt('check', () => ch.checkQueue(q));
    await t.settle();
    expect(t.log.find(([l]) => l === 'check')?.[1]).toEqual({
      error: {
        message: `Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue '${q}' in vhost '/'"`,
        code: 404,
        classId: 50,
        methodId: 10,
      },
    });
  },

  '§9 closing only the channel keeps the exclusive queue': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9g-q', { exclusive: true });
    ch1.sendToQueue(q, body('m1'));
    await checkUntil(t, ch1, 'queued', q, 1);
    await t.attempt('close ch1', () => ch1.close());
    const check = await t.attempt('check', () => ch2.checkQueue(q));
    expect(check).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
  },

  "§9 an exclusive queue's unacked messages are not dead-lettered when its connection closes": async (t) => {
    const keeper = await t.connect();
    const kch = await keeper.createChannel();
    t.watch('keeper.ch', kch);
    const dead = await declare(t, kch, 'r9h-dead');
    const owner = await t.connect();
    const och = await owner.createChannel();
    t.watch('owner.ch', och);
    const q = await declare(t, och, 'r9h-q', { exclusive: true, deadLetterExchange: '', deadLetterRoutingKey: dead });
    publishAll(och, q, ['m1', 'm2']);
    await checkUntil(t, och, 'queued', q, 2);
    await getOne(t, och, q, 'get');
    await t.attempt('close owner', () => owner.close());
    await t.settle();
    const check = await t.attempt('dead-letter queue', () => kch.checkQueue(dead));
    expect(check).toEqual({ queue: dead, messageCount: 0, consumerCount: 0 });
  },

  '§9 noAck deliveries are not restored when the channel closes': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9i-q');
    publishAll(ch2, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch2, 'queued', q, 3);
    const c = await consumeInto(ch1, q, { consumerTag: 'r9i-c', noAck: true });
    await until(t, () => c.msgs.length >= 3);
    await t.attempt('close ch1', () => ch1.close());
    await t.settle();
    const check = await t.attempt('check', () => ch2.checkQueue(q));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3']);
    expect(check).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  "§9 closing a cancelled consumer's channel still requeues its unacked deliveries": async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9j-q');
    const c = await consumeInto(ch1, q, { consumerTag: 'r9j-c' });
    ch2.sendToQueue(q, body('m1'));
    await until(t, () => c.msgs.length >= 1);
    await t.attempt('cancel', () => ch1.cancel('r9j-c'));
    await t.attempt('close ch1', () => ch1.close());
    await checkUntil(t, ch2, 'after close', q, 1);
    const back = await drain(t, ch2, q, 'ready');
    expect(back).toEqual([['m1', true]]);
  },

  '§9 basic.recover requeues every unacked basic.get delivery with redelivered set': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'r9k-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get 1');
    await getOne(t, ch, q, 'get 2');
    const ok = await t.attempt('recover', () => ch.recover());
    const back = await drain(t, ch, q, 'ready');
    expect(ok).toEqual({});
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
      ['m3', false],
    ]);
  },

  '§9 basic.recover redelivers to the attached consumer with fresh tags': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'r9l-q');
    await ch.prefetch(2);
    const c = await consumeInto(ch, q, { consumerTag: 'r9l-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 2);
    await t.attempt('recover', () => ch.recover());
    await until(t, () => c.msgs.length >= 4);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(c.msgs.map((m) => [m?.content.toString(), m?.fields.deliveryTag, m?.fields.redelivered])).toEqual([
      ['m1', 1, false],
      ['m2', 2, false],
      ['m1', 3, true],
      ['m2', 4, true],
    ]);
  },

  '§9 after basic.recover the old delivery tags are unknown': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'r9m-q');
    ch.sendToQueue(q, body('m1'));
    await checkUntil(t, ch, 'queued', q, 1);
    const m = await getOne(t, ch, q, 'get');
    await t.attempt('recover', () => ch.recover());
    const done = closed(ch);
    ch.ack(m);
    await done;
    expect(logged(t, 'ch.error')).toEqual({
      message: `Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"`,
      code: 406,
      classId: 60,
      methodId: 80,
    });
  },

  '§9 basic.recover with nothing unacked replies recover-ok': async (t) => {
    const { ch } = await open(t);
    const ok = await t.attempt('recover', () => ch.recover());
    const again = await t.attempt('recover again', () => ch.recover());
    expect([ok, again]).toEqual([{}, {}]);
  },

  '§9 basic.recover does not bring back noAck deliveries': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'r9n-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    await getOne(t, ch, q, 'get noAck', true);
    await getOne(t, ch, q, 'get');
    await t.attempt('recover', () => ch.recover());
    const back = await drain(t, ch, q, 'ready');
    expect(back).toEqual([
      ['m2', true],
      ['m3', false],
    ]);
  },

  '§9 basic.recover acts only on its own channel': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'r9o-q');
    publishAll(ch1, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch1, 'queued', q, 3);
    await getOne(t, ch1, q, 'ch1 get');
    await getOne(t, ch2, q, 'ch2 get');
    await t.attempt('recover ch2', () => ch2.recover());
    const back = await drain(t, ch2, q, 'ready');
    expect(back).toEqual([
      ['m2', true],
      ['m3', false],
    ]);
  },

  "§9 basic.recover also requeues the unacked deliveries of a cancelled consumer": async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'r9p-q');
    const c = await consumeInto(ch, q, { consumerTag: 'r9p-c' });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => c.msgs.length >= 2);
    await t.attempt('cancel', () => ch.cancel('r9p-c'));
    await t.attempt('recover', () => ch.recover());
    const back = await drain(t, ch, q, 'ready');
    t.record('consumer', contents(c.msgs));
    expect(back).toEqual([
      ['m1', true],
      ['m2', true],
    ]);
  },
});

scenarios('§10 basic.get', {
  '§10 basic.get on an empty queue returns get-empty (false)': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'g10a-q');
    const r = await t.attempt('get', () => ch.get(q));
    expect(r).toBe(false);
  },

  '§10 message_count is the number of ready messages left after the one taken': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'g10b-q');
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    const counts = [];
    for (let i = 1; i <= 3; i++) counts.push((await getOne(t, ch, q, `get ${i}`)).fields.messageCount);
    expect(counts).toEqual([2, 1, 0]);
  },

  '§10 message_count leaves out messages held unacked by a consumer': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'g10c-q');
    await ch1.prefetch(2);
    const c = await consumeInto(ch1, q, { consumerTag: 'g10c-c' });
    publishAll(ch2, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 2);
    const g = await getOne(t, ch2, q, 'get');
    t.record('consumer', contents(c.msgs));
    expect([g.content.toString(), g.fields.messageCount]).toEqual(['m3', 1]);
  },

  '§10 an unacked get is left out of the queue.declare message count': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'g10d-q');
    publishAll(ch, q, ['m1', 'm2']);
    await checkUntil(t, ch, 'queued', q, 2);
    await getOne(t, ch, q, 'get');
    const check = await t.attempt('check', () => ch.checkQueue(q));
    expect(check).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
  },

  '§10 basic.get reports the exchange and routing key of the publish': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'g10e-q');
    t.cleanup('exchange', 'g10e-x');
    await ch.assertExchange('g10e-x', 'topic', { durable: false });
    await ch.bindQueue(q, 'g10e-x', 'a.*');
    ch.publish('g10e-x', 'a.b', body('via topic'));
    ch.sendToQueue(q, body('via default'));
    await checkUntil(t, ch, 'queued', q, 2);
    const a = await getOne(t, ch, q, 'get 1', true);
    const b = await getOne(t, ch, q, 'get 2', true);
    expect([a.fields.exchange, a.fields.routingKey]).toEqual(['g10e-x', 'a.b']);
    expect([b.fields.exchange, b.fields.routingKey]).toEqual(['', q]);
  },

  '§10 basic.get from a missing queue fails with 404': async (t) => {
    const { ch } = await open(t);
    await t.attempt('get', () => ch.get('g10f-missing'));
    await t.settle();
    expect(t.log.find(([l]) => l === 'get')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicGet; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'g10f-missing' in vhost '/'"`,
        code: 404,
        classId: 60,
        methodId: 70,
      },
    });
  },

  "§10 basic.get from another connection's exclusive queue fails with 405": async (t) => {
    const owner = await t.connect();
    const och = await owner.createChannel();
    t.watch('owner.ch', och);
    const q = await declare(t, och, 'g10g-q', { exclusive: true });
    och.sendToQueue(q, body('m1'));
    await checkUntil(t, och, 'queued', q, 1);
    const other = await t.connect();
    const ch = await other.createChannel();
    t.watch('other.ch', ch);
    await t.attempt('get', () => ch.get(q));
    await t.settle();
    expect(t.log.find(([l]) => l === 'get')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicGet; 405 (RESOURCE-LOCKED) with message "${LOCKED(q)}"`,
        code: 405,
        classId: 60,
        methodId: 70,
      },
    });
  },

  '§10 basic.get from an exclusive queue works on another channel of the owning connection': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'g10h-q', { exclusive: true });
    ch1.sendToQueue(q, body('m1'));
    await checkUntil(t, ch1, 'queued', q, 1);
    const m = await getOne(t, ch2, q, 'get', true);
    expect(m.content.toString()).toBe('m1');
  },

  '§10 basic.get with noAck removes the message at once': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'g10i-q');
    ch1.sendToQueue(q, body('m1'));
    await checkUntil(t, ch1, 'queued', q, 1);
    await getOne(t, ch1, q, 'get', true);
    await t.attempt('close ch1', () => ch1.close());
    await t.settle();
    const check = await t.attempt('check', () => ch2.checkQueue(q));
    expect(check).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  '§10 basic.get takes ready messages while a consumer is attached': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'g10j-q');
    await ch1.prefetch(1);
    const c = await consumeInto(ch1, q, { consumerTag: 'g10j-c' });
    publishAll(ch2, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 1);
    const g = await getOne(t, ch2, q, 'get');
    t.record('consumer', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1']);
    expect([g.content.toString(), g.fields.messageCount]).toEqual(['m2', 1]);
  },

  '§10 basic.get does not count as a consumer': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'g10k-q', { autoDelete: true });
    publishAll(ch, q, ['m1', 'm2']);
    await checkUntil(t, ch, 'queued', q, 2);
    const m = await getOne(t, ch, q, 'get');
    ch.ack(m);
    await getOne(t, ch, q, 'get noAck', true);
    const check = await checkUntil(t, ch, 'check', q, 0);
    expect(check).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },
});
