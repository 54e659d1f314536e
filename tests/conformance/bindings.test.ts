/**
 * §3 of shared/spec/rabbitmq-semantics.md: queue.bind / queue.unbind /
 * queue.purge / queue.delete, binding identity and headers x-match
 * validation.
 */
import { expect } from 'vitest';
import type { GetMessage } from 'amqplib';
import { scenarios } from './harness.ts';
import { drain, errorMessage, lastLogged, open, probe } from './helpers.ts';

const nd = { durable: false } as const;

scenarios('§3 bindings, purge, delete', {
  // ---------------------------------------------------------------- bind errors
  '§3 queue.bind: missing exchange → 404 no exchange (class 50, method 20)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'bd-404x-q');
    await ch.assertQueue('bd-404x-q', nd);
    await t.attempt('bind to missing exchange', () => ch.bindQueue('bd-404x-q', 'bd-404x-nope', 'k'));
    expect(lastLogged(t, 'bind to missing exchange')).toEqual({
      error: {
        message: 'Operation failed: QueueBind; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'bd-404x-nope\' in vhost \'/\'"',
        code: 404,
        classId: 50,
        methodId: 20,
      },
    });
  },

  '§3 queue.bind: missing queue → 404 no queue': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-404q-x');
    await ch.assertExchange('bd-404q-x', 'direct', nd);
    await t.attempt('bind missing queue', () => ch.bindQueue('bd-404q-nope', 'bd-404q-x', 'k'));
    expect(errorMessage(t, 'bind missing queue')).toBe(
      'Operation failed: QueueBind; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'bd-404q-nope\' in vhost \'/\'"',
    );
  },

  '§3 queue.bind: exchange and queue both missing → the exchange is reported': async (t) => {
    const { ch } = await open(t);
    await t.attempt('bind both missing', () => ch.bindQueue('bd-404b-q', 'bd-404b-x', 'k'));
    expect(errorMessage(t, 'bind both missing')).toContain("NOT_FOUND - no exchange 'bd-404b-x' in vhost '/'");
  },

  // ---------------------------------------------------------------- identity
  '§3 binding identity: binding the same (exchange, queue, key, args) twice is a no-op; one unbind removes it': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-id-x');
    t.cleanup('queue', 'bd-id-q');
    await ch.assertExchange('bd-id-x', 'direct', nd);
    await ch.assertQueue('bd-id-q', nd);
    await t.attempt('bind', () => ch.bindQueue('bd-id-q', 'bd-id-x', 'k'));
    await t.attempt('bind again', () => ch.bindQueue('bd-id-q', 'bd-id-x', 'k'));
    ch.publish('bd-id-x', 'k', Buffer.from('while bound'), { mandatory: true });
    await t.attempt('unbind once', () => ch.unbindQueue('bd-id-q', 'bd-id-x', 'k'));
    ch.publish('bd-id-x', 'k', Buffer.from('after one unbind'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'bd-id-q'));
    expect(lastLogged(t, 'queue')).toEqual(['while bound']);
    expect(t.log.filter(([l]) => l === 'ch.return').length).toBe(1);
  },

  '§3 binding identity: the same key with different arguments makes a second binding, removed only by passing its arguments': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-args-x');
    t.cleanup('queue', 'bd-args-q');
    await ch.assertExchange('bd-args-x', 'direct', nd);
    await ch.assertQueue('bd-args-q', nd);
    await ch.bindQueue('bd-args-q', 'bd-args-x', 'k');
    await ch.bindQueue('bd-args-q', 'bd-args-x', 'k', { tag: 'second' });
    ch.publish('bd-args-x', 'k', Buffer.from('two bindings, one copy'));
    await t.attempt('unbind without args', () => ch.unbindQueue('bd-args-q', 'bd-args-x', 'k'));
    ch.publish('bd-args-x', 'k', Buffer.from('args binding remains'), { mandatory: true });
    await t.attempt('unbind with other args (no such binding)', () => ch.unbindQueue('bd-args-q', 'bd-args-x', 'k', { tag: 'other' }));
    ch.publish('bd-args-x', 'k', Buffer.from('still remains'), { mandatory: true });
    await t.attempt('unbind with its args', () => ch.unbindQueue('bd-args-q', 'bd-args-x', 'k', { tag: 'second' }));
    ch.publish('bd-args-x', 'k', Buffer.from('no binding'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'bd-args-q'));
    expect(lastLogged(t, 'queue')).toEqual(['two bindings, one copy', 'args binding remains', 'still remains']);
    expect(t.log.filter(([l]) => l === 'ch.return').map(([, v]) => (v as { content: string }).content)).toEqual(['no binding']);
  },

  '§3 binding identity: argument values are compared with their types (1 ≠ "1"), argument order does not matter': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-argt-x');
    t.cleanup('queue', 'bd-argt-q');
    await ch.assertExchange('bd-argt-x', 'fanout', nd);
    await ch.assertQueue('bd-argt-q', nd);
    await ch.bindQueue('bd-argt-q', 'bd-argt-x', '', { a: 1, b: 'two' });
    await t.attempt('unbind with a as string', () => ch.unbindQueue('bd-argt-q', 'bd-argt-x', '', { a: '1', b: 'two' }));
    ch.publish('bd-argt-x', '', Buffer.from('type differs: still bound'), { mandatory: true });
    await t.attempt('unbind with keys reordered', () => ch.unbindQueue('bd-argt-q', 'bd-argt-x', '', { b: 'two', a: 1 }));
    ch.publish('bd-argt-x', '', Buffer.from('reordered: unbound'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'bd-argt-q'));
    expect(lastLogged(t, 'queue')).toEqual(['type differs: still bound']);
    expect(t.log.filter(([l]) => l === 'ch.return').length).toBe(1);
  },

  // ---------------------------------------------------------------- unbind idempotence
  '§3 queue.unbind: a missing binding, a missing exchange or a missing queue all succeed (unbind-ok)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-unb-x');
    t.cleanup('queue', 'bd-unb-q');
    await ch.assertExchange('bd-unb-x', 'direct', nd);
    await ch.assertQueue('bd-unb-q', nd);
    await t.attempt('unbind never-bound', () => ch.unbindQueue('bd-unb-q', 'bd-unb-x', 'k'));
    await t.attempt('unbind from missing exchange', () => ch.unbindQueue('bd-unb-q', 'bd-unb-nope', 'k'));
    await t.attempt('unbind missing queue', () => ch.unbindQueue('bd-unb-nope', 'bd-unb-x', 'k'));
    await t.attempt('unbind both missing', () => ch.unbindQueue('bd-unb-nope', 'bd-unb-nope-x', 'k'));
    for (const l of ['unbind never-bound', 'unbind from missing exchange', 'unbind missing queue', 'unbind both missing']) {
      expect(lastLogged(t, l)).toEqual({ ok: {} });
    }
  },

  // ---------------------------------------------------------------- headers x-match validation
  '§3 headers x-match validation: all, any, all-with-x, any-with-x and absent are accepted': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-xm-ok-x');
    t.cleanup('queue', 'bd-xm-ok-q');
    await ch.assertExchange('bd-xm-ok-x', 'headers', nd);
    await ch.assertQueue('bd-xm-ok-q', nd);
    for (const m of ['all', 'any', 'all-with-x', 'any-with-x']) {
      await t.attempt(`bind x-match=${m}`, () => ch.bindQueue('bd-xm-ok-q', 'bd-xm-ok-x', '', { 'x-match': m, h: 1 }));
    }
    await t.attempt('bind without x-match', () => ch.bindQueue('bd-xm-ok-q', 'bd-xm-ok-x', '', { h: 2 }));
    expect(t.log.filter(([l]) => l.startsWith('bind ')).every(([, v]) => JSON.stringify(v) === '{"ok":{}}')).toBe(true);
  },

  '§3 headers x-match validation: an unknown x-match string → 406 Invalid x-match field value': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-xm-bad-x');
    t.cleanup('queue', 'bd-xm-bad-q');
    await ch.assertExchange('bd-xm-bad-x', 'headers', nd);
    await ch.assertQueue('bd-xm-bad-q', nd);
    await t.attempt('bind x-match=foo', () => ch.bindQueue('bd-xm-bad-q', 'bd-xm-bad-x', '', { 'x-match': 'foo' }));
    expect(lastLogged(t, 'bind x-match=foo')).toEqual({
      error: {
        message:
          'Operation failed: QueueBind; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - Invalid x-match field value <<"foo">>; expected all, any, all-with-x, or any-with-x"',
        code: 406,
        classId: 50,
        methodId: 20,
      },
    });
  },

  '§3 headers x-match validation: a non-string x-match → 406 Invalid x-match field type': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-xm-type-x');
    t.cleanup('queue', 'bd-xm-type-q');
    await ch.assertExchange('bd-xm-type-x', 'headers', nd);
    await ch.assertQueue('bd-xm-type-q', nd);
    await t.attempt('bind x-match=1', () => ch.bindQueue('bd-xm-type-q', 'bd-xm-type-x', '', { 'x-match': 1 }));
    expect(errorMessage(t, 'bind x-match=1')).toBe(
      'Operation failed: QueueBind; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - Invalid x-match field type byte (value 1); expected longstr"',
    );
  },

  '§3 headers x-match validation: only headers exchanges validate it (x-match=foo on a direct exchange is accepted)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-xm-direct-x');
    t.cleanup('queue', 'bd-xm-direct-q');
    await ch.assertExchange('bd-xm-direct-x', 'direct', nd);
    await ch.assertQueue('bd-xm-direct-q', nd);
    await t.attempt('bind x-match=foo on direct', () => ch.bindQueue('bd-xm-direct-q', 'bd-xm-direct-x', 'k', { 'x-match': 'foo' }));
    expect(lastLogged(t, 'bind x-match=foo on direct')).toEqual({ ok: {} });
  },

  '§3 headers x-match validation: exchange.bind to a headers source validates x-match too': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'bd-xm-e2e-src');
    t.cleanup('exchange', 'bd-xm-e2e-dst');
    await ch.assertExchange('bd-xm-e2e-src', 'headers', nd);
    await ch.assertExchange('bd-xm-e2e-dst', 'fanout', nd);
    await t.attempt('exchange.bind x-match=nope', () => ch.bindExchange('bd-xm-e2e-dst', 'bd-xm-e2e-src', '', { 'x-match': 'nope' }));
    expect(lastLogged(t, 'exchange.bind x-match=nope')).toMatchObject({ error: { code: 406, classId: 40, methodId: 30 } });
    expect(errorMessage(t, 'exchange.bind x-match=nope')).toContain('Invalid x-match field value <<"nope">>');
  },

  // ---------------------------------------------------------------- exclusive queues
  '§3 exclusive queue of another connection: bind → 405; unbind → ok when the binding is missing, 405 when it exists': async (t) => {
    const { ch: owner } = await open(t, 'owner');
    const other = await t.connect();
    other.on('error', () => {});
    t.cleanup('exchange', 'bd-excl-x');
    const q = 'bd-excl-q';
    t.cleanup('queue', q);
    await owner.assertExchange('bd-excl-x', 'direct', nd);
    await owner.assertQueue(q, { durable: false, exclusive: true });
    await owner.bindQueue(q, 'bd-excl-x', 'bound');
    await probe(t, other, 'bind from other connection', (c) => c.bindQueue(q, 'bd-excl-x', 'k'));
    await probe(t, other, 'unbind missing binding from other connection', (c) => c.unbindQueue(q, 'bd-excl-x', 'k'));
    await probe(t, other, 'unbind existing binding from other connection', (c) => c.unbindQueue(q, 'bd-excl-x', 'bound'));
    await t.attempt('owner can bind', () => owner.bindQueue(q, 'bd-excl-x', 'k'));
    expect(lastLogged(t, 'bind from other connection')).toEqual({
      error: {
        message: `Operation failed: QueueBind; 405 (RESOURCE-LOCKED) with message "RESOURCE_LOCKED - cannot obtain exclusive access to locked queue '${q}' in vhost '/'. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration."`,
        code: 405,
        classId: 50,
        methodId: 20,
      },
    });
    expect(lastLogged(t, 'unbind missing binding from other connection')).toEqual({ ok: {} });
    expect(lastLogged(t, 'unbind existing binding from other connection')).toMatchObject({ error: { code: 405, classId: 50, methodId: 50 } });
  },

  '§14 queue name shortcut: "" on a channel that has declared no queue → 404 no previously declared queue (the spec says 502)': async (t) => {
    const { conn } = await open(t);
    await probe(t, conn, 'purge ""', (c) => c.purgeQueue(''));
    await probe(t, conn, 'bind ""', (c) => c.bindQueue('', 'amq.direct', 'k'));
    await probe(t, conn, 'delete ""', (c) => c.deleteQueue(''));
    expect(lastLogged(t, 'purge ""')).toEqual({
      error: {
        message: 'Operation failed: QueuePurge; 404 (NOT-FOUND) with message "NOT_FOUND - no previously declared queue"',
        code: 404,
        classId: 50,
        methodId: 30,
      },
    });
    expect(errorMessage(t, 'bind ""')).toContain('404 (NOT-FOUND) with message "NOT_FOUND - no previously declared queue"');
    expect(errorMessage(t, 'delete ""')).toContain('404 (NOT-FOUND) with message "NOT_FOUND - no previously declared queue"');
  },

  // ---------------------------------------------------------------- purge
  '§3 queue.purge: removes ready messages and returns their count; unacked deliveries survive and can be requeued': async (t) => {
    const { ch } = await open(t);
    const q = 'bd-purge-q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, nd);
    for (const b of ['m1', 'm2', 'm3']) ch.sendToQueue(q, Buffer.from(b));
    await t.settle();
    const held = await ch.get(q, { noAck: false });
    t.record('held', (held as GetMessage).content.toString());
    await t.attempt('purge', () => ch.purgeQueue(q));
    await t.attempt('purge again', () => ch.purgeQueue(q));
    ch.nack(held as GetMessage, false, true);
    await t.settle();
    const back = await ch.get(q, { noAck: true });
    t.record('after requeue', back && { content: back.content.toString(), redelivered: back.fields.redelivered });
    expect(lastLogged(t, 'purge')).toEqual({ ok: { messageCount: 2 } });
    expect(lastLogged(t, 'purge again')).toEqual({ ok: { messageCount: 0 } });
    expect(lastLogged(t, 'after requeue')).toEqual({ content: 'm1', redelivered: true });
  },

  '§3 queue.purge: purged messages are not dead-lettered': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'bd-purge-dl-q');
    t.cleanup('queue', 'bd-purge-dl-dlq');
    await ch.assertQueue('bd-purge-dl-dlq', nd);
    await ch.assertQueue('bd-purge-dl-q', { durable: false, deadLetterExchange: '', deadLetterRoutingKey: 'bd-purge-dl-dlq' });
    ch.sendToQueue('bd-purge-dl-q', Buffer.from('m'));
    await t.settle();
    await t.attempt('purge', () => ch.purgeQueue('bd-purge-dl-q'));
    await t.settle();
    await t.attempt('dead-letter queue', async () => (await ch.checkQueue('bd-purge-dl-dlq')).messageCount);
    expect(lastLogged(t, 'purge')).toEqual({ ok: { messageCount: 1 } });
    expect(lastLogged(t, 'dead-letter queue')).toEqual({ ok: 0 });
  },

  '§3 queue.purge: a missing queue → 404 (class 50, method 30)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('purge missing', () => ch.purgeQueue('bd-purge-nope'));
    expect(lastLogged(t, 'purge missing')).toEqual({
      error: {
        message: 'Operation failed: QueuePurge; 404 (NOT-FOUND) with message "NOT_FOUND - no queue \'bd-purge-nope\' in vhost \'/\'"',
        code: 404,
        classId: 50,
        methodId: 30,
      },
    });
  },

  // ---------------------------------------------------------------- delete
  '§3 queue.delete: a missing queue succeeds with message_count 0': async (t) => {
    const { ch } = await open(t);
    await t.attempt('delete missing', () => ch.deleteQueue('bd-del-nope'));
    await t.attempt('delete missing if_empty if_unused', () => ch.deleteQueue('bd-del-nope', { ifEmpty: true, ifUnused: true }));
    expect(lastLogged(t, 'delete missing')).toEqual({ ok: { messageCount: 0 } });
    expect(lastLogged(t, 'delete missing if_empty if_unused')).toEqual({ ok: { messageCount: 0 } });
  },

  '§3 queue.delete: delete-ok counts ready messages only (unacked ones are not counted)': async (t) => {
    const { ch } = await open(t);
    const q = 'bd-del-count-q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, nd);
    for (const b of ['a', 'b', 'c']) ch.sendToQueue(q, Buffer.from(b));
    await t.settle();
    await t.attempt('get one unacked', async () => (await ch.get(q, { noAck: false })) !== false);
    await t.attempt('delete', () => ch.deleteQueue(q));
    await t.attempt('gone', () => ch.checkQueue(q));
    expect(lastLogged(t, 'delete')).toEqual({ ok: { messageCount: 2 } });
  },

  '§3 queue.delete: if_empty with ready messages → 406 not empty; a queue holding only unacked messages counts as empty': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'bd-del-ifempty-q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, nd);
    ch.sendToQueue(q, Buffer.from('m'));
    await t.settle();
    await probe(t, conn, 'delete if_empty with a ready message', (c) => c.deleteQueue(q, { ifEmpty: true }));
    await t.attempt('get it unacked', async () => (await ch.get(q, { noAck: false })) !== false);
    await t.attempt('delete if_empty with only an unacked message', () => ch.deleteQueue(q, { ifEmpty: true }));
    expect(lastLogged(t, 'delete if_empty with a ready message')).toEqual({
      error: {
        message: `Operation failed: QueueDelete; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty"`,
        code: 406,
        classId: 50,
        methodId: 40,
      },
    });
    expect(lastLogged(t, 'delete if_empty with only an unacked message')).toEqual({ ok: { messageCount: 0 } });
  },

  '§3 queue.delete: if_unused with a consumer → 406 in use; with both faults "not empty" wins': async (t) => {
    const { conn, ch } = await open(t);
    const q = 'bd-del-ifunused-q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, nd);
    await ch.prefetch(1);
    await ch.consume(q, () => {}, { consumerTag: 'bd-c1' });
    await probe(t, conn, 'delete if_unused, empty', (c) => c.deleteQueue(q, { ifUnused: true }));
    ch.sendToQueue(q, Buffer.from('one'));
    ch.sendToQueue(q, Buffer.from('two'));
    await t.settle();
    await probe(t, conn, 'delete if_unused if_empty, one ready', (c) => c.deleteQueue(q, { ifUnused: true, ifEmpty: true }));
    expect(errorMessage(t, 'delete if_unused, empty')).toBe(
      `Operation failed: QueueDelete; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - queue '${q}' in vhost '/' in use"`,
    );
    expect(errorMessage(t, 'delete if_unused if_empty, one ready')).toContain(`PRECONDITION_FAILED - queue '${q}' in vhost '/' not empty`);
  },

  '§3 queue.delete: consumers of the deleted queue get basic.cancel (amqplib calls the consume callback with null)': async (t) => {
    // The consumer's channel is not watched: its basic.cancel and the other
    // channel's delete-ok race each other on the wire.
    const conn = await t.connect();
    const ch = await conn.createChannel();
    ch.on('error', () => {});
    const q = 'bd-del-cancel-q';
    t.cleanup('queue', q);
    await ch.assertQueue(q, nd);
    const seen: unknown[] = [];
    await ch.consume(q, (m) => seen.push(m === null ? null : m.content.toString()), { consumerTag: 'bd-cancel-tag' });
    await probe(t, conn, 'delete from another channel', (c) => c.deleteQueue(q));
    await t.settle();
    t.record('consumer saw', seen);
    expect(seen).toEqual([null]);
    await t.attempt('consumer channel still usable', () => ch.checkExchange('amq.direct'));
    expect(lastLogged(t, 'consumer channel still usable')).toEqual({ ok: {} });
  },

  '§3 queue.delete: removes its bindings (an auto_delete exchange bound only to it goes too)': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'bd-del-bnd-x');
    t.cleanup('exchange', 'bd-del-bnd-ad');
    t.cleanup('queue', 'bd-del-bnd-q');
    await ch.assertExchange('bd-del-bnd-x', 'direct', nd);
    await ch.assertExchange('bd-del-bnd-ad', 'direct', { durable: false, autoDelete: true });
    await ch.assertQueue('bd-del-bnd-q', nd);
    await ch.bindQueue('bd-del-bnd-q', 'bd-del-bnd-x', 'k');
    await ch.bindQueue('bd-del-bnd-q', 'bd-del-bnd-ad', 'k');
    await t.attempt('delete queue', () => ch.deleteQueue('bd-del-bnd-q'));
    await t.attempt('recreate queue', () => ch.assertQueue('bd-del-bnd-q', nd));
    ch.publish('bd-del-bnd-x', 'k', Buffer.from('old binding?'), { mandatory: true });
    await t.settle();
    await probe(t, conn, 'auto_delete exchange', (c) => c.checkExchange('bd-del-bnd-ad'));
    expect(t.log.filter(([l]) => l === 'ch.return').length).toBe(1);
    expect(errorMessage(t, 'auto_delete exchange')).toContain("NOT_FOUND - no exchange 'bd-del-bnd-ad'");
  },
});
