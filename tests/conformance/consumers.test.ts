/**
 * §6 basic.consume / basic.cancel: consumer tags, exclusivity, dispatch
 * order, consumer priorities, cancellation (client- and server-sent), single
 * active consumer and direct reply-to.
 */
import { expect } from 'vitest';
import type { Channel, ConsumeMessage } from 'amqplib';
import { scenarios, describeMessage, describeError, type ScenarioContext } from './harness.ts';
import { checkUntil, consumeInto, contents, declare, logged, open, publishAll, until } from './helpers.ts';

const body = (s: string) => Buffer.from(s);

/**
 * Records only a channel's errors. Used where the server-sent basic.cancel is
 * observed through the consume callback (null) instead of the channel's
 * 'cancel' event, whose position relative to RPC replies and to other
 * channels' events is timing-dependent.
 */
function onError(t: ScenarioContext, label: string, ch: Channel): void {
  ch.on('error', (err: unknown) => t.record(`${label}.error`, describeError(err)));
}

/** Waits for a request to arrive in `queue`, takes it, and returns its (rewritten) reply_to. */
async function takeReplyTo(t: ScenarioContext, ch: Channel, queue: string): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const req = await ch.get(queue, { noAck: true });
    if (req) return req.properties.replyTo as string;
    await t.settle();
  }
  throw new Error(`no request arrived in ${queue}`);
}

