/**
 * §2 queue.declare: names, server-named queues, the "" shortcut, declare-ok
 * counts, passive declares, durable/exclusive/argument equivalence, argument
 * validation, exclusive queues across connections, auto_delete and x-expires.
 */
import { expect } from 'vitest';
import type { Channel, ChannelModel } from 'amqplib';
import { describeMessage, scenarios, type ScenarioContext } from './harness.ts';
import { open } from './helpers.ts';

const LOCKED = (q: string) =>
  `RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. ` +
  'It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.';

/** A connection and a channel whose errors are recorded under `label`. */

/** A fresh watched channel on an existing connection. */
async function channel(t: ScenarioContext, conn: ChannelModel, label: string): Promise<Channel> {
  const ch = await conn.createChannel();
  t.watch(label, ch);
  return ch;
}

/** The `error` field of the last t.attempt record with this label. */
function errorOf(t: ScenarioContext, label: string): { message: string; code: number; classId: number; methodId: number } {
  const entry = [...t.log].reverse().find(([l]) => l === label);
  const v = entry?.[1] as { error?: { message: string; code: number; classId: number; methodId: number } } | undefined;
  if (!v?.error) throw new Error(`no error recorded for ${label}: ${JSON.stringify(entry)}`);
  return v.error;
}

/** Declares `q` on a fresh channel, then redeclares with `second`, recording the result. */
async function redeclare(
  t: ScenarioContext,
  q: string,
  first: Record<string, unknown>,
  second: Record<string, unknown>,
): Promise<{ message: string; code: number; classId: number; methodId: number } | undefined> {
  const { conn, ch } = await open(t);
  t.cleanup('queue', q);
  await t.attempt('declare', () => ch.assertQueue(q, { durable: false, ...first }));
  await t.attempt('redeclare', () => ch.assertQueue(q, { durable: false, ...second }));
  await t.settle();
  const [, v] = [...t.log].reverse().find(([l]) => l === 'redeclare') ?? [];
  const check = await channel(t, conn, 'check');
  await t.attempt('still there', () => check.checkQueue(q));
  return (v as { error?: { message: string; code: number; classId: number; methodId: number } }).error;
}

/** Declares `q` with `options` expecting a validation error; records it and checks the queue was not created. */
async function invalid(t: ScenarioContext, q: string, options: Record<string, unknown>): Promise<string> {
  const { conn, ch } = await open(t);
  t.cleanup('queue', q);
  await t.attempt('declare', () => ch.assertQueue(q, { durable: false, ...options }));
  await t.settle();
  const check = await channel(t, conn, 'check');
  await t.attempt('created?', () => check.checkQueue(q));
  const e = errorOf(t, 'declare');
  expect(e.code).toBe(406);
  expect([e.classId, e.methodId]).toEqual([50, 10]);
  expect(errorOf(t, 'created?').code).toBe(404);
  return e.message;
}

/** Sets up an exclusive queue on one connection and a watched channel on another. */
async function exclusiveElsewhere(t: ScenarioContext, q: string) {
  const owner = await open(t, 'owner');
  t.cleanup('queue', q);
  await t.attempt('owner declare', () => owner.ch.assertQueue(q, { durable: false, exclusive: true }));
  const other = await open(t, 'other');
  return { owner, other };
}

