/**
 * §5 (basic.publish, mandatory, publisher confirms) and §0 (the error model:
 * channel vs connection errors, amqplib's error messages, class/method ids,
 * what a closed channel does) of shared/spec/rabbitmq-semantics.md.
 */
import { expect } from 'vitest';
import type { ChannelModel, ConfirmChannel, GetMessage, Message } from 'amqplib';
import { scenarios, type ScenarioContext } from './harness.ts';
import { drain, errorMessage, lastLogged, open, probe } from './helpers.ts';

async function openConfirm(t: ScenarioContext, label = 'ch'): Promise<{ conn: ChannelModel; ch: ConfirmChannel }> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createConfirmChannel();
  t.watch(label, ch);
  return { conn, ch };
}

/**
 * Collects confirm outcomes per publish. Which of several confirms arrives
 * first is up to the broker, so outcomes are recorded as one map (keys sorted
 * by the harness), each with the list of every callback invocation.
 */
function confirmLog(t: ScenarioContext) {
  const outcomes: Record<string, unknown[]> = {};
  return {
    to(label: string) {
      outcomes[label] = [];
      return (err: unknown) => outcomes[label].push(err ? { nacked: String((err as Error).message ?? err) } : 'acked');
    },
    record() {
      t.record('confirms', outcomes);
      return outcomes;
    },
  };
}

const nd = { durable: false } as const;