const LOCKED = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`;

scenarios('§6 basic.consume / basic.cancel', {
  '§6 an empty consumer tag gets a server-generated amq.ctag name': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6a-q');
    const ok = await t.attempt('consume', () => ch.consume(q, () => {}));
    expect(ok?.consumerTag).toMatch(/^amq\.ctag-[A-Za-z0-9_-]{22}$/);
  },

  '§6 two server-generated consumer tags differ': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6b-q');
    const a = await ch.consume(q, () => {});
    const b = await ch.consume(q, () => {});
    t.record('different', a.consumerTag !== b.consumerTag);
    expect(a.consumerTag).not.toBe(b.consumerTag);
  },

  '§6 an explicit consumer tag is echoed in consume-ok and in deliveries': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6c-q');
    const msgs: unknown[] = [];
    await t.attempt('consume', () => ch.consume(q, (m) => void msgs.push(describeMessage(m)), { consumerTag: 'c6c-tag' }));
    ch.sendToQueue(q, body('m1'));
    await until(t, () => msgs.length >= 1);
    t.record('deliveries', msgs);
    expect((msgs[0] as { fields: { consumerTag: string } }).fields.consumerTag).toBe('c6c-tag');
  },

  '§6 the same consumer tag may be used on two channels': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6d-q');
    await t.attempt('consume on ch1', () => ch1.consume(q, () => {}, { consumerTag: 'c6d-tag' }));
    await t.attempt('consume on ch2', () => ch2.consume(q, () => {}, { consumerTag: 'c6d-tag' }));
    const count = await t.attempt('check', () => ch1.checkQueue(q));
    expect(count?.consumerCount).toBe(2);
  },

  '§6 reusing an active consumer tag on the same channel closes the connection with 530': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const q = await declare(t, ch, 'c6e-q');
    await t.attempt('first consume', () => ch.consume(q, () => {}, { consumerTag: 'c6e-tag' }));
    await t.attempt('second consume', () => ch.consume(q, () => {}, { consumerTag: 'c6e-tag' }));
    await t.settle();
    expect(logged(t, 'conn.error')).toEqual({
      message: `Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - attempt to reuse consumer tag 'c6e-tag'"`,
      code: 530,
    });
    expect(logged(t, 'conn.close')).toBeDefined();
  },

  '§6 reusing a consumer tag also fails when the queue is different': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const q1 = await declare(t, ch, 'c6f-q1');
    const q2 = await declare(t, ch, 'c6f-q2');
    await t.attempt('consume q1', () => ch.consume(q1, () => {}, { consumerTag: 'c6f-tag' }));
    await t.attempt('consume q2', () => ch.consume(q2, () => {}, { consumerTag: 'c6f-tag' }));
    await t.settle();
    expect((logged(t, 'conn.error') as { code: number }).code).toBe(530);
  },

  '§6 a consumer tag can be reused on the same channel after cancel': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const q = await declare(t, ch, 'c6g-q');
    await t.attempt('consume', () => ch.consume(q, () => {}, { consumerTag: 'c6g-tag' }));
    await t.attempt('cancel', () => ch.cancel('c6g-tag'));
    const again = await t.attempt('consume again', () => ch.consume(q, () => {}, { consumerTag: 'c6g-tag' }));
    expect(again).toEqual({ consumerTag: 'c6g-tag' });
  },

  '§6 consuming from a missing queue fails with 404': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    await t.attempt('consume', () => ch.consume('c6h-missing', () => {}));
    await t.settle();
    expect(t.log.find(([l]) => l === 'consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'c6h-missing' in vhost '/'"`,
        code: 404,
        classId: 60,
        methodId: 20,
      },
    });
  },

  "§6 consuming from another connection's exclusive queue fails with 405": async (t) => {
    const owner = await t.connect();
    const och = await owner.createChannel();
    t.watch('owner.ch', och);
    const q = await declare(t, och, 'c6i-q', { exclusive: true });
    const other = await t.connect();
    t.watch('other', other);
    const ch = await other.createChannel();
    t.watch('other.ch', ch);
    await t.attempt('consume', () => ch.consume(q, () => {}));
    await t.settle();
    expect(t.log.find(([l]) => l === 'consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 405 (RESOURCE-LOCKED) with message "${LOCKED(q)}"`,
        code: 405,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 an exclusive queue can be consumed from another channel of its own connection': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6j-q', { exclusive: true });
    const c = await consumeInto(ch2, q, { consumerTag: 'c6j-tag', noAck: true });
    ch1.sendToQueue(q, body('m1'));
    await until(t, () => c.msgs.length >= 1);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(contents(c.msgs)).toEqual(['m1']);
  },

  '§6 an exclusive consume on a queue that already has a consumer fails with 403': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6k-q');
    await t.attempt('plain consume', () => ch1.consume(q, () => {}, { consumerTag: 'c6k-a' }));
    await t.attempt('exclusive consume', () => ch2.consume(q, () => {}, { consumerTag: 'c6k-b', exclusive: true }));
    await t.settle();
    expect(t.log.find(([l]) => l === 'exclusive consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use"`,
        code: 403,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 an exclusive consume on the same channel as the existing consumer also fails with 403': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6l-q');
    await t.attempt('plain consume', () => ch.consume(q, () => {}, { consumerTag: 'c6l-a' }));
    await t.attempt('exclusive consume', () => ch.consume(q, () => {}, { consumerTag: 'c6l-b', exclusive: true }));
    await t.settle();
    expect((t.log.find(([l]) => l === 'exclusive consume')?.[1] as { error: { code: number } }).error.code).toBe(403);
  },

  '§6 any consume on a queue with an exclusive consumer fails with 403': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6m-q');
    await t.attempt('exclusive consume', () => ch1.consume(q, () => {}, { consumerTag: 'c6m-x', exclusive: true }));
    await t.attempt('plain consume', () => ch2.consume(q, () => {}, { consumerTag: 'c6m-p' }));
    await t.settle();
    expect(t.log.find(([l]) => l === 'plain consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use"`,
        code: 403,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 basic.get still works while an exclusive consumer is attached': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6n-q');
    await ch1.prefetch(1);
    const c = await consumeInto(ch1, q, { consumerTag: 'c6n-x', exclusive: true });
    publishAll(ch2, q, ['m1', 'm2']);
    await until(t, () => c.msgs.length >= 1);
    const got = await t.attempt('get', async () => describeMessage(await ch2.get(q, { noAck: true })));
    t.record('consumer', c.msgs.map(describeMessage));
    expect(contents(c.msgs)).toEqual(['m1']);
    expect((got as { content: string }).content).toBe('m2');
  },

  '§6 after the exclusive consumer is cancelled another consumer may attach': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6o-q');
    await t.attempt('exclusive consume', () => ch.consume(q, () => {}, { consumerTag: 'c6o-x', exclusive: true }));
    await t.attempt('cancel', () => ch.cancel('c6o-x'));
    const ok = await t.attempt('plain consume', () => ch.consume(q, () => {}, { consumerTag: 'c6o-p' }));
    expect(ok).toEqual({ consumerTag: 'c6o-p' });
  },

  '§6 a consumer receives messages published on its own connection (no_local is ignored)': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6p-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6p-tag', noAck: true });
    ch.sendToQueue(q, body('own'));
    await until(t, () => c.msgs.length >= 1);
    t.record('deliveries', c.msgs.map(describeMessage));
    expect(contents(c.msgs)).toEqual(['own']);
  },

  '§6 messages are dispatched round-robin in consumer registration order': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6q-q');
    const a = await consumeInto(ch, q, { consumerTag: 'c6q-a', noAck: true });
    const b = await consumeInto(ch, q, { consumerTag: 'c6q-b', noAck: true });
    const c = await consumeInto(ch, q, { consumerTag: 'c6q-c', noAck: true });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7']);
    await until(t, () => a.msgs.length + b.msgs.length + c.msgs.length >= 7);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    t.record('c', contents(c.msgs));
    expect([contents(a.msgs), contents(b.msgs), contents(c.msgs)]).toEqual([
      ['m1', 'm4', 'm7'],
      ['m2', 'm5'],
      ['m3', 'm6'],
    ]);
  },

  '§6 round-robin skips consumers blocked by their prefetch': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6r-q');
    await ch.prefetch(1);
    const a = await consumeInto(ch, q, { consumerTag: 'c6r-a' });
    await ch.prefetch(0);
    const b = await consumeInto(ch, q, { consumerTag: 'c6r-b' });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => a.msgs.length + b.msgs.length >= 4);
    t.record('a', a.msgs.map(describeMessage));
    t.record('b', b.msgs.map(describeMessage));
    expect(contents(a.msgs)).toEqual(['m1']);
    expect(contents(b.msgs)).toEqual(['m2', 'm3', 'm4']);
  },

  '§6 a consumer without prefetch attaching to a backlog takes all of it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6s-q');
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4', 'm5']);
    await checkUntil(t, ch, 'backlog', q, 5);
    const a = await consumeInto(ch, q, { consumerTag: 'c6s-a' });
    const b = await consumeInto(ch, q, { consumerTag: 'c6s-b' });
    await until(t, () => a.msgs.length >= 5);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    expect(contents(a.msgs)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
    expect(b.msgs).toEqual([]);
  },

  '§6 the highest-priority consumer gets every message while it is not blocked': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6t-q');
    const low = await consumeInto(ch, q, { consumerTag: 'c6t-low', noAck: true });
    const high = await consumeInto(ch, q, { consumerTag: 'c6t-high', noAck: true, priority: 10 });
    const mid = await consumeInto(ch, q, { consumerTag: 'c6t-mid', noAck: true, priority: 5 });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => low.msgs.length + high.msgs.length + mid.msgs.length >= 4);
    t.record('low', contents(low.msgs));
    t.record('mid', contents(mid.msgs));
    t.record('high', contents(high.msgs));
    expect(contents(high.msgs)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(low.msgs.length + mid.msgs.length).toBe(0);
  },

  '§6 lower-priority consumers receive messages only while higher ones are blocked': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6u-q');
    await ch.prefetch(1);
    const high = await consumeInto(ch, q, { consumerTag: 'c6u-high', priority: 5 });
    await ch.prefetch(0);
    const low = await consumeInto(ch, q, { consumerTag: 'c6u-low' });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => high.msgs.length + low.msgs.length >= 3);
    t.record('high before ack', contents(high.msgs));
    t.record('low before ack', contents(low.msgs));
    ch.ack(high.msgs[0] as ConsumeMessage);
    ch.sendToQueue(q, body('m4'));
    await until(t, () => high.msgs.length >= 2);
    t.record('high', high.msgs.map(describeMessage));
    t.record('low', low.msgs.map(describeMessage));
    expect(contents(high.msgs)).toEqual(['m1', 'm4']);
    expect(contents(low.msgs)).toEqual(['m2', 'm3']);
  },

  '§6 consumers of equal priority share messages round-robin': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6v-q');
    const low = await consumeInto(ch, q, { consumerTag: 'c6v-low', noAck: true, priority: 1 });
    const a = await consumeInto(ch, q, { consumerTag: 'c6v-a', noAck: true, priority: 3 });
    const b = await consumeInto(ch, q, { consumerTag: 'c6v-b', noAck: true, priority: 3 });
    publishAll(ch, q, ['m1', 'm2', 'm3', 'm4']);
    await until(t, () => a.msgs.length + b.msgs.length + low.msgs.length >= 4);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    t.record('low', contents(low.msgs));
    expect([contents(a.msgs), contents(b.msgs), contents(low.msgs)]).toEqual([['m1', 'm3'], ['m2', 'm4'], []]);
  },

  '§6 a negative x-priority ranks below the default priority': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6w-q');
    const neg = await consumeInto(ch, q, { consumerTag: 'c6w-neg', noAck: true, priority: -5 });
    const dflt = await consumeInto(ch, q, { consumerTag: 'c6w-default', noAck: true });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => neg.msgs.length + dflt.msgs.length >= 3);
    t.record('negative', contents(neg.msgs));
    t.record('default', contents(dflt.msgs));
    expect(contents(dflt.msgs)).toEqual(['m1', 'm2', 'm3']);
    expect(neg.msgs).toEqual([]);
  },

  '§6 x-priority given through consume arguments works like the priority option': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6x-q');
    const plain = await consumeInto(ch, q, { consumerTag: 'c6x-plain', noAck: true });
    const prio = await consumeInto(ch, q, { consumerTag: 'c6x-prio', noAck: true, arguments: { 'x-priority': 2 } });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => plain.msgs.length + prio.msgs.length >= 2);
    t.record('plain', contents(plain.msgs));
    t.record('prio', contents(prio.msgs));
    expect(contents(prio.msgs)).toEqual(['m1', 'm2']);
  },

  '§6 a non-integer x-priority fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6y-q');
    await t.attempt('consume', () => ch.consume(q, () => {}, { arguments: { 'x-priority': 'high' } }));
    await t.settle();
    const r = t.log.find(([l]) => l === 'consume')?.[1] as { error: { code: number; message: string } };
    expect(r.error.code).toBe(406);
    expect(r.error.message).toBe(
      `Operation failed: BasicConsume; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - invalid arg 'x-priority' for queue '${q}' in vhost '/': "expected integer, got longstr""`,
    );
  },

  '§6 cancelling an unknown consumer tag succeeds': async (t) => {
    const { ch } = await open(t);
    const r = await t.attempt('cancel', () => ch.cancel('c6z-nobody'));
    const after = await t.attempt('channel still usable', () => ch.checkExchange('amq.direct'));
    expect(r).toEqual({ consumerTag: 'c6z-nobody' });
    expect(after).toEqual({});
  },

  '§6 cancel-ok echoes the tag and no delivery follows it': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6aa-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6aa-tag', noAck: true });
    await t.attempt('cancel', () => ch.cancel('c6aa-tag'));
    ch.sendToQueue(q, body('after'));
    await t.settle();
    await t.settle();
    t.record('deliveries', contents(c.msgs));
    const check = await checkUntil(t, ch, 'check', q, 1);
    expect(c.msgs).toEqual([]);
    expect(check).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
  },

  '§6 cancelling a consumer does not requeue its unacked deliveries': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6ab-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6ab-tag' });
    publishAll(ch, q, ['m1', 'm2']);
    await until(t, () => c.msgs.length >= 2);
    await t.attempt('cancel', () => ch.cancel('c6ab-tag'));
    const check = await t.attempt('check after cancel', () => ch.checkQueue(q));
    ch.ack(c.msgs[0] as ConsumeMessage);
    ch.nack(c.msgs[1] as ConsumeMessage);
    const after = await checkUntil(t, ch, 'check after ack and nack', q, 1);
    const got = await t.attempt('get requeued', async () => describeMessage(await ch.get(q, { noAck: true })));
    expect(check).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
    expect(after).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
    expect(got).toMatchObject({ content: 'm2', fields: { redelivered: true } });
  },

  '§6 deleting the consumed queue sends basic.cancel: the consume callback gets null': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    onError(t, 'ch', ch);
    const q = await declare(t, ch, 'c6ac-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6ac-tag', noAck: true });
    await t.attempt('delete', () => ch.deleteQueue(q));
    await until(t, () => c.msgs.length >= 1);
    t.record('callback', c.msgs.map(describeMessage));
    expect(c.msgs).toEqual([null]);
  },

  '§6 deleting the queue from another connection cancels the consumer': async (t) => {
    const conn = await t.connect();
    const ch = await conn.createChannel();
    onError(t, 'ch', ch);
    const q = await declare(t, ch, 'c6ad-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6ad-tag' });
    ch.sendToQueue(q, body('m1'));
    await until(t, () => c.msgs.length >= 1);
    const other = await t.connect();
    const och = await other.createChannel();
    t.watch('other.ch', och);
    await t.attempt('delete from other connection', () => och.deleteQueue(q));
    await until(t, () => c.msgs.length >= 2);
    t.record('callback', c.msgs.map(describeMessage));
    const after = await t.attempt('channel still usable', () => ch.checkExchange('amq.direct'));
    expect(contents(c.msgs)).toEqual(['m1', null]);
    expect(after).toEqual({});
  },

  '§6 cancelling a consumer already cancelled by the server succeeds': async (t) => {
    const conn = await t.connect();
    const ch = await conn.createChannel();
    onError(t, 'ch', ch);
    const q = await declare(t, ch, 'c6ae-q');
    const c = await consumeInto(ch, q, { consumerTag: 'c6ae-tag' });
    await t.attempt('delete', () => ch.deleteQueue(q));
    await until(t, () => c.msgs.length >= 1);
    const r = await t.attempt('cancel', () => ch.cancel('c6ae-tag'));
    expect(r).toEqual({ consumerTag: 'c6ae-tag' });
  },

  '§6 a server-sent cancel reaches every consumer of the deleted queue': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    onError(t, 'ch1', ch1);
    onError(t, 'ch2', ch2);
    const q = await declare(t, ch1, 'c6af-q');
    const a = await consumeInto(ch1, q, { consumerTag: 'c6af-a' });
    const b = await consumeInto(ch2, q, { consumerTag: 'c6af-b' });
    const other = await consumeInto(ch1, await declare(t, ch1, 'c6af-other'), { consumerTag: 'c6af-other' });
    await t.attempt('delete', () => ch1.deleteQueue(q));
    await until(t, () => a.msgs.length >= 1 && b.msgs.length >= 1);
    t.record('a', a.msgs);
    t.record('b', b.msgs);
    t.record('other', other.msgs);
    expect([a.msgs, b.msgs, other.msgs]).toEqual([[null], [null], []]);
  },

  '§6 single active consumer: only the first consumer receives messages': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6ag-q', { arguments: { 'x-single-active-consumer': true } });
    const a = await consumeInto(ch, q, { consumerTag: 'c6ag-a', noAck: true });
    const b = await consumeInto(ch, q, { consumerTag: 'c6ag-b', noAck: true });
    publishAll(ch, q, ['m1', 'm2', 'm3']);
    await until(t, () => a.msgs.length + b.msgs.length >= 3);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    const check = await t.attempt('check', () => ch.checkQueue(q));
    expect(contents(a.msgs)).toEqual(['m1', 'm2', 'm3']);
    expect(b.msgs).toEqual([]);
    expect(check?.consumerCount).toBe(2);
  },

  '§6 single active consumer: the next consumer in registration order takes over after cancel': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6ah-q', { arguments: { 'x-single-active-consumer': true } });
    const a = await consumeInto(ch, q, { consumerTag: 'c6ah-a', noAck: true });
    const b = await consumeInto(ch, q, { consumerTag: 'c6ah-b', noAck: true });
    const c = await consumeInto(ch, q, { consumerTag: 'c6ah-c', noAck: true });
    ch.sendToQueue(q, body('m1'));
    await until(t, () => a.msgs.length >= 1);
    await t.attempt('cancel a', () => ch.cancel('c6ah-a'));
    publishAll(ch, q, ['m2', 'm3']);
    await until(t, () => b.msgs.length + c.msgs.length >= 2);
    t.record('a', contents(a.msgs));
    t.record('b', contents(b.msgs));
    t.record('c', contents(c.msgs));
    expect([contents(a.msgs), contents(b.msgs), contents(c.msgs)]).toEqual([['m1'], ['m2', 'm3'], []]);
  },

  '§6 single active consumer: unacked messages of a cancelled active consumer go to the next one when requeued': async (t) => {
    const conn = await t.connect();
    const ch1 = await conn.createChannel();
    const ch2 = await conn.createChannel();
    t.watch('ch1', ch1);
    t.watch('ch2', ch2);
    const q = await declare(t, ch1, 'c6ai-q', { arguments: { 'x-single-active-consumer': true } });
    const a = await consumeInto(ch1, q, { consumerTag: 'c6ai-a' });
    const b = await consumeInto(ch2, q, { consumerTag: 'c6ai-b' });
    publishAll(ch1, q, ['m1', 'm2']);
    await until(t, () => a.msgs.length >= 2);
    await t.attempt('close active channel', () => ch1.close());
    await until(t, () => b.msgs.length >= 2);
    t.record('a', contents(a.msgs));
    t.record('b', b.msgs.map(describeMessage));
    expect(contents(b.msgs)).toEqual(['m1', 'm2']);
    expect(b.msgs.map((m) => m?.fields.redelivered)).toEqual([true, true]);
  },

  '§6 single active consumer: an exclusive consume fails with 403': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6aj-q', { arguments: { 'x-single-active-consumer': true } });
    await t.attempt('exclusive consume', () => ch.consume(q, () => {}, { exclusive: true, consumerTag: 'c6aj-x' }));
    await t.settle();
    expect(t.log.find(([l]) => l === 'exclusive consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - queue '${q}' in vhost '/' in exclusive use"`,
        code: 403,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 direct reply-to: consuming without noAck fails with 406': async (t) => {
    const { ch } = await open(t);
    await t.attempt('consume', () => ch.consume('amq.rabbitmq.reply-to', () => {}));
    await t.settle();
    expect(t.log.find(([l]) => l === 'consume')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - reply consumer cannot acknowledge"`,
        code: 406,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 direct reply-to: a second reply consumer on the same channel fails with 406': async (t) => {
    const { ch } = await open(t);
    await t.attempt('first', () => ch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: true, consumerTag: 'c6al-1' }));
    await t.attempt('second', () => ch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: true, consumerTag: 'c6al-2' }));
    await t.settle();
    expect(t.log.find(([l]) => l === 'second')?.[1]).toEqual({
      error: {
        message: `Operation failed: BasicConsume; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - reply consumer already set"`,
        code: 406,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§6 direct reply-to: publishing with reply_to amq.rabbitmq.reply-to without the reply consumer fails with 406': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'c6am-q');
    const closed = new Promise<void>((r) => ch.once('close', () => r()));
    ch.sendToQueue(q, body('request'), { replyTo: 'amq.rabbitmq.reply-to' });
    await closed;
    expect(logged(t, 'ch.error')).toEqual({
      message: `Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - fast reply consumer does not exist"`,
      code: 406,
      classId: 60,
      methodId: 40,
    });
  },

  '§6 direct reply-to: reply_to is rewritten and the reply reaches the requester': async (t) => {
    const client = await t.connect();
    const cch = await client.createChannel();
    t.watch('client.ch', cch);
    const server = await t.connect();
    const sch = await server.createChannel();
    t.watch('server.ch', sch);
    const q = await declare(t, sch, 'c6an-rpc');
    const requests = await consumeInto(sch, q, { consumerTag: 'c6an-server', noAck: true });
    const replies = await consumeInto(cch, 'amq.rabbitmq.reply-to', { consumerTag: 'c6an-client', noAck: true });
    cch.sendToQueue(q, body('ping'), { replyTo: 'amq.rabbitmq.reply-to', correlationId: 'c1' });
    await until(t, () => requests.msgs.length >= 1);
    const req = requests.msgs[0] as ConsumeMessage;
    t.record('request', describeMessage(req));
    sch.sendToQueue(req.properties.replyTo, body('pong'), { correlationId: req.properties.correlationId });
    await until(t, () => replies.msgs.length >= 1);
    t.record('reply', replies.msgs.map(describeMessage));
    expect(req.properties.replyTo).toMatch(/^amq\.rabbitmq\.reply-to\.\S+$/);
    expect(replies.msgs[0]?.fields.routingKey).toBe(req.properties.replyTo);
    expect(contents(replies.msgs)).toEqual(['pong']);
  },

  '§6 direct reply-to: the pseudo-queue answers a passive declare with one consumer': async (t) => {
    const client = await t.connect();
    const cch = await client.createChannel();
    t.watch('client.ch', cch);
    const q = await declare(t, cch, 'c6ao-rpc');
    await cch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: true, consumerTag: 'c6ao-client' });
    cch.sendToQueue(q, body('ping'), { replyTo: 'amq.rabbitmq.reply-to' });
    const other = await t.connect();
    const och = await other.createChannel();
    t.watch('other.ch', och);
    const replyTo = await takeReplyTo(t, och, q);
    const check = await t.attempt('check reply-to queue', () => och.checkQueue(replyTo));
    expect(check).toEqual({ queue: replyTo, messageCount: 0, consumerCount: 1 });
  },

  '§6 direct reply-to: a passive declare of the bare amq.rabbitmq.reply-to name reports one consumer': async (t) => {
    const { ch } = await open(t);
    const check = await t.attempt('check', () => ch.checkQueue('amq.rabbitmq.reply-to'));
    expect(check).toEqual({ queue: 'amq.rabbitmq.reply-to', messageCount: 0, consumerCount: 1 });
  },

  '§6 direct reply-to: the pseudo-queue is gone once the reply consumer is cancelled': async (t) => {
    const client = await t.connect();
    const cch = await client.createChannel();
    t.watch('client.ch', cch);
    const q = await declare(t, cch, 'c6ap-rpc');
    await cch.consume('amq.rabbitmq.reply-to', () => {}, { noAck: true, consumerTag: 'c6ap-client' });
    cch.sendToQueue(q, body('ping'), { replyTo: 'amq.rabbitmq.reply-to' });
    const other = await t.connect();
    const och = await other.createChannel();
    t.watch('other.ch', och);
    const replyTo = await takeReplyTo(t, och, q);
    await t.attempt('cancel reply consumer', () => cch.cancel('c6ap-client'));
    await t.attempt('check reply-to queue', () => och.checkQueue(replyTo));
    await t.settle();
    expect(t.log.find(([l]) => l === 'check reply-to queue')?.[1]).toEqual({
      error: {
        message: `Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue 'amq.rabbitmq.reply-to.*' in vhost '/'"`,
        code: 404,
        classId: 50,
        methodId: 10,
      },
    });
  },

  '§6 direct reply-to: a reply to a requester that has gone away is dropped without error': async (t) => {
    const client = await t.connect();
    const cch = await client.createChannel();
    t.watch('client.ch', cch);
    const q = await declare(t, cch, 'c6aq-rpc');
    const replies = await consumeInto(cch, 'amq.rabbitmq.reply-to', { noAck: true, consumerTag: 'c6aq-client' });
    cch.sendToQueue(q, body('ping'), { replyTo: 'amq.rabbitmq.reply-to' });
    const server = await t.connect();
    const sch = await server.createChannel();
    t.watch('server.ch', sch);
    const replyTo = await takeReplyTo(t, sch, q);
    await t.attempt('requester cancels', () => cch.cancel('c6aq-client'));
    sch.sendToQueue(replyTo, body('late pong'));
    const alive = await t.attempt('server channel still open', () => sch.checkQueue(q));
    await t.settle();
    t.record('replies', contents(replies.msgs));
    expect(replies.msgs).toEqual([]);
    expect(alive).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  '§6 direct reply-to: a mandatory reply is delivered and also returned as NO_ROUTE': async (t) => {
    const client = await t.connect();
    const cch = await client.createChannel();
    t.watch('client.ch', cch);
    const q = await declare(t, cch, 'c6ar-rpc');
    const replies = await consumeInto(cch, 'amq.rabbitmq.reply-to', { noAck: true, consumerTag: 'c6ar-client' });
    cch.sendToQueue(q, body('ping'), { replyTo: 'amq.rabbitmq.reply-to' });
    const server = await t.connect();
    const sch = await server.createChannel();
    t.watch('server.ch', sch);
    const replyTo = await takeReplyTo(t, sch, q);
    const returned: unknown[] = [];
    sch.on('return', (m: unknown) => void returned.push(m));
    sch.sendToQueue(replyTo, body('pong'), { mandatory: true });
    await until(t, () => replies.msgs.length >= 1 && returned.length >= 1);
    t.record('replies', replies.msgs.map(describeMessage));
    const ret = returned[0] as { fields: { replyCode: number; replyText: string } };
    expect(contents(replies.msgs)).toEqual(['pong']);
    expect([ret.fields.replyCode, ret.fields.replyText]).toEqual([312, 'NO_ROUTE']);
  },

  '§6 direct reply-to: a mandatory publish to an unknown reply-to name is returned as NO_ROUTE': async (t) => {
    const { ch } = await open(t);
    const returned: unknown[] = [];
    ch.on('return', (m: unknown) => void returned.push(m));
    ch.sendToQueue('amq.rabbitmq.reply-to.c6as-garbage', body('nobody'), { mandatory: true });
    await until(t, () => returned.length >= 1);
    const alive = await t.attempt('channel still open', () => ch.checkExchange('amq.direct'));
    const ret = returned[0] as { fields: { replyCode: number; replyText: string; routingKey: string } };
    expect([ret.fields.replyCode, ret.fields.replyText, ret.fields.routingKey]).toEqual([312, 'NO_ROUTE', 'amq.rabbitmq.reply-to.c6as-garbage']);
    expect(alive).toEqual({});
  },
});