scenarios('§2 queue.declare', {
  // ---- names -------------------------------------------------------------
  '§2 names: empty name gives a fresh amq.gen- queue with 0/0 counts': async (t) => {
    const { ch } = await open(t);
    const ok = await t.attempt('declare ""', () => ch.assertQueue('', { durable: false, exclusive: true }));
    if (ok) t.cleanup('queue', ok.queue);
    expect(ok?.queue).toMatch(/^amq\.gen-[A-Za-z0-9_-]{22}$/);
    expect([ok?.messageCount, ok?.consumerCount]).toEqual([0, 0]);
  },

  '§2 names: every "" declare creates a new queue': async (t) => {
    const { ch } = await open(t);
    const a = await ch.assertQueue('', { durable: false, exclusive: true });
    const b = await ch.assertQueue('', { durable: false, exclusive: true });
    t.cleanup('queue', a.queue);
    t.cleanup('queue', b.queue);
    t.record('different names', a.queue !== b.queue);
    await t.attempt('first still exists', () => ch.checkQueue(a.queue));
    await t.attempt('second exists', () => ch.checkQueue(b.queue));
    expect(a.queue).not.toBe(b.queue);
  },

  '§2 names: non-passive declare of an amq.* name is refused with 403': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'amq.qd03');
    await t.attempt('declare amq.qd03', () => ch.assertQueue('amq.qd03', { durable: false }));
    await t.settle();
    const e = errorOf(t, 'declare amq.qd03');
    expect(e.code).toBe(403);
    expect(e.message).toContain("ACCESS_REFUSED - queue name 'amq.qd03' contains reserved prefix 'amq.*'");
  },

  '§2 names: redeclaring an existing server-named queue non-passively gets 403, passive works': async (t) => {
    const { conn, ch } = await open(t);
    const { queue } = await ch.assertQueue('', { durable: false });
    t.cleanup('queue', queue);
    const other = await channel(t, conn, 'other');
    await t.attempt('passive', () => other.checkQueue(queue));
    await t.attempt('active redeclare', () => other.assertQueue(queue, { durable: false }));
    await t.settle();
    const e = errorOf(t, 'active redeclare');
    expect(e.code).toBe(403);
    expect(e.message).toMatch(/ACCESS_REFUSED - queue name 'amq\.gen-\*' contains reserved prefix 'amq\.\*'/);
  },

  '§2 names: CR and LF are stripped from declared queue names': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'qd05.crlf');
    const ok = await t.attempt('declare with CR LF', () => ch.assertQueue('qd05.cr\r\nlf', { durable: false }));
    await t.attempt('passive without', () => ch.checkQueue('qd05.crlf'));
    expect(ok?.queue).toBe('qd05.crlf');
  },

  '§2 names: "" in basic.get and queue.purge means the last declared queue': async (t) => {
    const { ch } = await open(t);
    const q = 'qd06.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false });
    ch.sendToQueue(q, Buffer.from('one'));
    ch.sendToQueue(q, Buffer.from('two'));
    ch.sendToQueue(q, Buffer.from('three'));
    await t.settle();
    const got = await t.attempt('get ""', async () => describeMessage(await ch.get('', { noAck: true })));
    await t.attempt('purge ""', () => ch.purgeQueue(''));
    await t.attempt('count', () => ch.checkQueue(q));
    expect((got as { content: string }).content).toBe('one');
  },

  '§2 names: "" queue and "" routing key in queue.bind both become the last declared queue': async (t) => {
    const { ch } = await open(t);
    const q = 'qd07.q';
    const x = 'qd07.x';
    t.cleanup('queue', q);
    t.cleanup('exchange', x);
    await ch.assertExchange(x, 'direct', { durable: false });
    await ch.assertQueue(q, { durable: false });
    await t.attempt('bind "" ""', () => ch.bindQueue('', x, ''));
    ch.publish(x, q, Buffer.from('by queue name'));
    ch.publish(x, '', Buffer.from('by empty key'));
    await t.settle();
    const got = await t.attempt('get', async () => describeMessage(await ch.get(q, { noAck: true })));
    await t.attempt('then', async () => describeMessage(await ch.get(q, { noAck: true })));
    expect((got as { content: string }).content).toBe('by queue name');
  },

  '§2 names: "" shortcut without a previously declared queue is 404': async (t) => {
    const { ch } = await open(t);
    await t.attempt('get ""', () => ch.get(''));
    await t.settle();
    const e = errorOf(t, 'get ""');
    expect(e.code).toBe(404);
    expect(e.message).toContain('NOT_FOUND - no previously declared queue');
    expect([e.classId, e.methodId]).toEqual([60, 70]);
  },

  '§2 names: a passive declare remembers the name for the "" shortcut': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd09.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false });
    ch.sendToQueue(q, Buffer.from('m'));
    await t.settle();
    const other = await channel(t, conn, 'other');
    await t.attempt('passive', () => other.checkQueue(q));
    const got = await t.attempt('get ""', async () => describeMessage(await other.get('', { noAck: true })));
    expect((got as { content: string }).content).toBe('m');
  },

  '§2 names: passive declare of "" is 404 for queue \'\'': async (t) => {
    const { ch } = await open(t);
    await ch.assertQueue('qd10.q', { durable: false });
    t.cleanup('queue', 'qd10.q');
    await t.attempt('passive ""', () => ch.checkQueue(''));
    await t.settle();
    const e = errorOf(t, 'passive ""');
    expect(e.code).toBe(404);
    expect(e.message).toContain("NOT_FOUND - no queue '' in vhost '/'");
  },

  // ---- declare-ok counts -------------------------------------------------
  '§2 declare-ok: message_count counts ready messages only': async (t) => {
    const { ch } = await open(t);
    const q = 'qd11.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false });
    for (const b of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(b));
    await t.settle();
    await t.attempt('get without ack', async () => describeMessage(await ch.get(q)));
    const ok = await t.attempt('redeclare', () => ch.assertQueue(q, { durable: false }));
    await t.attempt('passive', () => ch.checkQueue(q));
    expect(ok?.messageCount).toBe(2);
  },

  '§2 declare-ok: consumer_count counts every consumer, even ones at their prefetch limit': async (t) => {
    const { ch } = await open(t);
    const q = 'qd12.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false });
    await ch.prefetch(1);
    const seen: unknown[] = [];
    await ch.consume(q, (m) => seen.push(m?.content.toString()));
    await ch.consume(q, (m) => seen.push(m?.content.toString()));
    for (const b of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(b));
    await t.settle();
    t.record('delivered', seen.length);
    const ok = await t.attempt('passive', () => ch.checkQueue(q));
    expect(ok).toEqual({ queue: q, messageCount: 1, consumerCount: 2 });
  },

  // ---- passive -----------------------------------------------------------
  '§2 passive: missing queue is 404 and closes only the channel': async (t) => {
    const { conn, ch } = await open(t);
    await t.attempt('passive', () => ch.checkQueue('qd13.missing'));
    await t.settle();
    const again = await channel(t, conn, 'again');
    await t.attempt('connection still usable', () => again.assertQueue('qd13.q', { durable: false }));
    t.cleanup('queue', 'qd13.q');
    const e = errorOf(t, 'passive');
    expect(e).toEqual({
      message: 'Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'qd13.missing\' in vhost \'/\'"',
      code: 404,
      classId: 50,
      methodId: 10,
    });
  },

  '§2 passive: ignores the queue\'s properties and arguments': async (t) => {
    const { ch } = await open(t);
    const q = 'qd14.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: false, messageTtl: 60000, maxLength: 10, arguments: { 'x-foo': 'bar' } });
    ch.sendToQueue(q, Buffer.from('m'));
    await t.settle();
    const ok = await t.attempt('passive', () => ch.checkQueue(q));
    expect(ok?.messageCount).toBe(1);
  },

  // ---- durable / exclusive / equivalence -----------------------------------
  '§2 equivalence: durable mismatch is 406 inequivalent arg durable': async (t) => {
    const e = await redeclare(t, 'qd15.q', {}, { durable: true });
    expect(e?.code).toBe(406);
    expect(e?.message).toContain("PRECONDITION_FAILED - inequivalent arg 'durable' for queue 'qd15.q' in vhost '/': received 'true' but current is 'false'");
  },

  '§2 equivalence: auto_delete mismatch is 406 inequivalent arg auto_delete': async (t) => {
    const e = await redeclare(t, 'qd16.q', { autoDelete: true }, { autoDelete: false });
    expect(e?.code).toBe(406);
    expect(e?.message).toContain("PRECONDITION_FAILED - inequivalent arg 'auto_delete' for queue 'qd16.q' in vhost '/': received 'false' but current is 'true'");
  },

  '§2 equivalence: durable is compared before arguments': async (t) => {
    const e = await redeclare(t, 'qd17.q', { messageTtl: 1000 }, { durable: true, messageTtl: 2000 });
    expect(e?.message).toContain("inequivalent arg 'durable'");
  },

  '§2 equivalence: redeclaring a non-exclusive queue as exclusive is 405 even on the same connection': async (t) => {
    const e = await redeclare(t, 'qd18.q', {}, { exclusive: true });
    expect(e?.code).toBe(405);
    expect(e?.message).toContain(LOCKED('qd18.q'));
  },

  '§2 equivalence: the owner redeclaring its exclusive queue as non-exclusive is 405': async (t) => {
    const e = await redeclare(t, 'qd19.q', { exclusive: true }, { exclusive: false });
    expect(e?.code).toBe(405);
    expect(e?.message).toContain(LOCKED('qd19.q'));
  },

  '§2 equivalence: exclusive forces non-durable, so durable+exclusive redeclares are equivalent': async (t) => {
    const { ch } = await open(t);
    const q = 'qd20.q';
    t.cleanup('queue', q);
    await t.attempt('declare durable exclusive', () => ch.assertQueue(q, { durable: true, exclusive: true }));
    await t.attempt('redeclare durable exclusive', () => ch.assertQueue(q, { durable: true, exclusive: true }));
    await t.attempt('redeclare non-durable exclusive', () => ch.assertQueue(q, { durable: false, exclusive: true }));
    await t.settle();
    expect(t.log.filter(([, v]) => (v as { error?: unknown })?.error)).toEqual([]);
  },

  '§2 equivalence: exclusivity (405) is checked before arguments (406) from another connection': async (t) => {
    const { other } = await exclusiveElsewhere(t, 'qd21.q');
    await t.attempt('other redeclare', () => other.ch.assertQueue('qd21.q', { durable: true, messageTtl: 5 }));
    await t.settle();
    const e = errorOf(t, 'other redeclare');
    expect(e.code).toBe(405);
    expect(e.message).toContain(LOCKED('qd21.q'));
  },

  '§2 equivalence: x-message-ttl value mismatch names both values': async (t) => {
    const e = await redeclare(t, 'qd22.q', { messageTtl: 1000 }, { messageTtl: 2000 });
    expect(e?.code).toBe(406);
    expect(e?.message).toContain("PRECONDITION_FAILED - inequivalent arg 'x-message-ttl' for queue 'qd22.q' in vhost '/': received '2000' but current is '1000'");
  },

  '§2 equivalence: argument missing on redeclare reports the current value and type': async (t) => {
    const e = await redeclare(t, 'qd23.q', { messageTtl: 1000 }, {});
    expect(e?.message).toContain("inequivalent arg 'x-message-ttl' for queue 'qd23.q' in vhost '/': received none but current is the value '1000' of type 'short'");
  },

  '§2 equivalence: argument added on redeclare reports the received value and type': async (t) => {
    const e = await redeclare(t, 'qd24.q', {}, { maxLength: 100 });
    expect(e?.message).toContain("inequivalent arg 'x-max-length' for queue 'qd24.q' in vhost '/': received the value '100' of type 'byte' but current is none");
  },

  '§2 equivalence: string argument mismatch (x-dead-letter-exchange)': async (t) => {
    const e = await redeclare(t, 'qd25.q', { deadLetterExchange: 'dlx-a' }, { deadLetterExchange: 'dlx-b' });
    expect(e?.message).toContain("inequivalent arg 'x-dead-letter-exchange' for queue 'qd25.q' in vhost '/': received 'dlx-b' but current is 'dlx-a'");
  },

  '§2 equivalence: x-overflow mismatch': async (t) => {
    const e = await redeclare(t, 'qd26.q', { overflow: 'drop-head' }, { overflow: 'reject-publish' });
    expect(e?.message).toContain("inequivalent arg 'x-overflow' for queue 'qd26.q' in vhost '/': received 'reject-publish' but current is 'drop-head'");
  },

  '§2 equivalence: an integer and a double argument are inequivalent (no validation on redeclare)': async (t) => {
    const e = await redeclare(t, 'qd27.q', { maxLength: 100 }, { arguments: { 'x-max-length': 100.5 } });
    expect(e?.code).toBe(406);
    expect(e?.message).toContain("inequivalent arg 'x-max-length' for queue 'qd27.q' in vhost '/': received '100.5' but current is '100'");
  },

  '§2 equivalence: arguments RabbitMQ does not compare (x-foo) may differ freely': async (t) => {
    const e = await redeclare(t, 'qd28.q', { arguments: { 'x-foo': 'a' } }, { arguments: { 'x-foo': 'b', 'x-bar': 1 } });
    expect(e).toBeUndefined();
  },

  '§2 equivalence: missing x-queue-type is equivalent to classic': async (t) => {
    const e = await redeclare(t, 'qd29.q', {}, { arguments: { 'x-queue-type': 'classic' } });
    expect(e).toBeUndefined();
  },

  '§2 equivalence: redeclare with identical properties returns the current counts': async (t) => {
    const { ch } = await open(t);
    const q = 'qd30.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, messageTtl: 60000, deadLetterExchange: 'x' });
    ch.sendToQueue(q, Buffer.from('m'));
    await t.settle();
    const ok = await t.attempt('redeclare', () => ch.assertQueue(q, { durable: false, messageTtl: 60000, deadLetterExchange: 'x' }));
    expect(ok).toEqual({ queue: q, messageCount: 1, consumerCount: 0 });
  },

  // ---- argument validation -----------------------------------------------
  '§2 validation: x-max-length -1 is value_negative': async (t) => {
    const m = await invalid(t, 'qd31.q', { maxLength: -1 });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'qd31.q' in vhost '/': {value_negative,-1}");
  },

  '§2 validation: x-expires 0 is value_zero': async (t) => {
    const m = await invalid(t, 'qd32.q', { expires: 0 });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-expires' for queue 'qd32.q' in vhost '/': {value_zero,0}");
  },

  '§2 validation: x-message-ttl -5 is value_negative': async (t) => {
    const m = await invalid(t, 'qd33.q', { messageTtl: -5 });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'qd33.q' in vhost '/': {value_negative,-5}");
  },

  '§2 validation: x-message-ttl above ten years is value_too_large': async (t) => {
    const m = await invalid(t, 'qd34.q', { messageTtl: 315360000001 });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'qd34.q' in vhost '/': {value_too_large,315360000001}");
  },

  '§2 validation: a string for an integer argument is "expected integer, got longstr"': async (t) => {
    const m = await invalid(t, 'qd35.q', { arguments: { 'x-max-length': 'ten' } });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'qd35.q' in vhost '/': \"expected integer, got longstr\"");
  },

  '§2 validation: a non-integer number for an integer argument is refused': async (t) => {
    const m = await invalid(t, 'qd36.q', { arguments: { 'x-message-ttl': 1.5 } });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-message-ttl' for queue 'qd36.q' in vhost '/': \"expected integer, got double\"");
  },

  '§2 validation: unknown x-overflow value is invalid_overflow': async (t) => {
    const m = await invalid(t, 'qd37.q', { overflow: 'drop-tail' });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'qd37.q' in vhost '/': invalid_overflow");
  },

  '§2 validation: x-dead-letter-routing-key without x-dead-letter-exchange': async (t) => {
    const m = await invalid(t, 'qd38.q', { deadLetterRoutingKey: 'rk' });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-dead-letter-routing-key' for queue 'qd38.q' in vhost '/': routing_key_but_no_dlx_defined");
  },

  '§2 validation: a non-string x-dead-letter-exchange is an invalid type': async (t) => {
    const m = await invalid(t, 'qd39.q', { arguments: { 'x-dead-letter-exchange': 5 } });
    expect(m).toContain("PRECONDITION_FAILED - invalid type 'byte' for arg 'x-dead-letter-exchange' in queue 'qd39.q' in vhost '/'");
  },

  '§2 validation: quorum-only arguments are refused on a classic queue': async (t) => {
    const m = await invalid(t, 'qd40.q', { arguments: { 'x-delivery-limit': 5 } });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-delivery-limit' for queue 'qd40.q' in vhost '/' of queue type rabbit_classic_queue");
  },

  '§2 validation: x-max-length-bytes -1 is value_negative': async (t) => {
    const m = await invalid(t, 'qd41.q', { arguments: { 'x-max-length-bytes': -1 } });
    expect(m).toContain("PRECONDITION_FAILED - invalid arg 'x-max-length-bytes' for queue 'qd41.q' in vhost '/': {value_negative,-1}");
  },

  '§2 validation: arguments are validated only when the queue is created': async (t) => {
    const e = await redeclare(t, 'qd42.q', {}, { arguments: { 'x-delivery-limit': 5 } });
    expect(e).toBeUndefined();
  },

  // ---- exclusive ---------------------------------------------------------
  '§2 exclusive: another connection gets 405 on passive declare': async (t) => {
    const { other } = await exclusiveElsewhere(t, 'qd43.q');
    await t.attempt('other passive', () => other.ch.checkQueue('qd43.q'));
    await t.settle();
    const e = errorOf(t, 'other passive');
    expect(e.message).toBe(`Operation failed: QueueDeclare; 405 (RESOURCE-LOCKED) with message "${LOCKED('qd43.q')}"`);
    expect([e.code, e.classId, e.methodId]).toEqual([405, 50, 10]);
  },

  '§2 exclusive: another connection gets 405 on basic.get': async (t) => {
    const { other } = await exclusiveElsewhere(t, 'qd44.q');
    await t.attempt('other get', () => other.ch.get('qd44.q'));
    await t.settle();
    const e = errorOf(t, 'other get');
    expect([e.code, e.classId, e.methodId]).toEqual([405, 60, 70]);
  },

  '§2 exclusive: another connection gets 405 on basic.consume': async (t) => {
    const { other } = await exclusiveElsewhere(t, 'qd45.q');
    await t.attempt('other consume', () => other.ch.consume('qd45.q', () => {}));
    await t.settle();
    const e = errorOf(t, 'other consume');
    expect([e.code, e.classId, e.methodId]).toEqual([405, 60, 20]);
  },

  '§2 exclusive: another connection gets 405 on queue.delete and queue.purge': async (t) => {
    const { owner, other } = await exclusiveElsewhere(t, 'qd46.q');
    await t.attempt('other delete', () => other.ch.deleteQueue('qd46.q'));
    await t.settle();
    const ch2 = await channel(t, other.conn, 'other2');
    await t.attempt('other purge', () => ch2.purgeQueue('qd46.q'));
    await t.settle();
    await t.attempt('owner passive', () => owner.ch.checkQueue('qd46.q'));
    expect([errorOf(t, 'other delete').code, errorOf(t, 'other delete').methodId]).toEqual([405, 40]);
    expect([errorOf(t, 'other purge').code, errorOf(t, 'other purge').methodId]).toEqual([405, 30]);
  },

  '§2 exclusive: another connection gets 405 on queue.bind': async (t) => {
    const { other } = await exclusiveElsewhere(t, 'qd47.q');
    await t.attempt('other bind', () => other.ch.bindQueue('qd47.q', 'amq.fanout', ''));
    await t.settle();
    const e = errorOf(t, 'other bind');
    expect([e.code, e.classId, e.methodId]).toEqual([405, 50, 20]);
  },

  '§2 exclusive: other channels of the owning connection may use the queue': async (t) => {
    const { owner } = await exclusiveElsewhere(t, 'qd48.q');
    const ch2 = await channel(t, owner.conn, 'owner2');
    await t.attempt('passive', () => ch2.checkQueue('qd48.q'));
    ch2.sendToQueue('qd48.q', Buffer.from('m'));
    await t.settle();
    await t.attempt('get', async () => describeMessage(await ch2.get('qd48.q', { noAck: true })));
    await t.attempt('purge', () => ch2.purgeQueue('qd48.q'));
    const ok = await t.attempt('delete', () => ch2.deleteQueue('qd48.q'));
    expect(ok).toEqual({ messageCount: 0 });
  },

  '§2 exclusive: another connection may publish to the queue': async (t) => {
    const { owner, other } = await exclusiveElsewhere(t, 'qd49.q');
    other.ch.sendToQueue('qd49.q', Buffer.from('from elsewhere'));
    await t.settle(150);
    const got = await t.attempt('owner get', async () => describeMessage(await owner.ch.get('qd49.q', { noAck: true })));
    expect((got as { content: string }).content).toBe('from elsewhere');
  },

  '§2 exclusive: closing the declaring channel keeps the queue': async (t) => {
    const { owner } = await exclusiveElsewhere(t, 'qd50.q');
    await owner.ch.close();
    const ch2 = await channel(t, owner.conn, 'owner2');
    const ok = await t.attempt('passive after channel close', () => ch2.checkQueue('qd50.q'));
    expect(ok?.queue).toBe('qd50.q');
  },

  '§2 exclusive: closing the declaring connection deletes the queue': async (t) => {
    const { owner, other } = await exclusiveElsewhere(t, 'qd51.q');
    owner.ch.sendToQueue('qd51.q', Buffer.from('lost'));
    await t.settle();
    await owner.conn.close();
    await t.attempt('passive after connection close', () => other.ch.checkQueue('qd51.q'));
    await t.settle();
    expect(errorOf(t, 'passive after connection close').code).toBe(404);
  },

  // ---- auto_delete -------------------------------------------------------
  '§2 auto_delete: deleted when its last consumer cancels': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd52.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    const { consumerTag } = await ch.consume(q, () => {});
    await ch.cancel(consumerTag);
    const check = await channel(t, conn, 'check');
    await t.attempt('passive after cancel', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'passive after cancel').code).toBe(404);
  },

  '§2 auto_delete: survives while another consumer remains': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd53.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    const a = await ch.consume(q, () => {});
    const b = await ch.consume(q, () => {});
    await ch.cancel(a.consumerTag);
    await t.attempt('after first cancel', () => ch.checkQueue(q));
    await ch.cancel(b.consumerTag);
    const check = await channel(t, conn, 'check');
    await t.attempt('after second cancel', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'after second cancel').code).toBe(404);
  },

  '§2 auto_delete: closing the consumer\'s channel deletes the queue': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd54.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    await ch.consume(q, () => {});
    await ch.close();
    const check = await channel(t, conn, 'check');
    await t.attempt('passive after channel close', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'passive after channel close').code).toBe(404);
  },

  '§2 auto_delete: a queue that never had a consumer is kept (basic.get does not count)': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd55.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    ch.sendToQueue(q, Buffer.from('m'));
    await t.settle();
    await t.attempt('get', async () => describeMessage(await ch.get(q, { noAck: true })));
    await ch.close();
    const check = await channel(t, conn, 'check');
    const ok = await t.attempt('passive', () => check.checkQueue(q));
    expect(ok?.queue).toBe(q);
  },

  '§2 auto_delete: closing a consumer channel that holds unacked messages still deletes the queue': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd56.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, autoDelete: true });
    ch.sendToQueue(q, Buffer.from('m'));
    const seen: unknown[] = [];
    await ch.consume(q, (m) => seen.push(m?.content.toString()));
    await t.settle();
    t.record('delivered', seen);
    await ch.close();
    const check = await channel(t, conn, 'check');
    await t.attempt('passive', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'passive').code).toBe(404);
  },

  // ---- x-expires ---------------------------------------------------------
  '§2 x-expires: an unused queue is deleted after the period': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd57.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, expires: 200 });
    await t.sleep(700);
    const check = await channel(t, conn, 'check');
    await t.attempt('passive after expiry', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'passive after expiry').code).toBe(404);
  },

  '§2 x-expires: publishing does not keep the queue alive': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd58.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, expires: 400 });
    for (let i = 0; i < 4; i++) {
      ch.sendToQueue(q, Buffer.from(`m${i}`));
      await t.sleep(250);
    }
    const check = await channel(t, conn, 'check');
    await t.attempt('passive', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'passive').code).toBe(404);
  },

  '§2 x-expires: a passive declare renews the lease': async (t) => {
    const { ch } = await open(t);
    const q = 'qd59.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, expires: 600 });
    await t.sleep(350);
    await t.attempt('passive 1', () => ch.checkQueue(q));
    await t.sleep(350);
    await t.attempt('passive 2', () => ch.checkQueue(q));
    await t.sleep(350);
    const ok = await t.attempt('passive 3', () => ch.checkQueue(q));
    expect(ok?.queue).toBe(q);
  },

  '§2 x-expires: basic.get renews the lease': async (t) => {
    const { ch } = await open(t);
    const q = 'qd60.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, expires: 600 });
    await t.sleep(350);
    await t.attempt('get 1', () => ch.get(q));
    await t.sleep(350);
    await t.attempt('get 2', () => ch.get(q));
    await t.sleep(350);
    const ok = await t.attempt('passive', () => ch.checkQueue(q));
    expect(ok?.queue).toBe(q);
  },

  '§2 x-expires: a consumer keeps the queue; the period restarts when it leaves': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'qd61.q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, { durable: false, expires: 250 });
    const { consumerTag } = await ch.consume(q, () => {});
    await t.sleep(600);
    await t.attempt('while consumed', () => ch.checkQueue(q));
    await ch.cancel(consumerTag);
    await t.sleep(700);
    const check = await channel(t, conn, 'check');
    await t.attempt('after cancel', () => check.checkQueue(q));
    await t.settle();
    expect(errorOf(t, 'after cancel').code).toBe(404);
  },
});
