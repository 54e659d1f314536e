/**
 * §11 message properties (round trip, what the server validates and in which
 * order) and §12 limits (255-byte names, keys and tags; bodies over frame_max).
 */
import { expect } from 'vitest';
import type { Channel, GetMessage, Options } from 'amqplib';
import { scenarios, describeMessage, type ScenarioContext } from './harness.ts';
import { declare, logged, open } from './helpers.ts';

const body = (s: string) => Buffer.from(s);

/** Resolves when the channel has closed. */
const closed = (ch: Channel) => new Promise<void>((r) => void ch.once('close', () => r()));

/** Waits for one message to be ready, then takes it (noAck) and records it. */
async function take(t: ScenarioContext, ch: Channel, q: string, label: string): Promise<GetMessage> {
  let m: GetMessage | false = false;
  for (let i = 0; i < 40 && !m; i++) {
    m = await ch.get(q, { noAck: true });
    if (!m) await t.settle();
  }
  t.record(label, describeMessage(m));
  if (!m) throw new Error(`${label}: nothing arrived in ${q}`);
  return m;
}

/** Publishes one message that the server must refuse, waits for the channel to close, returns the error seen. */
async function refusedPublish(t: ScenarioContext, label: string, exchange: string, key: string, options: Options.Publish) {
  const conn = await t.connect();
  t.watch('conn', conn);
  const ch = await conn.createChannel();
  t.watch(label, ch);
  const done = closed(ch);
  ch.publish(exchange, key, body('bad'), options);
  await done;
  return logged(t, `${label}.error`);
}

const publishError = (text: string) => ({
  message: `Channel closed by server: 406 (PRECONDITION-FAILED) with message "PRECONDITION_FAILED - ${text}"`,
  code: 406,
  classId: 60,
  methodId: 40,
});

const RICH_HEADERS = {
  str: 'text',
  empty: '',
  utf8: 'héllo wörld €',
  small: 7,
  negative: -300,
  int32: 100000,
  big: 2 ** 40,
  dbl: 1.25,
  flt: { '!': 'float', value: 1.5 },
  ubyte: { '!': 'unsignedbyte', value: 200 },
  ushort: { '!': 'unsignedshort', value: 60000 },
  uint: { '!': 'unsignedint', value: 4000000000 },
  yes: true,
  no: false,
  nothing: null,
  dec: { '!': 'decimal', value: { places: 2, digits: 12345 } },
  stamp: { '!': 'timestamp', value: 1700000000 },
  bytes: Buffer.from('raw bytes'),
  list: [1, 'two', true, null, [3], { four: 4 }],
  nested: { inner: { deeper: 'yes' }, n: 1 },
};