scenarios('§5 publish and §0 errors', {
  // ---------------------------------------------------------------- §5 publish errors
  '§5 publish to a missing exchange → 404 closes the channel (class 60, method 40), asynchronously': async (t) => {
    const { conn, ch } = await open(t);
    t.watch('conn', conn);
    await t.attempt('publish returns', () => ch.publish('pb-missing-x', 'k', Buffer.from('m')));
    await t.settle();
    await probe(t, conn, 'connection still usable', (c) => c.checkExchange('amq.direct'));
    expect(lastLogged(t, 'ch.error')).toEqual({
      message: 'Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'pb-missing-x\' in vhost \'/\'"',
      code: 404,
      classId: 60,
      methodId: 40,
    });
    expect(lastLogged(t, 'connection still usable')).toEqual({ ok: {} });
  },

  '§5 publish to an internal exchange → 403 cannot publish to internal exchange': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-internal');
    await ch.assertExchange('pb-internal', 'fanout', { durable: false, internal: true });
    ch.publish('pb-internal', '', Buffer.from('m'));
    await t.settle();
    expect(lastLogged(t, 'ch.error')).toEqual({
      message:
        'Channel closed by server: 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - cannot publish to internal exchange \'pb-internal\' in vhost \'/\'"',
      code: 403,
      classId: 60,
      methodId: 40,
    });
  },

  '§5 publish to amq.rabbitmq.trace (internal) → 403': async (t) => {
    const { ch } = await open(t);
    ch.publish('amq.rabbitmq.trace', 'publish.x', Buffer.from('m'));
    await t.settle();
    expect((lastLogged(t, 'ch.error') as { message: string }).message).toContain(
      "ACCESS_REFUSED - cannot publish to internal exchange 'amq.rabbitmq.trace' in vhost '/'",
    );
  },

  '§5 publish checks run in order: exchange exists (404), then not internal (403), then header validity (406)': async (t) => {
    const conn = await t.connect();
    conn.on('error', () => {});
    const missing = await conn.createChannel();
    t.watch('missing', missing);
    const internal = await conn.createChannel();
    t.watch('internal', internal);
    t.cleanup('exchange', 'pb-order-internal');
    await internal.assertExchange('pb-order-internal', 'fanout', { durable: false, internal: true });
    missing.publish('pb-order-missing', 'k', Buffer.from('m'), { headers: { CC: 'not-an-array' } });
    internal.publish('pb-order-internal', 'k', Buffer.from('m'), { headers: { CC: 'not-an-array' } });
    await t.settle();
    expect(lastLogged(t, 'missing.error')).toMatchObject({ code: 404, classId: 60, methodId: 40 });
    expect(lastLogged(t, 'internal.error')).toMatchObject({ code: 403, classId: 60, methodId: 40 });
  },

  '§5 a CC header that is not an array → 406 invalid message': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'pb-badcc');
    await ch.assertQueue('pb-badcc', nd);
    ch.sendToQueue('pb-badcc', Buffer.from('m'), { headers: { CC: 'pb-badcc' } });
    await t.settle();
    expect(lastLogged(t, 'ch.error')).toEqual({
      message: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - invalid message: {unacceptable_type_in_header,"CC",longstr}"',
      code: 406,
      classId: 60,
      methodId: 40,
    });
  },

  // ---------------------------------------------------------------- §5 mandatory
  '§5 mandatory + unroutable → basic.return 312 NO_ROUTE with exchange, key, properties and body; the channel stays open': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-mand');
    await ch.assertExchange('pb-mand', 'direct', nd);
    ch.publish('pb-mand', 'nobody', Buffer.from('returned body'), {
      mandatory: true,
      contentType: 'text/plain',
      messageId: 'id-1',
      headers: { h: 'v' },
      priority: 3,
      persistent: true,
    });
    await t.settle();
    await t.attempt('channel still open', () => ch.checkExchange('pb-mand'));
    expect(lastLogged(t, 'ch.return')).toEqual({
      content: 'returned body',
      fields: { exchange: 'pb-mand', replyCode: 312, replyText: 'NO_ROUTE', routingKey: 'nobody' },
      properties: { contentType: 'text/plain', deliveryMode: 2, headers: { h: 'v' }, messageId: 'id-1', priority: 3 },
    });
    expect(lastLogged(t, 'channel still open')).toEqual({ ok: {} });
  },

  '§5 mandatory=false + unroutable → silently dropped; routed mandatory messages are not returned': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-nomand');
    t.cleanup('queue', 'pb-nomand-q');
    await ch.assertExchange('pb-nomand', 'topic', nd);
    await ch.assertQueue('pb-nomand-q', nd);
    await ch.bindQueue('pb-nomand-q', 'pb-nomand', 'yes.#');
    ch.publish('pb-nomand', 'no', Buffer.from('dropped'));
    ch.publish('pb-nomand', 'yes.please', Buffer.from('routed'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'pb-nomand-q'));
    expect(t.log.filter(([l]) => l.startsWith('ch.')).map(([l]) => l)).toEqual([]);
    expect(lastLogged(t, 'queue')).toEqual(['routed']);
  },

  '§5 mandatory to the default exchange with no such queue → returned with exchange ""': async (t) => {
    const { ch } = await open(t);
    ch.sendToQueue('pb-no-such-queue', Buffer.from('m'), { mandatory: true });
    await t.settle();
    expect(lastLogged(t, 'ch.return')).toMatchObject({ fields: { exchange: '', routingKey: 'pb-no-such-queue', replyCode: 312, replyText: 'NO_ROUTE' } });
  },

  '§5 mandatory: reaching only exchanges (through e2e bindings) but no queue is unroutable and returned': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-mand-e2e-src');
    t.cleanup('exchange', 'pb-mand-e2e-dst');
    await ch.assertExchange('pb-mand-e2e-src', 'fanout', nd);
    await ch.assertExchange('pb-mand-e2e-dst', 'fanout', nd);
    await ch.bindExchange('pb-mand-e2e-dst', 'pb-mand-e2e-src', '');
    ch.publish('pb-mand-e2e-src', 'k', Buffer.from('m'), { mandatory: true });
    await t.settle();
    expect(lastLogged(t, 'ch.return')).toMatchObject({ content: 'm', fields: { exchange: 'pb-mand-e2e-src', routingKey: 'k', replyCode: 312 } });
  },

  '§5 returns on one channel arrive in publish order': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-ret-order');
    await ch.assertExchange('pb-ret-order', 'fanout', nd);
    for (let i = 1; i <= 5; i++) ch.publish('pb-ret-order', `k${i}`, Buffer.from(`m${i}`), { mandatory: true });
    await t.settle();
    expect(t.log.filter(([l]) => l === 'ch.return').map(([, v]) => (v as { content: string }).content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
  },

  // ---------------------------------------------------------------- §5 confirms
  '§5 confirms: each publish is acked exactly once and waitForConfirms resolves': async (t) => {
    const { ch } = await openConfirm(t);
    const confirms = confirmLog(t);
    t.cleanup('queue', 'pb-conf-q');
    await ch.assertQueue('pb-conf-q', nd);
    for (let i = 1; i <= 4; i++) ch.sendToQueue('pb-conf-q', Buffer.from(`m${i}`), {}, confirms.to(`confirm ${i}`));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    await t.attempt('queue depth', async () => (await ch.checkQueue('pb-conf-q')).messageCount);
    expect(confirms.record()).toEqual({ 'confirm 1': ['acked'], 'confirm 2': ['acked'], 'confirm 3': ['acked'], 'confirm 4': ['acked'] });
    expect(lastLogged(t, 'waitForConfirms')).toEqual({ ok: 'all confirmed' });
    expect(lastLogged(t, 'queue depth')).toEqual({ ok: 4 });
  },

  '§5 confirms: sequence numbers start at 1 and count every publish (only the reject-publish one is nacked)': async (t) => {
    const { ch } = await openConfirm(t);
    const confirms = confirmLog(t);
    t.cleanup('queue', 'pb-seq-full');
    t.cleanup('queue', 'pb-seq-open');
    t.cleanup('exchange', 'pb-seq-x');
    await ch.assertQueue('pb-seq-full', { durable: false, maxLength: 1, overflow: 'reject-publish' });
    await ch.assertQueue('pb-seq-open', nd);
    await ch.assertExchange('pb-seq-x', 'direct', nd);
    // amqplib matches each ack/nack to a callback by sequence number, so a
    // nack landing on the 4th callback only means the broker numbered 1, 2, 3, 4, 5.
    ch.sendToQueue('pb-seq-full', Buffer.from('fills the queue'), {}, confirms.to('confirm 1 (fills)'));
    ch.publish('pb-seq-x', 'nobody', Buffer.from('unroutable'), {}, confirms.to('confirm 2 (unroutable)'));
    ch.sendToQueue('pb-seq-open', Buffer.from('open'), {}, confirms.to('confirm 3 (open queue)'));
    ch.sendToQueue('pb-seq-full', Buffer.from('rejected'), {}, confirms.to('confirm 4 (over limit)'));
    ch.sendToQueue('pb-seq-open', Buffer.from('open again'), {}, confirms.to('confirm 5 (open queue)'));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    expect(confirms.record()).toEqual({
      'confirm 1 (fills)': ['acked'],
      'confirm 2 (unroutable)': ['acked'],
      'confirm 3 (open queue)': ['acked'],
      'confirm 4 (over limit)': [{ nacked: 'message nacked' }],
      'confirm 5 (open queue)': ['acked'],
    });
    expect(lastLogged(t, 'waitForConfirms')).toEqual({ error: { message: 'message nacked' } });
  },

  '§5 confirms: an unroutable mandatory message is returned first, then acked (not nacked)': async (t) => {
    const { ch } = await openConfirm(t);
    t.cleanup('exchange', 'pb-conf-ret');
    await ch.assertExchange('pb-conf-ret', 'direct', nd);
    const order: string[] = [];
    ch.on('return', (m: Message) => order.push(`return ${m.content.toString()}`));
    ch.publish('pb-conf-ret', 'nobody', Buffer.from('unroutable mandatory'), { mandatory: true }, (err) => order.push(err ? 'nack' : 'ack'));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    t.record('order', order);
    expect(order).toEqual(['return unroutable mandatory', 'ack']);
  },

  '§5 confirms: an unroutable message without mandatory is acked': async (t) => {
    const { ch } = await openConfirm(t);
    const confirms = confirmLog(t);
    t.cleanup('exchange', 'pb-conf-unr');
    await ch.assertExchange('pb-conf-unr', 'topic', nd);
    ch.publish('pb-conf-unr', 'no.binding', Buffer.from('m'), {}, confirms.to('confirm'));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    expect(confirms.record()).toEqual({ confirm: ['acked'] });
  },

  '§5 confirms: a publish that closes the channel is never confirmed (amqplib fails it with "channel closed")': async (t) => {
    const { ch } = await openConfirm(t);
    const confirms = confirmLog(t);
    t.cleanup('queue', 'pb-conf-close-q');
    await ch.assertQueue('pb-conf-close-q', nd);
    const first = confirms.to('confirm 1');
    await new Promise<void>((resolve) => {
      ch.sendToQueue('pb-conf-close-q', Buffer.from('first'), {}, (e) => {
        first(e);
        resolve();
      });
    });
    ch.publish('pb-conf-close-missing', 'k', Buffer.from('to a missing exchange'), {}, confirms.to('confirm 2'));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    expect(confirms.record()).toEqual({ 'confirm 1': ['acked'], 'confirm 2': [{ nacked: 'channel closed' }] });
    expect(lastLogged(t, 'waitForConfirms')).toEqual({ error: { message: 'channel closed' } });
    expect(lastLogged(t, 'ch.error')).toMatchObject({ code: 404, classId: 60, methodId: 40 });
  },

  '§5 confirms: a message routed to several queues is acked once': async (t) => {
    const { ch } = await openConfirm(t);
    const confirms = confirmLog(t);
    t.cleanup('exchange', 'pb-conf-fan');
    await ch.assertExchange('pb-conf-fan', 'fanout', nd);
    for (const q of ['pb-conf-fan-a', 'pb-conf-fan-b', 'pb-conf-fan-c']) {
      t.cleanup('queue', q);
      await ch.assertQueue(q, nd);
      await ch.bindQueue(q, 'pb-conf-fan', '');
    }
    ch.publish('pb-conf-fan', '', Buffer.from('m'), {}, confirms.to('confirm'));
    await t.attempt('waitForConfirms', () => ch.waitForConfirms().then(() => 'all confirmed'));
    expect(confirms.record()).toEqual({ confirm: ['acked'] });
  },

  // ---------------------------------------------------------------- §0 channel vs connection errors
  '§0 soft error (404 on queue.declare): only that channel closes; other channels and the connection carry on': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const bad = await conn.createChannel();
    t.watch('bad', bad);
    const good = await conn.createChannel();
    t.watch('good', good);
    await t.attempt('passive declare of a missing queue', () => bad.checkQueue('pb-soft-missing'));
    await t.attempt('other channel works', () => good.checkExchange('amq.fanout'));
    await t.attempt('new channel on the connection', async () => {
      const c = await conn.createChannel();
      await c.close();
      return 'opened and closed';
    });
    expect(lastLogged(t, 'passive declare of a missing queue')).toEqual({
      error: {
        message: 'Operation failed: QueueDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'pb-soft-missing\' in vhost \'/\'"',
        code: 404,
        classId: 50,
        methodId: 10,
      },
    });
    expect(t.log.filter(([l]) => l.startsWith('conn.') || l.startsWith('good.'))).toEqual([]);
  },

  '§0 hard error (530 consumer tag reuse): the connection closes with every channel on it': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const other = await conn.createChannel();
    t.watch('other', other);
    t.cleanup('queue', 'pb-hard-q');
    await ch.assertQueue('pb-hard-q', nd);
    await t.attempt('consume tag pb-tag', () => ch.consume('pb-hard-q', () => {}, { consumerTag: 'pb-tag' }));
    await t.attempt('consume pb-tag again on the same channel', () => ch.consume('pb-hard-q', () => {}, { consumerTag: 'pb-tag' }));
    await t.settle();
    await t.attempt('other channel afterwards', () => other.checkQueue('pb-hard-q'));
    await t.attempt('createChannel afterwards', () => conn.createChannel());
    expect(lastLogged(t, 'conn.error')).toEqual({
      message: 'Connection closed: 530 (NOT-ALLOWED) with message "NOT_ALLOWED - attempt to reuse consumer tag \'pb-tag\'"',
      code: 530,
    });
    expect(lastLogged(t, 'other channel afterwards')).toEqual({ error: { message: 'Channel closed' } });
  },

  '§0 the same consumer tag on two different channels is fine': async (t) => {
    const { conn, ch } = await open(t);
    const ch2 = await conn.createChannel();
    t.watch('ch2', ch2);
    t.cleanup('queue', 'pb-tag2-q');
    await ch.assertQueue('pb-tag2-q', nd);
    await t.attempt('consume on channel 1', () => ch.consume('pb-tag2-q', () => {}, { consumerTag: 'shared-tag' }));
    await t.attempt('consume on channel 2', () => ch2.consume('pb-tag2-q', () => {}, { consumerTag: 'shared-tag' }));
    expect(lastLogged(t, 'consume on channel 2')).toEqual({ ok: { consumerTag: 'shared-tag' } });
  },

  '§0 several faults in one request: exclusivity (405) is checked before equivalence (406)': async (t) => {
    const { ch: owner } = await open(t, 'owner');
    const other = await t.connect();
    other.on('error', () => {});
    t.cleanup('queue', 'pb-405-first');
    await owner.assertQueue('pb-405-first', { durable: false, exclusive: true });
    await probe(t, other, 'inequivalent redeclare from another connection', (c) =>
      c.assertQueue('pb-405-first', { durable: true, autoDelete: true, arguments: { 'x-message-ttl': 5 } }),
    );
    expect(lastLogged(t, 'inequivalent redeclare from another connection')).toEqual({
      error: {
        message:
          "Operation failed: QueueDeclare; 405 (RESOURCE-LOCKED) with message \"RESOURCE_LOCKED - cannot obtain exclusive access to locked queue 'pb-405-first' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.\"",
        code: 405,
        classId: 50,
        methodId: 10,
      },
    });
  },

  // ---------------------------------------------------------------- §0 class / method ids
  '§0 class/method ids: queue.delete 50/40 (if_empty on a non-empty queue)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'pb-ids-del');
    await ch.assertQueue('pb-ids-del', nd);
    ch.sendToQueue('pb-ids-del', Buffer.from('m'));
    await t.settle();
    await t.attempt('delete if_empty', () => ch.deleteQueue('pb-ids-del', { ifEmpty: true }));
    expect(lastLogged(t, 'delete if_empty')).toMatchObject({ error: { code: 406, classId: 50, methodId: 40 } });
  },

  '§0 class/method ids: basic.consume 60/20 (missing queue)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('consume missing queue', () => ch.consume('pb-ids-consume-missing', () => {}));
    expect(lastLogged(t, 'consume missing queue')).toEqual({
      error: {
        message: 'Operation failed: BasicConsume; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'pb-ids-consume-missing\' in vhost \'/\'"',
        code: 404,
        classId: 60,
        methodId: 20,
      },
    });
  },

  '§0 class/method ids: basic.get 60/70 (missing queue)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('get from missing queue', () => ch.get('pb-ids-get-missing'));
    expect(lastLogged(t, 'get from missing queue')).toEqual({
      error: {
        message: 'Operation failed: BasicGet; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'pb-ids-get-missing\' in vhost \'/\'"',
        code: 404,
        classId: 60,
        methodId: 70,
      },
    });
  },

  '§0 class/method ids: basic.ack 60/80 (double ack → unknown delivery tag)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'pb-ids-ack');
    await ch.assertQueue('pb-ids-ack', nd);
    ch.sendToQueue('pb-ids-ack', Buffer.from('m'));
    await t.settle();
    const m = (await ch.get('pb-ids-ack')) as GetMessage;
    ch.ack(m);
    ch.ack(m);
    await t.settle();
    expect(lastLogged(t, 'ch.error')).toEqual({
      message: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"',
      code: 406,
      classId: 60,
      methodId: 80,
    });
  },

  '§0 class/method ids: basic.reject 60/90 and basic.nack 60/120 (unknown delivery tag)': async (t) => {
    const conn = await t.connect();
    conn.on('error', () => {});
    const chR = await conn.createChannel();
    t.watch('reject', chR);
    const chN = await conn.createChannel();
    t.watch('nack', chN);
    t.cleanup('queue', 'pb-ids-rej');
    await chR.assertQueue('pb-ids-rej', nd);
    chR.sendToQueue('pb-ids-rej', Buffer.from('a'));
    chR.sendToQueue('pb-ids-rej', Buffer.from('b'));
    await t.settle();
    const a = (await chR.get('pb-ids-rej', { noAck: true })) as GetMessage;
    chR.reject(a, false);
    await t.settle();
    const b = (await chN.get('pb-ids-rej', { noAck: true })) as GetMessage;
    chN.nack(b, false, false);
    await t.settle();
    expect(lastLogged(t, 'reject.error')).toEqual({
      message: 'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - unknown delivery tag 1"',
      code: 406,
      classId: 60,
      methodId: 90,
    });
    expect(lastLogged(t, 'nack.error')).toMatchObject({ code: 406, classId: 60, methodId: 120 });
  },

  '§0 reply text: longer than 255 bytes is cut to 252 bytes plus "..."': async (t) => {
    const { ch } = await open(t);
    const name = `pb-long-${'n'.repeat(247)}`;
    expect(name.length).toBe(255);
    await t.attempt('passive declare of a missing 255-byte queue name', () => ch.checkQueue(name));
    const err = lastLogged(t, 'ch.error') as { message: string };
    const text = err.message.replace(/^Channel closed by server: 404 \(NOT-FOUND\) with message "/, '').replace(/"$/, '');
    t.record('reply text length', text.length);
    expect(text.length).toBe(255);
    expect(text.endsWith('...')).toBe(true);
    expect(text).toBe(`NOT_FOUND - no queue '${name}' in vhost '/'`.slice(0, 252) + '...');
  },

  // ---------------------------------------------------------------- §0 closed channels
  '§0 after the server closes a channel, methods already sent on it are ignored (a pipelined publish is dropped, a pipelined declare fails)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'pb-ignored-q');
    t.cleanup('queue', 'pb-ignored-new');
    await ch.assertQueue('pb-ignored-q', nd);
    ch.publish('pb-ignored-missing', 'k', Buffer.from('bad'));
    ch.sendToQueue('pb-ignored-q', Buffer.from('after the bad publish'));
    await t.attempt('declare pipelined after the bad publish', () => ch.assertQueue('pb-ignored-new', nd));
    await t.settle();
    const conn2 = await t.connect();
    conn2.on('error', () => {});
    await probe(t, conn2, 'queue depth', async (c) => (await c.checkQueue('pb-ignored-q')).messageCount);
    await probe(t, conn2, 'pipelined declare had no effect', (c) => c.checkQueue('pb-ignored-new'));
    expect(lastLogged(t, 'queue depth')).toEqual({ ok: 0 });
    expect(errorMessage(t, 'declare pipelined after the bad publish')).toBe(
      'Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'pb-ignored-missing\' in vhost \'/\'"',
    );
    expect(errorMessage(t, 'pipelined declare had no effect')).toContain("NOT_FOUND - no queue 'pb-ignored-new'");
  },

  '§0 a channel closed by the server rejects further operations ("Channel closed")': async (t) => {
    const { ch } = await open(t);
    await t.attempt('fail', () => ch.checkExchange('pb-closed-missing'));
    await t.attempt('assertQueue afterwards', () => ch.assertQueue('pb-closed-never', nd));
    await t.attempt('publish afterwards', () => ch.publish('amq.direct', 'k', Buffer.from('m')));
    await t.attempt('get afterwards', () => ch.get('pb-closed-never'));
    await t.attempt('close afterwards', () => ch.close());
    expect(lastLogged(t, 'assertQueue afterwards')).toEqual({ error: { message: 'Channel closed' } });
    expect(lastLogged(t, 'publish afterwards')).toEqual({ error: { message: 'Channel closed' } });
    expect(t.log.filter(([l]) => l === 'ch.close').length).toBe(1);
  },

  '§0 a channel closed by the client rejects further operations; its connection stays open': async (t) => {
    const { conn, ch } = await open(t);
    t.watch('conn', conn);
    await t.attempt('close', () => ch.close());
    await t.attempt('assertQueue afterwards', () => ch.assertQueue('pb-cclosed-never', nd));
    await t.attempt('publish afterwards', () => ch.publish('amq.direct', 'k', Buffer.from('m')));
    await probe(t, conn, 'connection still usable', (c) => c.checkExchange('amq.topic'));
    expect(lastLogged(t, 'publish afterwards')).toEqual({ error: { message: 'Channel closed' } });
    expect(lastLogged(t, 'connection still usable')).toEqual({ ok: {} });
    expect(t.log.filter(([l]) => l === 'ch.error' || l === 'conn.error')).toEqual([]);
  },

  '§0 errors are per channel: the error event carries code/classId/methodId and comes before close': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'pb-evt-x');
    await ch.assertExchange('pb-evt-x', 'direct', nd);
    await t.attempt('inequivalent redeclare', () => ch.assertExchange('pb-evt-x', 'fanout', nd));
    const events = t.log.filter(([l]) => l.startsWith('ch.'));
    expect(events.map(([l]) => l)).toEqual(['ch.error', 'ch.close']);
    expect(events[0][1]).toEqual({
      message:
        'Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg \'type\' for exchange \'pb-evt-x\' in vhost \'/\': received \'fanout\' but current is \'direct\'"',
      code: 406,
      classId: 40,
      methodId: 10,
    });
  },
});
