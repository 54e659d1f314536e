/**
 * §1 of shared/spec/rabbitmq-semantics.md: exchange.declare / exchange.delete,
 * the default exchange, amq.* names, equivalence, auto_delete and internal
 * exchanges, exchange-to-exchange bindings and alternate exchanges.
 */
import { expect } from 'vitest';
import type { GetMessage } from 'amqplib';
import { scenarios, describeMessage } from './harness.ts';
import { drain, errorMessage, lastLogged, open, probe } from './helpers.ts';

/** A connection (errors swallowed unless watched) and one watched channel. */

/** The last value recorded under `label`. */

/** The reply text of the AMQP error recorded under `label` (from t.attempt). */

/** Takes every ready message off `queue` (no-ack) and returns the bodies. */

const nd = { durable: false } as const;

scenarios('§1 exchanges', {
  // ---------------------------------------------------------------- pre-declared
  '§1 pre-declared: amq.direct, amq.topic, amq.fanout, amq.headers, amq.match and amq.rabbitmq.trace exist (passive declare)': async (t) => {
    const { ch } = await open(t);
    for (const name of ['amq.direct', 'amq.topic', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.rabbitmq.trace']) {
      await t.attempt(`check ${name}`, () => ch.checkExchange(name));
    }
    expect(t.log.filter(([l]) => l.startsWith('check ')).every(([, v]) => (v as { ok?: unknown }).ok !== undefined)).toBe(true);
  },

  '§1 pre-declared: each amq.* exchange has its type, durable=true, auto_delete=false (equivalent redeclare succeeds)': async (t) => {
    const { ch } = await open(t);
    const types: Array<[string, string]> = [
      ['amq.direct', 'direct'],
      ['amq.topic', 'topic'],
      ['amq.fanout', 'fanout'],
      ['amq.headers', 'headers'],
      ['amq.match', 'headers'],
    ];
    for (const [name, type] of types) {
      await t.attempt(`assert ${name} ${type}`, () => ch.assertExchange(name, type, { durable: true, autoDelete: false }));
    }
    await t.attempt('assert amq.rabbitmq.trace topic internal', () =>
      ch.assertExchange('amq.rabbitmq.trace', 'topic', { durable: true, internal: true }),
    );
    expect(t.log.filter(([l]) => l.startsWith('assert ')).every(([, v]) => (v as { ok?: unknown }).ok !== undefined)).toBe(true);
  },

  '§1 pre-declared: amq.match is a headers exchange (redeclaring it as topic → 406 inequivalent type)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('assert amq.match topic', () => ch.assertExchange('amq.match', 'topic'));
    expect(errorMessage(t, 'assert amq.match topic')).toBe(
      'Operation failed: ExchangeDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg \'type\' for exchange \'amq.match\' in vhost \'/\': received \'topic\' but current is \'headers\'"',
    );
  },

  '§1 pre-declared: amq.rabbitmq.trace is internal (redeclaring it with internal=false → 406 inequivalent internal)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('assert amq.rabbitmq.trace not internal', () => ch.assertExchange('amq.rabbitmq.trace', 'topic', { internal: false }));
    expect(errorMessage(t, 'assert amq.rabbitmq.trace not internal')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'internal' for exchange 'amq.rabbitmq.trace' in vhost '/': received 'false' but current is 'true'",
    );
  },

  // ---------------------------------------------------------------- types
  '§1 types: declaring an unknown exchange type → 503 COMMAND_INVALID, which closes the connection and all its channels': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const other = await conn.createChannel();
    t.watch('other', other);
    t.cleanup('exchange', 'ex-type-unknown');
    await t.attempt('declare type x-warren-nope', () => other.assertExchange('ex-type-unknown', 'x-warren-nope', nd));
    await t.settle();
    await t.attempt('createChannel afterwards', () => conn.createChannel());
    await t.attempt('use first channel afterwards', () => ch.checkExchange('amq.direct'));
    const c2 = await t.connect();
    c2.on('error', () => {});
    await probe(t, c2, 'exchange was not created', (c) => c.checkExchange('ex-type-unknown'));
    expect(lastLogged(t, 'conn.error')).toEqual({
      message: 'Connection closed: 503 (COMMAND-INVALID) with message "COMMAND_INVALID - unknown exchange type \'x-warren-nope\'"',
      code: 503,
    });
  },

  '§1 types: the type check comes first, so redeclaring an existing exchange with a bogus type → 503 (not 406)': async (t) => {
    const { conn, ch } = await open(t);
    t.watch('conn', conn);
    t.cleanup('exchange', 'ex-type-first');
    await t.attempt('declare direct', () => ch.assertExchange('ex-type-first', 'direct', nd));
    await t.attempt('redeclare bogus type', () => ch.assertExchange('ex-type-first', 'x-warren-bogus', nd));
    await t.settle();
    expect(lastLogged(t, 'conn.error')).toMatchObject({ code: 503 });
    expect((lastLogged(t, 'conn.error') as { message: string }).message).toContain("COMMAND_INVALID - unknown exchange type 'x-warren-bogus'");
  },

  // ---------------------------------------------------------------- default exchange
  '§1 default exchange: a non-passive declare of "" → 403 ACCESS_REFUSED (channel closed, connection stays)': async (t) => {
    const { conn, ch } = await open(t);
    t.watch('conn', conn);
    await t.attempt('declare ""', () => ch.assertExchange('', 'direct'));
    await probe(t, conn, 'connection still usable', (c) => c.checkExchange('amq.direct'));
    expect(lastLogged(t, 'declare ""')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDeclare; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - operation not permitted on the default exchange"',
        code: 403,
        classId: 40,
        methodId: 10,
      },
    });
  },

  '§1 default exchange: a passive declare (checkExchange("")) → 403 too': async (t) => {
    const { ch } = await open(t);
    await t.attempt('check ""', () => ch.checkExchange(''));
    expect(errorMessage(t, 'check ""')).toContain('ACCESS_REFUSED - operation not permitted on the default exchange');
  },

  '§1 default exchange: exchange.delete("") → 403 (class 40, method 20)': async (t) => {
    const { ch } = await open(t);
    await t.attempt('delete ""', () => ch.deleteExchange(''));
    expect(lastLogged(t, 'delete ""')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDelete; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - operation not permitted on the default exchange"',
        code: 403,
        classId: 40,
        methodId: 20,
      },
    });
  },

  '§1 default exchange: queue.bind and queue.unbind with exchange "" → 403': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('queue', 'ex-dflt-bind-q');
    await t.attempt('declare queue', () => ch.assertQueue('ex-dflt-bind-q', nd));
    await probe(t, conn, 'bind to ""', (c) => c.bindQueue('ex-dflt-bind-q', '', 'ex-dflt-bind-q'));
    await probe(t, conn, 'unbind the implicit binding', (c) => c.unbindQueue('ex-dflt-bind-q', '', 'ex-dflt-bind-q'));
    // Confirmed, so the message is in the queue before it is counted (a fixed wait flaked on a busy server).
    const confirmed = await conn.createConfirmChannel();
    confirmed.sendToQueue('ex-dflt-bind-q', Buffer.from('still routed'));
    await confirmed.waitForConfirms();
    await t.attempt('implicit binding still routes', async () => (await ch.checkQueue('ex-dflt-bind-q')).messageCount);
    expect(errorMessage(t, 'bind to ""')).toBe(
      'Operation failed: QueueBind; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - operation not permitted on the default exchange"',
    );
    expect(errorMessage(t, 'unbind the implicit binding')).toBe(
      'Operation failed: QueueUnbind; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - operation not permitted on the default exchange"',
    );
    expect(lastLogged(t, 'implicit binding still routes')).toEqual({ ok: 1 });
  },

  '§1 default exchange: exchange.bind / exchange.unbind with "" as source or destination → 403': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-dflt-e2e');
    await t.attempt('declare x', () => ch.assertExchange('ex-dflt-e2e', 'direct', nd));
    await probe(t, conn, 'bind "" → x', (c) => c.bindExchange('ex-dflt-e2e', '', 'k'));
    await probe(t, conn, 'bind x → ""', (c) => c.bindExchange('', 'ex-dflt-e2e', 'k'));
    await probe(t, conn, 'unbind "" → x', (c) => c.unbindExchange('ex-dflt-e2e', '', 'k'));
    await probe(t, conn, 'unbind x → ""', (c) => c.unbindExchange('', 'ex-dflt-e2e', 'k'));
    for (const label of ['bind "" → x', 'bind x → ""', 'unbind "" → x', 'unbind x → ""']) {
      expect(errorMessage(t, label)).toContain('403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - operation not permitted on the default exchange"');
    }
  },

  '§1 default exchange: publishing to "" routes to the queue named by the routing key; an unknown name is unroutable': async (t) => {
    const { ch } = await open(t);
    t.cleanup('queue', 'ex-dflt-route');
    await t.attempt('declare queue', () => ch.assertQueue('ex-dflt-route', nd));
    ch.publish('', 'ex-dflt-route', Buffer.from('to queue'), { mandatory: true });
    ch.publish('', 'ex-dflt-route-missing', Buffer.from('to nowhere'), { mandatory: true });
    ch.publish('', 'EX-DFLT-ROUTE', Buffer.from('wrong case'), { mandatory: true });
    await t.settle();
    const got = await ch.get('ex-dflt-route', { noAck: true });
    t.record('delivered', describeMessage(got));
    t.record('rest', await drain(ch, 'ex-dflt-route'));
    expect(t.log.filter(([l]) => l === 'ch.return').length).toBe(2);
    expect((got as GetMessage).fields).toMatchObject({ exchange: '', routingKey: 'ex-dflt-route' });
  },

  // ---------------------------------------------------------------- amq.* names
  '§1 amq.* names: declaring a new exchange named amq.* → 403 reserved prefix': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'amq.ex-reserved');
    await t.attempt('declare amq.ex-reserved', () => ch.assertExchange('amq.ex-reserved', 'direct', nd));
    expect(lastLogged(t, 'declare amq.ex-reserved')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDeclare; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - exchange name \'amq.ex-reserved\' contains reserved prefix \'amq.*\'"',
        code: 403,
        classId: 40,
        methodId: 10,
      },
    });
  },

  '§1 amq.* names: an existing amq.* exchange can be redeclared equivalently, but durable=false → 406 inequivalent durable': async (t) => {
    const { conn, ch } = await open(t);
    await t.attempt('assert amq.topic (amqplib default durable=true)', () => ch.assertExchange('amq.topic', 'topic'));
    await probe(t, conn, 'assert amq.topic durable=false', (c) => c.assertExchange('amq.topic', 'topic', { durable: false }));
    expect(lastLogged(t, 'assert amq.topic (amqplib default durable=true)')).toEqual({ ok: { exchange: 'amq.topic' } });
    expect(errorMessage(t, 'assert amq.topic durable=false')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'amq.topic' in vhost '/': received 'false' but current is 'true'",
    );
  },

  '§1 amq.* names: deleting amq.direct, or any missing amq.* name → 403 deletion of system exchange not allowed': async (t) => {
    const { conn } = await open(t);
    await probe(t, conn, 'delete amq.direct', (c) => c.deleteExchange('amq.direct'));
    await probe(t, conn, 'delete amq.ex-never-existed', (c) => c.deleteExchange('amq.ex-never-existed'));
    await probe(t, conn, 'amq.direct still there', (c) => c.checkExchange('amq.direct'));
    expect(lastLogged(t, 'delete amq.direct')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDelete; 403 (ACCESS-REFUSED) with message "ACCESS_REFUSED - deletion of system exchange \'amq.direct\' in vhost \'/\' not allowed"',
        code: 403,
        classId: 40,
        methodId: 20,
      },
    });
    expect(errorMessage(t, 'delete amq.ex-never-existed')).toContain(
      "ACCESS_REFUSED - deletion of system exchange 'amq.ex-never-existed' in vhost '/' not allowed",
    );
  },

  // ---------------------------------------------------------------- equivalence
  '§1 equivalence: redeclaring with another type → 406 inequivalent arg type': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-type');
    await t.attempt('declare direct', () => ch.assertExchange('ex-eq-type', 'direct', nd));
    await t.attempt('redeclare direct', () => ch.assertExchange('ex-eq-type', 'direct', nd));
    await t.attempt('redeclare fanout', () => ch.assertExchange('ex-eq-type', 'fanout', nd));
    expect(lastLogged(t, 'redeclare fanout')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDeclare; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - inequivalent arg \'type\' for exchange \'ex-eq-type\' in vhost \'/\': received \'fanout\' but current is \'direct\'"',
        code: 406,
        classId: 40,
        methodId: 10,
      },
    });
  },

  '§1 equivalence: redeclaring with another durable flag → 406 inequivalent arg durable': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-durable');
    await t.attempt('declare non-durable', () => ch.assertExchange('ex-eq-durable', 'topic', nd));
    await t.attempt('redeclare durable', () => ch.assertExchange('ex-eq-durable', 'topic', { durable: true }));
    expect(errorMessage(t, 'redeclare durable')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'durable' for exchange 'ex-eq-durable' in vhost '/': received 'true' but current is 'false'",
    );
  },

  '§1 equivalence: redeclaring with another auto_delete flag → 406 inequivalent arg auto_delete': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-ad');
    await t.attempt('declare', () => ch.assertExchange('ex-eq-ad', 'fanout', nd));
    await t.attempt('redeclare auto_delete', () => ch.assertExchange('ex-eq-ad', 'fanout', { durable: false, autoDelete: true }));
    expect(errorMessage(t, 'redeclare auto_delete')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'auto_delete' for exchange 'ex-eq-ad' in vhost '/': received 'true' but current is 'false'",
    );
  },

  '§1 equivalence: redeclaring with another internal flag → 406 inequivalent arg internal': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-internal');
    await t.attempt('declare internal', () => ch.assertExchange('ex-eq-internal', 'direct', { durable: false, internal: true }));
    await t.attempt('redeclare not internal', () => ch.assertExchange('ex-eq-internal', 'direct', nd));
    expect(errorMessage(t, 'redeclare not internal')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'internal' for exchange 'ex-eq-internal' in vhost '/': received 'false' but current is 'true'",
    );
  },

  '§1 equivalence: fields are compared in order type, durable, auto_delete, internal (the first mismatch is reported)': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-order');
    await t.attempt('declare', () => ch.assertExchange('ex-eq-order', 'direct', nd));
    const all = { durable: true, autoDelete: true, internal: true };
    await probe(t, conn, 'all four differ', (c) => c.assertExchange('ex-eq-order', 'topic', all));
    await probe(t, conn, 'durable, auto_delete, internal differ', (c) => c.assertExchange('ex-eq-order', 'direct', all));
    await probe(t, conn, 'auto_delete, internal differ', (c) =>
      c.assertExchange('ex-eq-order', 'direct', { durable: false, autoDelete: true, internal: true }),
    );
    expect(errorMessage(t, 'all four differ')).toContain("inequivalent arg 'type'");
    expect(errorMessage(t, 'durable, auto_delete, internal differ')).toContain("inequivalent arg 'durable'");
    expect(errorMessage(t, 'auto_delete, internal differ')).toContain("inequivalent arg 'auto_delete'");
  },

  '§1 equivalence: a different alternate-exchange argument → 406 received/current': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-ae');
    await t.attempt('declare with AE a', () => ch.assertExchange('ex-eq-ae', 'direct', { durable: false, alternateExchange: 'ex-eq-ae-a' }));
    await t.attempt('redeclare with AE a', () => ch.assertExchange('ex-eq-ae', 'direct', { durable: false, alternateExchange: 'ex-eq-ae-a' }));
    await t.attempt('redeclare with AE b', () => ch.assertExchange('ex-eq-ae', 'direct', { durable: false, alternateExchange: 'ex-eq-ae-b' }));
    expect(lastLogged(t, 'redeclare with AE a')).toEqual({ ok: { exchange: 'ex-eq-ae' } });
    expect(errorMessage(t, 'redeclare with AE b')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'ex-eq-ae' in vhost '/': received 'ex-eq-ae-b' but current is 'ex-eq-ae-a'",
    );
  },

  '§1 equivalence: alternate-exchange present on one side only → 406 "received none" / "current is none"': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-ae1');
    t.cleanup('exchange', 'ex-eq-ae2');
    await t.attempt('declare ae1 with AE', () => ch.assertExchange('ex-eq-ae1', 'direct', { durable: false, alternateExchange: 'some-ae' }));
    await t.attempt('declare ae2 without AE', () => ch.assertExchange('ex-eq-ae2', 'direct', nd));
    await probe(t, conn, 'redeclare ae1 without AE', (c) => c.assertExchange('ex-eq-ae1', 'direct', nd));
    await probe(t, conn, 'redeclare ae2 with AE', (c) => c.assertExchange('ex-eq-ae2', 'direct', { durable: false, alternateExchange: 'some-ae' }));
    expect(errorMessage(t, 'redeclare ae1 without AE')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'ex-eq-ae1' in vhost '/': received none but current is the value 'some-ae' of type 'longstr'",
    );
    expect(errorMessage(t, 'redeclare ae2 with AE')).toContain(
      "PRECONDITION_FAILED - inequivalent arg 'alternate-exchange' for exchange 'ex-eq-ae2' in vhost '/': received the value 'some-ae' of type 'longstr' but current is none",
    );
  },

  '§1 equivalence: arguments other than alternate-exchange are ignored on redeclare': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-eq-args');
    await t.attempt('declare with x-foo=1', () => ch.assertExchange('ex-eq-args', 'headers', { durable: false, arguments: { 'x-foo': 1 } }));
    await t.attempt('redeclare with x-foo=other', () =>
      ch.assertExchange('ex-eq-args', 'headers', { durable: false, arguments: { 'x-foo': 'other', bar: true } }),
    );
    await t.attempt('redeclare without arguments', () => ch.assertExchange('ex-eq-args', 'headers', nd));
    expect(lastLogged(t, 'redeclare with x-foo=other')).toEqual({ ok: { exchange: 'ex-eq-args' } });
    expect(lastLogged(t, 'redeclare without arguments')).toEqual({ ok: { exchange: 'ex-eq-args' } });
  },

  '§1 passive declare: a missing exchange → 404; an existing one is found whatever its type': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-passive');
    await t.attempt('declare headers', () => ch.assertExchange('ex-passive', 'headers', { durable: false, autoDelete: true, internal: true }));
    await t.attempt('check existing', () => ch.checkExchange('ex-passive'));
    await probe(t, conn, 'check missing', (c) => c.checkExchange('ex-passive-missing'));
    expect(lastLogged(t, 'check missing')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDeclare; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'ex-passive-missing\' in vhost \'/\'"',
        code: 404,
        classId: 40,
        methodId: 10,
      },
    });
  },

  '§1 alternate-exchange argument: must be a string (else 406 invalid type); the named AE need not exist': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ae-arg-ok');
    t.cleanup('exchange', 'ex-ae-arg-bad');
    await t.attempt('AE naming a missing exchange', () => ch.assertExchange('ex-ae-arg-ok', 'direct', { durable: false, alternateExchange: 'ex-ae-nowhere' }));
    await probe(t, conn, 'AE as a number', (c) => c.assertExchange('ex-ae-arg-bad', 'direct', { durable: false, arguments: { 'alternate-exchange': 5 } }));
    await probe(t, conn, 'bad one was not created', (c) => c.checkExchange('ex-ae-arg-bad'));
    expect(lastLogged(t, 'AE naming a missing exchange')).toEqual({ ok: { exchange: 'ex-ae-arg-ok' } });
    expect(errorMessage(t, 'AE as a number')).toContain(
      "PRECONDITION_FAILED - invalid type 'byte' for arg 'alternate-exchange' in exchange 'ex-ae-arg-bad' in vhost '/'",
    );
  },

  // ---------------------------------------------------------------- auto_delete
  '§1 auto_delete: the exchange goes away when its last source binding is unbound, not before': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-unbind');
    t.cleanup('queue', 'ex-ad-unbind-q1');
    t.cleanup('queue', 'ex-ad-unbind-q2');
    await ch.assertExchange('ex-ad-unbind', 'direct', { durable: false, autoDelete: true });
    await ch.assertQueue('ex-ad-unbind-q1', nd);
    await ch.assertQueue('ex-ad-unbind-q2', nd);
    await t.attempt('bind q1', () => ch.bindQueue('ex-ad-unbind-q1', 'ex-ad-unbind', 'k'));
    await t.attempt('bind q2', () => ch.bindQueue('ex-ad-unbind-q2', 'ex-ad-unbind', 'k'));
    await t.attempt('unbind q1', () => ch.unbindQueue('ex-ad-unbind-q1', 'ex-ad-unbind', 'k'));
    await probe(t, conn, 'exists after first unbind', (c) => c.checkExchange('ex-ad-unbind'));
    await t.attempt('unbind q2', () => ch.unbindQueue('ex-ad-unbind-q2', 'ex-ad-unbind', 'k'));
    await probe(t, conn, 'exists after last unbind', (c) => c.checkExchange('ex-ad-unbind'));
    expect(lastLogged(t, 'exists after first unbind')).toEqual({ ok: {} });
    expect(errorMessage(t, 'exists after last unbind')).toContain("NOT_FOUND - no exchange 'ex-ad-unbind' in vhost '/'");
  },

  '§1 auto_delete: deleting the only bound queue deletes the exchange': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-qdel');
    t.cleanup('queue', 'ex-ad-qdel-q');
    await ch.assertExchange('ex-ad-qdel', 'fanout', { durable: false, autoDelete: true });
    await ch.assertQueue('ex-ad-qdel-q', nd);
    await ch.bindQueue('ex-ad-qdel-q', 'ex-ad-qdel', '');
    await t.attempt('delete queue', () => ch.deleteQueue('ex-ad-qdel-q'));
    await probe(t, conn, 'exchange exists', (c) => c.checkExchange('ex-ad-qdel'));
    expect(errorMessage(t, 'exchange exists')).toContain("NOT_FOUND - no exchange 'ex-ad-qdel' in vhost '/'");
  },

  '§1 auto_delete: an exchange that never had a binding is never auto-deleted': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-never');
    t.cleanup('queue', 'ex-ad-never-q');
    await ch.assertExchange('ex-ad-never', 'direct', { durable: false, autoDelete: true });
    await ch.assertQueue('ex-ad-never-q', nd);
    await t.attempt('unbind a binding that never existed', () => ch.unbindQueue('ex-ad-never-q', 'ex-ad-never', 'k'));
    await ch.deleteQueue('ex-ad-never-q');
    await probe(t, conn, 'exchange exists', (c) => c.checkExchange('ex-ad-never'));
    expect(lastLogged(t, 'exchange exists')).toEqual({ ok: {} });
  },

  '§1 auto_delete: removing a binding in which it is the destination does not delete it': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-dest');
    t.cleanup('exchange', 'ex-ad-dest-src');
    await ch.assertExchange('ex-ad-dest', 'fanout', { durable: false, autoDelete: true });
    await ch.assertExchange('ex-ad-dest-src', 'fanout', nd);
    await t.attempt('bind src → ad', () => ch.bindExchange('ex-ad-dest', 'ex-ad-dest-src', ''));
    await t.attempt('unbind src → ad', () => ch.unbindExchange('ex-ad-dest', 'ex-ad-dest-src', ''));
    await probe(t, conn, 'ad exchange exists after unbind', (c) => c.checkExchange('ex-ad-dest'));
    await t.attempt('bind src → ad again', () => ch.bindExchange('ex-ad-dest', 'ex-ad-dest-src', ''));
    await t.attempt('delete src', () => ch.deleteExchange('ex-ad-dest-src'));
    await probe(t, conn, 'ad exchange exists after source deletion', (c) => c.checkExchange('ex-ad-dest'));
    expect(lastLogged(t, 'ad exchange exists after unbind')).toEqual({ ok: {} });
    expect(lastLogged(t, 'ad exchange exists after source deletion')).toEqual({ ok: {} });
  },

  '§1 auto_delete: deleting a destination exchange removes its bindings and can auto-delete the source': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-casc-src');
    t.cleanup('exchange', 'ex-ad-casc-dst');
    await ch.assertExchange('ex-ad-casc-src', 'topic', { durable: false, autoDelete: true });
    await ch.assertExchange('ex-ad-casc-dst', 'fanout', nd);
    await t.attempt('bind src → dst', () => ch.bindExchange('ex-ad-casc-dst', 'ex-ad-casc-src', '#'));
    await t.attempt('delete dst', () => ch.deleteExchange('ex-ad-casc-dst'));
    await probe(t, conn, 'src exists', (c) => c.checkExchange('ex-ad-casc-src'));
    expect(errorMessage(t, 'src exists')).toContain("NOT_FOUND - no exchange 'ex-ad-casc-src' in vhost '/'");
  },

  '§1 auto_delete: deleting an auto_delete exchange cascades to auto_delete sources bound to it': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-ad-chain-a');
    t.cleanup('exchange', 'ex-ad-chain-b');
    t.cleanup('queue', 'ex-ad-chain-q');
    // a (auto_delete) → b (auto_delete) → q
    await ch.assertExchange('ex-ad-chain-a', 'fanout', { durable: false, autoDelete: true });
    await ch.assertExchange('ex-ad-chain-b', 'fanout', { durable: false, autoDelete: true });
    await ch.assertQueue('ex-ad-chain-q', nd);
    await ch.bindExchange('ex-ad-chain-b', 'ex-ad-chain-a', '');
    await ch.bindQueue('ex-ad-chain-q', 'ex-ad-chain-b', '');
    await t.attempt('delete the queue', () => ch.deleteQueue('ex-ad-chain-q'));
    await probe(t, conn, 'b exists', (c) => c.checkExchange('ex-ad-chain-b'));
    await probe(t, conn, 'a exists', (c) => c.checkExchange('ex-ad-chain-a'));
    expect(errorMessage(t, 'b exists')).toContain("NOT_FOUND - no exchange 'ex-ad-chain-b'");
    expect(errorMessage(t, 'a exists')).toContain("NOT_FOUND - no exchange 'ex-ad-chain-a'");
  },

  // ---------------------------------------------------------------- internal
  '§1 internal: an internal exchange still receives through e2e bindings and as an alternate exchange': async (t) => {
    const { ch } = await open(t);
    for (const x of ['ex-int-front', 'ex-int-inner', 'ex-int-ae-front']) t.cleanup('exchange', x);
    t.cleanup('queue', 'ex-int-q');
    await ch.assertExchange('ex-int-inner', 'fanout', { durable: false, internal: true });
    await ch.assertExchange('ex-int-front', 'direct', nd);
    await ch.assertExchange('ex-int-ae-front', 'direct', { durable: false, alternateExchange: 'ex-int-inner' });
    await ch.assertQueue('ex-int-q', nd);
    await ch.bindQueue('ex-int-q', 'ex-int-inner', '');
    await ch.bindExchange('ex-int-inner', 'ex-int-front', 'k');
    ch.publish('ex-int-front', 'k', Buffer.from('via e2e'));
    ch.publish('ex-int-ae-front', 'unbound', Buffer.from('via AE'));
    await t.settle();
    const got: unknown[] = [];
    for (;;) {
      const m = await ch.get('ex-int-q', { noAck: true });
      if (!m) break;
      got.push(describeMessage(m));
    }
    t.record('delivered', got);
    expect(got.length).toBe(2);
    expect(got[0]).toMatchObject({ content: 'via e2e', fields: { exchange: 'ex-int-front', routingKey: 'k' } });
    expect(got[1]).toMatchObject({ content: 'via AE', fields: { exchange: 'ex-int-ae-front', routingKey: 'unbound' } });
  },

  // ---------------------------------------------------------------- exchange.delete
  '§1 exchange.delete: deleting an exchange that does not exist succeeds': async (t) => {
    const { ch } = await open(t);
    await t.attempt('delete missing', () => ch.deleteExchange('ex-del-never-existed'));
    await t.attempt('delete missing, if_unused', () => ch.deleteExchange('ex-del-never-existed', { ifUnused: true }));
    expect(lastLogged(t, 'delete missing')).toEqual({ ok: {} });
    expect(lastLogged(t, 'delete missing, if_unused')).toEqual({ ok: {} });
  },

  '§1 exchange.delete: if_unused with a source binding → 406 in use (nothing deleted)': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-del-inuse');
    t.cleanup('queue', 'ex-del-inuse-q');
    await ch.assertExchange('ex-del-inuse', 'direct', nd);
    await ch.assertQueue('ex-del-inuse-q', nd);
    await ch.bindQueue('ex-del-inuse-q', 'ex-del-inuse', 'k');
    await probe(t, conn, 'delete if_unused', (c) => c.deleteExchange('ex-del-inuse', { ifUnused: true }));
    ch.publish('ex-del-inuse', 'k', Buffer.from('still bound'));
    await t.settle();
    await t.attempt('binding survived', async () => (await ch.checkQueue('ex-del-inuse-q')).messageCount);
    expect(lastLogged(t, 'delete if_unused')).toEqual({
      error: {
        message:
          'Operation failed: ExchangeDelete; 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - exchange \'ex-del-inuse\' in vhost \'/\' in use"',
        code: 406,
        classId: 40,
        methodId: 20,
      },
    });
    expect(lastLogged(t, 'binding survived')).toEqual({ ok: 1 });
  },

  '§1 exchange.delete: if_unused ignores bindings where the exchange is only the destination': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-del-dst');
    t.cleanup('exchange', 'ex-del-dst-src');
    await ch.assertExchange('ex-del-dst', 'direct', nd);
    await ch.assertExchange('ex-del-dst-src', 'direct', nd);
    await ch.bindExchange('ex-del-dst', 'ex-del-dst-src', 'k');
    await t.attempt('delete destination if_unused', () => ch.deleteExchange('ex-del-dst', { ifUnused: true }));
    await probe(t, conn, 'destination exists', (c) => c.checkExchange('ex-del-dst'));
    await t.attempt('source if_unused (its binding went with the destination)', () => ch.deleteExchange('ex-del-dst-src', { ifUnused: true }));
    expect(lastLogged(t, 'delete destination if_unused')).toEqual({ ok: {} });
    expect(errorMessage(t, 'destination exists')).toContain("NOT_FOUND - no exchange 'ex-del-dst'");
    expect(lastLogged(t, 'source if_unused (its binding went with the destination)')).toEqual({ ok: {} });
  },

  '§1 exchange.delete: removes all its bindings but never the bound queues (not even auto_delete ones)': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-del-bnd');
    t.cleanup('queue', 'ex-del-bnd-q');
    await ch.assertExchange('ex-del-bnd', 'fanout', nd);
    await ch.assertQueue('ex-del-bnd-q', { durable: false, autoDelete: true });
    await ch.bindQueue('ex-del-bnd-q', 'ex-del-bnd', '');
    await t.attempt('delete exchange', () => ch.deleteExchange('ex-del-bnd'));
    await t.attempt('queue still exists', () => ch.checkQueue('ex-del-bnd-q'));
    await t.attempt('recreate exchange', () => ch.assertExchange('ex-del-bnd', 'fanout', nd));
    ch.publish('ex-del-bnd', '', Buffer.from('after recreate'));
    await t.settle();
    await t.attempt('old binding is gone', async () => (await ch.checkQueue('ex-del-bnd-q')).messageCount);
    expect(lastLogged(t, 'queue still exists')).toEqual({ ok: { queue: 'ex-del-bnd-q', messageCount: 0, consumerCount: 0 } });
    expect(lastLogged(t, 'old binding is gone')).toEqual({ ok: 0 });
  },

  // ---------------------------------------------------------------- e2e
  '§1 e2e: a message flows source → destination, keeping the original exchange and routing key': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-e2e-src');
    t.cleanup('exchange', 'ex-e2e-dst');
    t.cleanup('queue', 'ex-e2e-q');
    await ch.assertExchange('ex-e2e-src', 'topic', nd);
    await ch.assertExchange('ex-e2e-dst', 'direct', nd);
    await ch.assertQueue('ex-e2e-q', nd);
    await t.attempt('bind dst ← src on a.*', () => ch.bindExchange('ex-e2e-dst', 'ex-e2e-src', 'a.*'));
    await ch.bindQueue('ex-e2e-q', 'ex-e2e-dst', 'a.b');
    ch.publish('ex-e2e-src', 'a.b', Buffer.from('matches both'));
    ch.publish('ex-e2e-src', 'a.c', Buffer.from('passes src, not dst'));
    ch.publish('ex-e2e-src', 'x.b', Buffer.from('stopped at src'));
    await t.settle();
    const m = await ch.get('ex-e2e-q', { noAck: true });
    t.record('first', describeMessage(m));
    t.record('rest', await drain(ch, 'ex-e2e-q'));
    expect((m as GetMessage).fields).toMatchObject({ exchange: 'ex-e2e-src', routingKey: 'a.b' });
    expect(lastLogged(t, 'rest')).toEqual([]);
  },

  '§1 e2e: unbinding an exchange-to-exchange binding stops the flow': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-e2e-unb-src');
    t.cleanup('exchange', 'ex-e2e-unb-dst');
    t.cleanup('queue', 'ex-e2e-unb-q');
    await ch.assertExchange('ex-e2e-unb-src', 'direct', nd);
    await ch.assertExchange('ex-e2e-unb-dst', 'fanout', nd);
    await ch.assertQueue('ex-e2e-unb-q', nd);
    await ch.bindQueue('ex-e2e-unb-q', 'ex-e2e-unb-dst', '');
    await ch.bindExchange('ex-e2e-unb-dst', 'ex-e2e-unb-src', 'k');
    ch.publish('ex-e2e-unb-src', 'k', Buffer.from('one'));
    await t.attempt('unbind', () => ch.unbindExchange('ex-e2e-unb-dst', 'ex-e2e-unb-src', 'k'));
    await t.attempt('unbind again (idempotent)', () => ch.unbindExchange('ex-e2e-unb-dst', 'ex-e2e-unb-src', 'k'));
    ch.publish('ex-e2e-unb-src', 'k', Buffer.from('two'));
    await t.settle();
    t.record('queue', await drain(ch, 'ex-e2e-unb-q'));
    expect(lastLogged(t, 'queue')).toEqual(['one']);
  },

  '§1 e2e: a missing source or destination → 404; with both missing the source is reported': async (t) => {
    const { conn, ch } = await open(t);
    t.cleanup('exchange', 'ex-e2e-404');
    await ch.assertExchange('ex-e2e-404', 'direct', nd);
    await probe(t, conn, 'missing source', (c) => c.bindExchange('ex-e2e-404', 'ex-e2e-404-nosrc', 'k'));
    await probe(t, conn, 'missing destination', (c) => c.bindExchange('ex-e2e-404-nodst', 'ex-e2e-404', 'k'));
    await probe(t, conn, 'both missing', (c) => c.bindExchange('ex-e2e-404-nodst', 'ex-e2e-404-nosrc', 'k'));
    expect(lastLogged(t, 'missing source')).toEqual({
      error: {
        message: 'Operation failed: ExchangeBind; 404 (NOT-FOUND) with message "NOT_FOUND - no exchange \'ex-e2e-404-nosrc\' in vhost \'/\'"',
        code: 404,
        classId: 40,
        methodId: 30,
      },
    });
    expect(errorMessage(t, 'missing destination')).toContain("NOT_FOUND - no exchange 'ex-e2e-404-nodst' in vhost '/'");
    expect(errorMessage(t, 'both missing')).toContain("NOT_FOUND - no exchange 'ex-e2e-404-nosrc' in vhost '/'");
  },

  '§1 e2e: cycles are allowed and every queue gets one copy however many paths reach it': async (t) => {
    const { ch } = await open(t);
    for (const x of ['ex-cyc-a', 'ex-cyc-b', 'ex-cyc-c']) {
      t.cleanup('exchange', x);
      await ch.assertExchange(x, 'fanout', nd);
    }
    t.cleanup('queue', 'ex-cyc-q');
    await ch.assertQueue('ex-cyc-q', nd);
    // a → b → c → a (cycle), a → c, and the queue bound to all three.
    await t.attempt('bind a→b', () => ch.bindExchange('ex-cyc-b', 'ex-cyc-a', ''));
    await t.attempt('bind b→c', () => ch.bindExchange('ex-cyc-c', 'ex-cyc-b', ''));
    await t.attempt('bind c→a', () => ch.bindExchange('ex-cyc-a', 'ex-cyc-c', ''));
    await t.attempt('bind a→c', () => ch.bindExchange('ex-cyc-c', 'ex-cyc-a', ''));
    for (const x of ['ex-cyc-a', 'ex-cyc-b', 'ex-cyc-c']) await ch.bindQueue('ex-cyc-q', x, '');
    ch.publish('ex-cyc-a', '', Buffer.from('via a'));
    ch.publish('ex-cyc-b', '', Buffer.from('via b'));
    await t.settle();
    t.record('queue', await drain(ch, 'ex-cyc-q'));
    expect(lastLogged(t, 'queue')).toEqual(['via a', 'via b']);
  },

  // ---------------------------------------------------------------- alternate exchange
  '§1 alternate-exchange: used only when the exchange routes nowhere': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-ae-main');
    t.cleanup('exchange', 'ex-ae-alt');
    t.cleanup('queue', 'ex-ae-main-q');
    t.cleanup('queue', 'ex-ae-alt-q');
    await ch.assertExchange('ex-ae-alt', 'fanout', nd);
    await ch.assertExchange('ex-ae-main', 'direct', { durable: false, alternateExchange: 'ex-ae-alt' });
    await ch.assertQueue('ex-ae-main-q', nd);
    await ch.assertQueue('ex-ae-alt-q', nd);
    await ch.bindQueue('ex-ae-main-q', 'ex-ae-main', 'known');
    await ch.bindQueue('ex-ae-alt-q', 'ex-ae-alt', '');
    ch.publish('ex-ae-main', 'known', Buffer.from('routed'));
    ch.publish('ex-ae-main', 'unknown', Buffer.from('unrouted'));
    await t.settle();
    t.record('main queue', await drain(ch, 'ex-ae-main-q'));
    const alt = await ch.get('ex-ae-alt-q', { noAck: true });
    t.record('alt queue', describeMessage(alt));
    t.record('alt rest', await drain(ch, 'ex-ae-alt-q'));
    expect(lastLogged(t, 'main queue')).toEqual(['routed']);
    expect((alt as GetMessage).fields).toMatchObject({ exchange: 'ex-ae-main', routingKey: 'unknown' });
  },

  "§1 alternate-exchange: an e2e route to an exchange that matches nothing counts as routed (X's AE is not used, the destination's AE is)": async (t) => {
    const { ch } = await open(t);
    for (const x of ['ex-aee-x', 'ex-aee-y', 'ex-aee-xae', 'ex-aee-yae']) t.cleanup('exchange', x);
    for (const q of ['ex-aee-xae-q', 'ex-aee-yae-q']) t.cleanup('queue', q);
    await ch.assertExchange('ex-aee-xae', 'fanout', nd);
    await ch.assertExchange('ex-aee-yae', 'fanout', nd);
    await ch.assertExchange('ex-aee-x', 'fanout', { durable: false, alternateExchange: 'ex-aee-xae' });
    await ch.assertExchange('ex-aee-y', 'direct', { durable: false, alternateExchange: 'ex-aee-yae' });
    await ch.assertQueue('ex-aee-xae-q', nd);
    await ch.assertQueue('ex-aee-yae-q', nd);
    await ch.bindQueue('ex-aee-xae-q', 'ex-aee-xae', '');
    await ch.bindQueue('ex-aee-yae-q', 'ex-aee-yae', '');
    await ch.bindExchange('ex-aee-y', 'ex-aee-x', '');
    ch.publish('ex-aee-x', 'nothing-in-y', Buffer.from('m'), { mandatory: true });
    await t.settle();
    t.record("x's AE queue", await drain(ch, 'ex-aee-xae-q'));
    t.record("y's AE queue", await drain(ch, 'ex-aee-yae-q'));
    expect(lastLogged(t, "x's AE queue")).toEqual([]);
    expect(lastLogged(t, "y's AE queue")).toEqual(['m']);
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
  },

  "§1 alternate-exchange: an e2e route to an exchange with no bindings and no AE skips X's AE, so a mandatory message is returned": async (t) => {
    const { ch } = await open(t);
    for (const x of ['ex-aen-x', 'ex-aen-y', 'ex-aen-xae']) t.cleanup('exchange', x);
    t.cleanup('queue', 'ex-aen-xae-q');
    await ch.assertExchange('ex-aen-xae', 'fanout', nd);
    await ch.assertExchange('ex-aen-x', 'direct', { durable: false, alternateExchange: 'ex-aen-xae' });
    await ch.assertExchange('ex-aen-y', 'fanout', nd);
    await ch.assertQueue('ex-aen-xae-q', nd);
    await ch.bindQueue('ex-aen-xae-q', 'ex-aen-xae', '');
    await ch.bindExchange('ex-aen-y', 'ex-aen-x', 'k');
    ch.publish('ex-aen-x', 'k', Buffer.from('into empty y'), { mandatory: true });
    ch.publish('ex-aen-x', 'other', Buffer.from('to the AE'), { mandatory: true });
    await t.settle();
    t.record("x's AE queue", await drain(ch, 'ex-aen-xae-q'));
    expect(lastLogged(t, "x's AE queue")).toEqual(['to the AE']);
    expect(t.log.filter(([l]) => l === 'ch.return').map(([, v]) => (v as { content: string }).content)).toEqual(['into empty y']);
  },

  '§1 alternate-exchange: AEs chain, and a cycle of AEs stops at the first repeat': async (t) => {
    const { ch } = await open(t);
    for (const x of ['ex-aec-1', 'ex-aec-2', 'ex-aec-3', 'ex-aec-loop-a', 'ex-aec-loop-b']) t.cleanup('exchange', x);
    t.cleanup('queue', 'ex-aec-q');
    // 1 → AE 2 → AE 3 (bound to queue on key "k")
    await ch.assertExchange('ex-aec-3', 'direct', nd);
    await ch.assertExchange('ex-aec-2', 'direct', { durable: false, alternateExchange: 'ex-aec-3' });
    await ch.assertExchange('ex-aec-1', 'direct', { durable: false, alternateExchange: 'ex-aec-2' });
    await ch.assertQueue('ex-aec-q', nd);
    await ch.bindQueue('ex-aec-q', 'ex-aec-3', 'k');
    // loop-a ⇄ loop-b as each other's AE, nothing bound
    await ch.assertExchange('ex-aec-loop-a', 'direct', { durable: false, alternateExchange: 'ex-aec-loop-b' });
    await ch.assertExchange('ex-aec-loop-b', 'direct', { durable: false, alternateExchange: 'ex-aec-loop-a' });
    ch.publish('ex-aec-1', 'k', Buffer.from('chained'), { mandatory: true });
    ch.publish('ex-aec-1', 'other', Buffer.from('chain exhausted'), { mandatory: true });
    ch.publish('ex-aec-loop-a', 'k', Buffer.from('looped'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'ex-aec-q'));
    expect(lastLogged(t, 'queue')).toEqual(['chained']);
    expect(t.log.filter(([l]) => l === 'ch.return').map(([, v]) => (v as { content: string }).content)).toEqual(['chain exhausted', 'looped']);
  },

  '§1 alternate-exchange: a message routed via the AE is not returned to a mandatory publisher': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-aem');
    t.cleanup('exchange', 'ex-aem-alt');
    t.cleanup('queue', 'ex-aem-q');
    await ch.assertExchange('ex-aem-alt', 'fanout', nd);
    await ch.assertExchange('ex-aem', 'topic', { durable: false, alternateExchange: 'ex-aem-alt' });
    await ch.assertQueue('ex-aem-q', nd);
    await ch.bindQueue('ex-aem-q', 'ex-aem-alt', '');
    ch.publish('ex-aem', 'no.binding', Buffer.from('m'), { mandatory: true });
    await t.settle();
    t.record('queue', await drain(ch, 'ex-aem-q'));
    expect(lastLogged(t, 'queue')).toEqual(['m']);
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
  },

  '§1 alternate-exchange: an AE that does not exist makes the message unroutable, with no error': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'ex-ae-gone');
    await ch.assertExchange('ex-ae-gone', 'direct', { durable: false, alternateExchange: 'ex-ae-gone-alt' });
    ch.publish('ex-ae-gone', 'k', Buffer.from('lost'), { mandatory: true });
    ch.publish('ex-ae-gone', 'k', Buffer.from('dropped'));
    await t.settle();
    await t.attempt('channel still open', () => ch.checkExchange('ex-ae-gone'));
    const returns = t.log.filter(([l]) => l === 'ch.return');
    expect(returns.length).toBe(1);
    expect(returns[0][1]).toMatchObject({ content: 'lost', fields: { replyCode: 312, replyText: 'NO_ROUTE', exchange: 'ex-ae-gone', routingKey: 'k' } });
  },
});