scenarios('§11 message properties', {
  '§11 every settable property is delivered exactly as published': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11a-q');
    const props = {
      contentType: 'application/json',
      contentEncoding: 'gzip',
      headers: { h1: 'v1', h2: 2 },
      deliveryMode: 2,
      priority: 7,
      correlationId: 'corr-1',
      replyTo: 'm11a-replies',
      expiration: '600000',
      messageId: 'msg-1',
      timestamp: 1700000000,
      type: 'order.created',
      userId: 'guest',
      appId: 'warren-tests',
    };
    ch.sendToQueue(q, body('{"a":1}'), props);
    const m = await take(t, ch, q, 'message');
    expect(m.properties).toMatchObject(props);
    expect(m.content.toString()).toBe('{"a":1}');
  },

  '§11 absent properties stay absent: nothing is invented': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11b-q');
    ch.sendToQueue(q, body('plain'));
    const m = await take(t, ch, q, 'message');
    const present = Object.fromEntries(Object.entries(m.properties).filter(([, v]) => v !== undefined));
    expect(present).toEqual({ headers: {} });
  },

  '§11 header values of every table type round-trip': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11c-q');
    ch.sendToQueue(q, body('typed'), { headers: RICH_HEADERS });
    const m = await take(t, ch, q, 'message');
    const h = m.properties.headers as Record<string, unknown>;
    expect(h.stamp).toEqual({ '!': 'timestamp', value: 1700000000 });
    expect(h.dec).toEqual({ '!': 'decimal', value: { places: 2, digits: 12345 } });
    expect({ ...h, bytes: String(h.bytes) }).toEqual({
      ...RICH_HEADERS,
      flt: 1.5,
      ubyte: 200,
      ushort: 60000,
      uint: 4000000000,
      bytes: 'raw bytes',
    });
  },

  '§11 the BCC header is removed before delivery while CC stays': async (t) => {
    const { ch } = await open(t);
    const main = await declare(t, ch, 'm11d-main');
    const cc = await declare(t, ch, 'm11d-cc');
    const bcc = await declare(t, ch, 'm11d-bcc');
    ch.sendToQueue(main, body('hello'), { CC: [cc], BCC: [bcc], headers: { keep: 'me' } });
    const ms = [await take(t, ch, main, 'main'), await take(t, ch, cc, 'cc'), await take(t, ch, bcc, 'bcc')];
    for (const m of ms) {
      expect(m.properties.headers).toEqual({ keep: 'me', CC: [cc] });
      expect([m.fields.exchange, m.fields.routingKey]).toEqual(['', main]);
    }
  },

  '§11 header values keep their types when the server rewrites headers to strip BCC': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11e-q');
    ch.sendToQueue(q, body('typed'), { headers: RICH_HEADERS, BCC: ['m11e-nowhere'] });
    const m = await take(t, ch, q, 'message');
    const h = m.properties.headers as Record<string, unknown>;
    expect(h.stamp).toEqual({ '!': 'timestamp', value: 1700000000 });
    expect({ ...h, bytes: String(h.bytes) }).toEqual({
      ...RICH_HEADERS,
      flt: 1.5,
      ubyte: 200,
      ushort: 60000,
      uint: 4000000000,
      bytes: 'raw bytes',
    });
  },

  '§11 delivery exchange and routing key are those of the publish, not of an exchange-to-exchange hop': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11f-q');
    t.cleanup('exchange', 'm11f-src');
    t.cleanup('exchange', 'm11f-dst');
    await ch.assertExchange('m11f-src', 'direct', { durable: false });
    await ch.assertExchange('m11f-dst', 'fanout', { durable: false });
    await ch.bindExchange('m11f-dst', 'm11f-src', 'k');
    await ch.bindQueue(q, 'm11f-dst', '');
    ch.publish('m11f-src', 'k', body('hop'));
    const m = await take(t, ch, q, 'message');
    expect([m.fields.exchange, m.fields.routingKey]).toEqual(['m11f-src', 'k']);
  },

  '§11 delivery exchange is the one published to when an alternate exchange routes the message': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11g-q');
    t.cleanup('exchange', 'm11g-x');
    t.cleanup('exchange', 'm11g-ae');
    await ch.assertExchange('m11g-ae', 'fanout', { durable: false });
    await ch.assertExchange('m11g-x', 'direct', { durable: false, alternateExchange: 'm11g-ae' });
    await ch.bindQueue(q, 'm11g-ae', '');
    ch.publish('m11g-x', 'unbound-key', body('fallback'));
    const m = await take(t, ch, q, 'message');
    expect([m.fields.exchange, m.fields.routingKey]).toEqual(['m11g-x', 'unbound-key']);
  },

  '§11 an ordinary reply_to value is not rewritten': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11h-q');
    ch.sendToQueue(q, body('req'), { replyTo: 'amq.rabbitmq.reply-to-not-really' });
    ch.sendToQueue(q, body('req2'), { replyTo: 'plain-queue' });
    const a = await take(t, ch, q, 'first');
    const b = await take(t, ch, q, 'second');
    expect([a.properties.replyTo, b.properties.replyTo]).toEqual(['amq.rabbitmq.reply-to-not-really', 'plain-queue']);
  },

  '§11 an empty body round-trips': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11i-q');
    ch.sendToQueue(q, Buffer.alloc(0), { messageId: 'empty' });
    const m = await take(t, ch, q, 'message');
    expect(m.content.length).toBe(0);
  },

  '§11 a binary body round-trips byte for byte': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11j-q');
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    ch.sendToQueue(q, bytes);
    const m = await take(t, ch, q, 'message');
    t.record('bytes', Array.from(m.content));
    expect(Buffer.compare(m.content, bytes)).toBe(0);
  },

  '§11 the priority property passes through and does not reorder a non-priority queue': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11k-q');
    ch.sendToQueue(q, body('low'), { priority: 0 });
    ch.sendToQueue(q, body('high'), { priority: 255 });
    const a = await take(t, ch, q, 'first');
    const b = await take(t, ch, q, 'second');
    expect([a.content.toString(), a.properties.priority, b.content.toString(), b.properties.priority]).toEqual(['low', 0, 'high', 255]);
  },

  '§11 delivery_mode 1 and 2 are accepted and round-trip': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11l-q');
    ch.sendToQueue(q, body('transient'), { deliveryMode: 1 });
    ch.sendToQueue(q, body('persistent'), { persistent: true });
    const a = await take(t, ch, q, 'first');
    const b = await take(t, ch, q, 'second');
    expect([a.properties.deliveryMode, b.properties.deliveryMode]).toEqual([1, 2]);
  },

  '§11 properties are unchanged on redelivery': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11m-q');
    ch.sendToQueue(q, body('again'), { messageId: 'r1', headers: { n: 1 }, timestamp: 42, type: 't' });
    let first: GetMessage | false = false;
    for (let i = 0; i < 40 && !first; i++) {
      first = await ch.get(q);
      if (!first) await t.settle();
    }
    t.record('first', describeMessage(first));
    ch.nack(first as GetMessage);
    const second = await take(t, ch, q, 'second');
    expect(second.fields.redelivered).toBe(true);
    expect(second.properties).toEqual((first as GetMessage).properties);
  },

  '§11 delivery_mode 0 is refused with 406': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11n-nowhere', { deliveryMode: 0 });
    expect(err).toEqual(publishError('invalid message: {delivery_mode_unknown,0}'));
  },

  '§11 delivery_mode 3 is refused with 406': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11o-nowhere', { deliveryMode: 3 });
    expect(err).toEqual(publishError('invalid message: {delivery_mode_unknown,3}'));
  },

  '§11 a non-numeric expiration is refused with no_integer': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11p-nowhere', { expiration: 'abc' });
    expect(err).toEqual(publishError("invalid expiration 'abc': no_integer"));
  },

  '§11 an empty expiration is refused with no_integer': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11q-nowhere', { expiration: '' });
    expect(err).toEqual(publishError("invalid expiration '': no_integer"));
  },

  '§11 an expiration with trailing characters is refused with leftover_string': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11r-nowhere', { expiration: '10abc' });
    expect(err).toEqual(publishError('invalid expiration \'10abc\': {leftover_string,"abc"}'));
  },

  '§11 a fractional expiration is refused with leftover_string': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11s-nowhere', { expiration: '1.5' });
    expect(err).toEqual(publishError('invalid expiration \'1.5\': {leftover_string,".5"}'));
  },

  '§11 a negative expiration is refused with value_negative': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11t-nowhere', { expiration: '-1' });
    expect(err).toEqual(publishError("invalid expiration '-1': {value_negative,-1}"));
  },

  '§11 an expiration over ten years is refused with value_too_large': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11u-nowhere', { expiration: '315360000001' });
    expect(err).toEqual(publishError("invalid expiration '315360000001': {value_too_large,315360000001}"));
  },

  '§11 an expiration of exactly ten years is accepted': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11v-q');
    ch.sendToQueue(q, body('long-lived'), { expiration: '315360000000' });
    const m = await take(t, ch, q, 'message');
    expect(m.properties.expiration).toBe('315360000000');
  },

  '§11 a numeric expiration option is sent as a decimal string': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11w-q');
    ch.sendToQueue(q, body('n'), { expiration: 60000 });
    const m = await take(t, ch, q, 'message');
    expect(m.properties.expiration).toBe('60000');
  },

  '§11 an expiration with a plus sign or leading zeros is accepted and delivered unchanged': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11x-q');
    ch.sendToQueue(q, body('plus'), { expiration: '+600000' });
    ch.sendToQueue(q, body('zeros'), { expiration: '000600000' });
    const a = await take(t, ch, q, 'first');
    const b = await take(t, ch, q, 'second');
    expect([a.properties.expiration, b.properties.expiration]).toEqual(['+600000', '000600000']);
  },

  '§11 a user_id equal to the authenticated user is accepted': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'm11y-q');
    ch.sendToQueue(q, body('me'), { userId: 'guest' });
    const m = await take(t, ch, q, 'message');
    expect(m.properties.userId).toBe('guest');
  },

  '§11 a user_id different from the authenticated user is refused with 406': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11z-nowhere', { userId: 'bob' });
    expect(err).toEqual(publishError("user_id property set to 'bob' but authenticated user was 'guest'"));
  },

  '§11 the user_id check is case-sensitive': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11aa-nowhere', { userId: 'Guest' });
    expect(err).toEqual(publishError("user_id property set to 'Guest' but authenticated user was 'guest'"));
  },

  '§11 user_id is checked before expiration and delivery_mode': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11ab-nowhere', { userId: 'bob', expiration: 'abc', deliveryMode: 5 });
    expect(err).toEqual(publishError("user_id property set to 'bob' but authenticated user was 'guest'"));
  },

  '§11 expiration is checked before delivery_mode': async (t) => {
    const err = await refusedPublish(t, 'ch', '', 'm11ac-nowhere', { expiration: 'abc', deliveryMode: 5 });
    expect(err).toEqual(publishError("invalid expiration 'abc': no_integer"));
  },

  '§11 a missing exchange is reported before an invalid property': async (t) => {
    const err = await refusedPublish(t, 'ch', 'm11ad-missing', 'k', { userId: 'bob', expiration: 'abc' });
    expect(err).toEqual({
      message: `Channel closed by server: 404 (NOT-FOUND) with message "NOT_FOUND - no exchange 'm11ad-missing' in vhost '/'"`,
      code: 404,
      classId: 60,
      methodId: 40,
    });
  },

  '§11 an invalid property is refused even when the message is unroutable': async (t) => {
    const err = await refusedPublish(t, 'ch', 'amq.direct', 'm11ae-unbound', { deliveryMode: 9 });
    expect(err).toEqual(publishError('invalid message: {delivery_mode_unknown,9}'));
  },
});

