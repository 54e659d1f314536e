/**
 * §7 basic.qos: per-consumer and channel-wide (global) prefetch, how they
 * combine, and what they do not limit (noAck consumers, basic.get).
 */
import { expect } from 'vitest';
import type { ConsumeMessage } from 'amqplib';
import { scenarios, describeMessage } from './harness.ts';
import { checkUntil, consumeInto, contents, declare, open, publishAll, until } from './helpers.ts';

scenarios('§7 basic.qos', {
  '§7 a per-consumer prefetch limits how many unacked deliveries a consumer holds': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7a-q');
    await t.attempt('qos', () => ch.prefetch(2));
    const c = await consumeInto(ch, q, { consumerTag: 'p7a-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => c.msgs.length >= 2);
    t.record('deliveries', c.msgs.map(describeMessage));
    const check = await checkUntil(t, ch, 'check', q, 3);
    expect(contents(c.msgs)).toEqual(['m1', 'm2']);
    expect(check.messageCount).toBe(3);
  },

  '§7 acking one delivery lets exactly one more through': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7b-q');
    await ch.prefetch(2);
    const c = await consumeInto(ch, q, { consumerTag: 'p7b-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => c.msgs.length >= 2);
    ch.ack(c.msgs[0] as ConsumeMessage);
    await until(t, () => c.msgs.length >= 3);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3']);
    expect(c.msgs.map((m) => m?.fields.deliveryTag)).toEqual([1, 2, 3]);
  },

  '§7 rejecting a delivery without requeue frees its prefetch slot': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7c-q');
    await ch.prefetch(1);
    const c = await consumeInto(ch, q, { consumerTag: 'p7c-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 1);
    ch.reject(c.msgs[0] as ConsumeMessage, false);
    await until(t, () => c.msgs.length >= 2);
    t.record('deliveries', c.msgs.map(describeMessage));
    const check = await checkUntil(t, ch, 'check', q, 1);
    expect(contents(c.msgs)).toEqual(['m1', 'm2']);
    expect(check.messageCount).toBe(1);
  },

  '§7 a nack with requeue frees the slot and the requeued message is delivered again first': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7d-q');
    await ch.prefetch(1);
    const c = await consumeInto(ch, q, { consumerTag: 'p7d-c' });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => c.msgs.length >= 1);
    ch.nack(c.msgs[0] as ConsumeMessage);
    await until(t, () => c.msgs.length >= 2);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(contents(c.msgs)).toEqual(['m1', 'm1']);
    expect(c.msgs.map((m) => m?.fields.redelivered)).toEqual([false, true]);
  },

  '§7 a per-consumer prefetch applies separately to each consumer of the channel': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7e-q');
    await ch.prefetch(1);
    const a = await consumeInto(ch, q, { consumerTag: 'p7e-a' });
    const b = await consumeInto(ch, q, { consumerTag: 'p7e-b' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => a.msgs.length + b.msgs.length >= 2);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    const check = await checkUntil(t, ch, 'check', q, 2);
    expect([contents(a.msgs), contents(b.msgs)]).toEqual([['m1'], ['m2']]);
    expect(check.messageCount).toBe(2);
  },

  '§7 a later per-consumer qos does not change consumers that already exist': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7f-q');
    await ch.prefetch(1);
    const a = await consumeInto(ch, q, { consumerTag: 'p7f-a' });
    await ch.prefetch(3);
    const b = await consumeInto(ch, q, { consumerTag: 'p7f-b' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    await until(t, () => a.msgs.length + b.msgs.length >= 4);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    expect([contents(a.msgs), contents(b.msgs)]).toEqual([['m1'], ['m2', 'm3', 'm4']]);
  },

  '§7 prefetch 0 means unlimited': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7g-q');
    await ch.prefetch(1);
    await t.attempt('qos 0', () => ch.prefetch(0));
    const c = await consumeInto(ch, q, { consumerTag: 'p7g-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => c.msgs.length >= 5);
    t.record('deliveries', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  },

  '§7 a global prefetch is one limit shared by all consumers of the channel': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7h-q');
    await t.attempt('qos global', () => ch.prefetch(2, true));
    const a = await consumeInto(ch, q, { consumerTag: 'p7h-a' });
    const b = await consumeInto(ch, q, { consumerTag: 'p7h-b' });
    const c = await consumeInto(ch, q, { consumerTag: 'p7h-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => a.msgs.length + b.msgs.length + c.msgs.length >= 2);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    t.record('c', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 3);
    expect([contents(a.msgs), contents(b.msgs), contents(c.msgs)]).toEqual([['m1'], ['m2'], []]);
    expect(check.messageCount).toBe(3);
  },

  '§7 a global prefetch also limits consumers created before it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7i-q');
    const c = await consumeInto(ch, q, { consumerTag: 'p7i-c' });
    await ch.prefetch(1, true);
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => c.msgs.length >= 1);
    t.record('deliveries', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 2);
    expect(contents(c.msgs)).toEqual(['m1']);
    expect(check.messageCount).toBe(2);
  },

  '§7 unacked basic.get messages count toward a global prefetch': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7j-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await checkUntil(t, ch, 'queued', q, 4);
    await t.attempt('get', async () => describeMessage(await ch.get(q)));
    await ch.prefetch(2, true);
    const c = await consumeInto(ch, q, { consumerTag: 'p7j-c' });
    await until(t, () => c.msgs.length >= 1);
    t.record('deliveries', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m2']);
  },

  '§7 a per-consumer qos after a global qos removes the channel-wide limit': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7k-q');
    await ch.prefetch(1, true);
    await ch.prefetch(5, false);
    const c = await consumeInto(ch, q, { consumerTag: 'p7k-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 4);
    t.record('deliveries', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
  },

  '§7 a global qos after a per-consumer qos keeps both limits': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7l-q');
    await ch.prefetch(1, false);
    await ch.prefetch(3, true);
    const cs: Array<Awaited<ReturnType<typeof consumeInto>>> = [];
    for (const tag of ['p7l-a', 'p7l-b', 'p7l-c', 'p7l-d']) cs.push(await consumeInto(ch, q, { consumerTag: tag }));
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    await until(t, () => cs.reduce((n, c) => n + c.msgs.length, 0) >= 3);
    const per = cs.map((c) => contents(c.msgs));
    t.record('per consumer', per);
    const check = await checkUntil(t, ch, 'check', q, 3);
    expect(per).toEqual([['m1'], ['m2'], ['m3'], []]);
    expect(check.messageCount).toBe(3);
  },

  '§7 with a per-consumer and a global limit a consumer stops at the smaller one': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7m-q');
    await ch.prefetch(5, false);
    await ch.prefetch(2, true);
    const c = await consumeInto(ch, q, { consumerTag: 'p7m-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 2);
    t.record('deliveries', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 2);
    expect(contents(c.msgs)).toEqual(['m1', 'm2']);
    expect(check.messageCount).toBe(2);
  },

  '§7 a per-consumer prefetch does not limit a noAck consumer': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7n-q');
    await ch.prefetch(1);
    const c = await consumeInto(ch, q, { consumerTag: 'p7n-c', noAck: true });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 4);
    t.record('deliveries', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
  },

  '§7 a global prefetch does not limit a noAck consumer': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7o-q');
    await ch.prefetch(1, true);
    const c = await consumeInto(ch, q, { consumerTag: 'p7o-c', noAck: true });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 4);
    t.record('deliveries', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
  },

  '§7 prefetch does not limit basic.get': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7p-q');
    await ch.prefetch(1, true);
    await ch.prefetch(1, false);
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await checkUntil(t, ch, 'queued', q, 3);
    const got = [];
    for (let i = 0; i < 3; i++) got.push(await t.attempt(`get ${i + 1}`, async () => describeMessage(await ch.get(q))));
    expect(got.map((m) => (m as { content: string }).content)).toEqual(['m1', 'm2', 'm3']);
  },

  '§7 a global prefetch limits only its own channel': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'p7q-q');
    await ch1.prefetch(1, true);
    const a = await consumeInto(ch1, q, { consumerTag: 'p7q-a' });
    const b = await consumeInto(ch2, q, { consumerTag: 'p7q-b' });
    publishAll(ch1, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => a.msgs.length + b.msgs.length >= 4);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    expect([contents(a.msgs), contents(b.msgs)]).toEqual([['m1'], ['m2', 'm3', 'm4']]);
  },

  '§7 a global prefetch is per channel, not per connection': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'p7r-q');
    await ch1.prefetch(1, true);
    await ch2.prefetch(1, true);
    const a = await consumeInto(ch1, q, { consumerTag: 'p7r-a' });
    const b = await consumeInto(ch2, q, { consumerTag: 'p7r-b' });
    publishAll(ch1, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => a.msgs.length + b.msgs.length >= 2);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    const check = await checkUntil(t, ch1, 'check', q, 2);
    expect([contents(a.msgs), contents(b.msgs)]).toEqual([['m1'], ['m2']]);
    expect(check.messageCount).toBe(2);
  },

  '§7 ackAll frees every prefetch slot at once': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7s-q');
    await ch.prefetch(2);
    const c = await consumeInto(ch, q, { consumerTag: 'p7s-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => c.msgs.length >= 2);
    ch.ackAll();
    await until(t, () => c.msgs.length >= 4);
    t.record('deliveries', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 1);
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(check.messageCount).toBe(1);
  },

  '§7 an ack with multiple frees every slot it settles': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7t-q');
    await ch.prefetch(3);
    const c = await consumeInto(ch, q, { consumerTag: 'p7t-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6']);
    await until(t, () => c.msgs.length >= 3);
    ch.ack(c.msgs[1] as ConsumeMessage, true);
    await until(t, () => c.msgs.length >= 5);
    t.record('deliveries', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 1);
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(check.messageCount).toBe(1);
  },

  '§7 lowering a global prefetch revokes nothing and delays deliveries until below the new limit': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7u-q');
    await ch.prefetch(3, true);
    const c = await consumeInto(ch, q, { consumerTag: 'p7u-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await until(t, () => c.msgs.length >= 3);
    await t.attempt('qos lowered', () => ch.prefetch(1, true));
    ch.ack(c.msgs[0] as ConsumeMessage);
    await t.settle();
    const afterFirst = contents(c.msgs);
    t.record('after first ack', afterFirst);
    ch.ack(c.msgs[1] as ConsumeMessage);
    ch.ack(c.msgs[2] as ConsumeMessage);
    await until(t, () => c.msgs.length >= 4);
    t.record('after all acks', contents(c.msgs));
    expect(afterFirst).toEqual(['m1', 'm2', 'm3']);
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
  },

  '§7 raising a global prefetch lets waiting messages through at once': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7v-q');
    await ch.prefetch(1, true);
    const c = await consumeInto(ch, q, { consumerTag: 'p7v-c' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => c.msgs.length >= 1);
    t.record('before', contents(c.msgs));
    await t.attempt('qos raised', () => ch.prefetch(3, true));
    await until(t, () => c.msgs.length >= 3);
    t.record('after', contents(c.msgs));
    expect(contents(c.msgs)).toEqual(['m1', 'm2', 'm3']);
  },

  "§7 a cancelled consumer's unacked deliveries still count toward the global prefetch": async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'p7w-q');
    await ch.prefetch(1, true);
    const a = await consumeInto(ch, q, { consumerTag: 'p7w-a' });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => a.msgs.length >= 1);
    await ch.cancel('p7w-a');
    const b = await consumeInto(ch, q, { consumerTag: 'p7w-b' });
    await t.settle();
    const before = contents(b.msgs);
    t.record('b before ack', before);
    ch.ack(a.msgs[0] as ConsumeMessage);
    await until(t, () => b.msgs.length >= 1);
    t.record('b after ack', contents(b.msgs));
    expect(before).toEqual([]);
    expect(contents(b.msgs)).toEqual(['m2']);
  },

  '§7 basic.qos replies qos-ok for per-consumer and global forms': async (t) => {
    const { ch } = await open(t);
    const a = await t.attempt('qos per-consumer', () => ch.prefetch(10));
    const b = await t.attempt('qos global', () => ch.prefetch(10, true));
    const c = await t.attempt('qos 0', () => ch.prefetch(0));
    expect([a, b, c]).toEqual([{}, {}, {}]);
  },
});