scenarios('§12 limits', {
  '§12 a 255-byte queue name works for declare, publish and get': async (t) => {
    const { ch } = await open(t);
    const name = 'l12a-'.padEnd(255, 'q');
    const ok = await t.attempt('declare', () => declare(t, ch, name));
    ch.sendToQueue(name, body('long name'));
    const m = await take(t, ch, name, 'message');
    expect(ok).toBe(name);
    expect(m.fields.routingKey).toBe(name);
  },

  '§12 a 256-byte queue name is refused by the client before anything is sent': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const name = 'l12b-'.padEnd(256, 'q');
    await t.attempt('declare', () => ch.assertQueue(name, { durable: false }));
    const other = await conn.createChannel();
    t.watch('other', other);
    const check = await t.attempt('nothing was declared', () => other.checkQueue(name.slice(0, 255)));
    expect(t.log.find(([l]) => l === 'declare')?.[1]).toEqual({
      error: { message: "Field 'queue' is the wrong type; must be a string (up to 255 chars)" },
    });
    expect(check).toBeUndefined();
  },

  '§12 name limits count UTF-8 bytes, not characters': async (t) => {
    const conn = await t.connect();
    t.watch('conn', conn);
    const ch = await conn.createChannel();
    t.watch('ch', ch);
    const fits = '€'.repeat(85);
    const tooLong = '€'.repeat(86);
    const ok = await t.attempt('85 euro signs (255 bytes)', () => declare(t, ch, fits));
    const ch2 = await conn.createChannel();
    t.watch('ch2', ch2);
    await t.attempt('86 euro signs (258 bytes)', () => ch2.assertQueue(tooLong, { durable: false }));
    expect(ok).toBe(fits);
    expect(t.log.find(([l]) => l === '86 euro signs (258 bytes)')?.[1]).toEqual({
      error: { message: "Field 'queue' is the wrong type; must be a string (up to 255 chars)" },
    });
  },

  '§12 a 255-byte routing key routes; a 256-byte one is refused by the client': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'l12d-q');
    const key = 'l12d-'.padEnd(255, 'k');
    await ch.bindQueue(q, 'amq.direct', key);
    ch.publish('amq.direct', key, body('long key'));
    const m = await take(t, ch, q, 'message');
    await t.attempt('publish with 256-byte key', () => ch.publish('amq.direct', `${key}k`, body('too long')));
    const still = await t.attempt('channel still usable', () => ch.checkQueue(q));
    expect(m.fields.routingKey).toBe(key);
    expect(t.log.find(([l]) => l === 'publish with 256-byte key')?.[1]).toEqual({
      error: { message: "Field 'routingKey' is the wrong type; must be a string (up to 255 chars)" },
    });
    expect(still).toEqual({ queue: q, messageCount: 0, consumerCount: 0 });
  },

  '§12 a 255-byte consumer tag works; a 256-byte one is refused by the client': async (t) => {
    const { conn, ch } = await open(t);
    const q = await declare(t, ch, 'l12e-q');
    const tag = 'l12e-'.padEnd(255, 't');
    const ok = await t.attempt('consume', () => ch.consume(q, () => {}, { consumerTag: tag, noAck: true }));
    const ch2 = await conn.createChannel();
    t.watch('ch2', ch2);
    await t.attempt('consume with 256-byte tag', () => ch2.consume(q, () => {}, { consumerTag: `${tag}t` }));
    expect(ok).toEqual({ consumerTag: tag });
    expect(t.log.find(([l]) => l === 'consume with 256-byte tag')?.[1]).toEqual({
      error: { message: "Field 'consumerTag' is the wrong type; must be a string (up to 255 chars)" },
    });
  },

  '§12 a 255-byte exchange name works': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'l12f-q');
    const x = 'l12f-'.padEnd(255, 'x');
    t.cleanup('exchange', x);
    const ok = await t.attempt('declare exchange', () => ch.assertExchange(x, 'fanout', { durable: false }));
    await ch.bindQueue(q, x, '');
    ch.publish(x, 'any', body('via long exchange'));
    const m = await take(t, ch, q, 'message');
    expect(ok).toEqual({ exchange: x });
    expect(m.fields.exchange).toBe(x);
  },

  '§12 a body larger than frame_max round-trips intact': async (t) => {
    const { ch } = await open(t);
    const q = await declare(t, ch, 'l12g-q');
    const big = Buffer.alloc(300_000);
    for (let i = 0; i < big.length; i++) big[i] = (i * 31 + 7) % 251;
    ch.sendToQueue(q, big, { messageId: 'big' });
    let m: GetMessage | false = false;
    for (let i = 0; i < 40 && !m; i++) {
      m = await ch.get(q, { noAck: true });
      if (!m) await t.settle();
    }
    const got = m as GetMessage;
    t.record('fields', got.fields);
    t.record('properties', got.properties);
    t.record('length', got.content.length);
    expect(got.content.length).toBe(300_000);
    expect(Buffer.compare(got.content, big)).toBe(0);
  },
});
