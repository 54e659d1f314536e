/**
 * §2 Queue arguments: length limit — x-max-length, x-max-length-bytes and the
 * overflow modes drop-head, reject-publish and reject-publish-dlx.
 */
import { expect } from 'vitest';
import type { Channel, ConfirmChannel } from 'amqplib';
import { describeMessage, scenarios, type ScenarioContext } from './harness.ts';

/** A watched channel on a fresh connection. */
async function open(t: ScenarioContext): Promise<Channel> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  t.watch('ch', ch);
  return ch;
}

/** A watched confirm channel on a fresh connection. */
async function openConfirm(t: ScenarioContext): Promise<ConfirmChannel> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createConfirmChannel();
  t.watch('ch', ch);
  return ch;
}

/** Declares a non-durable queue that is cleaned up afterwards. */
async function declare(t: ScenarioContext, ch: Channel, q: string, options: Record<string, unknown>) {
  t.cleanup('queue', q);
  return t.attempt(`declare ${q}`, () => ch.assertQueue(q, { durable: false, ...options }));
}

/** Publishes to the default exchange on a confirm channel; resolves to 'ack' or 'nack'. */
function confirmSend(ch: ConfirmChannel, q: string, body: string, options: Record<string, unknown> = {}): Promise<string> {
  return new Promise((resolve) => {
    ch.sendToQueue(q, Buffer.from(body), options, (err) => resolve(err ? 'nack' : 'ack'));
  });
}

/** Takes every ready message with basic.get (no ack) and returns their bodies. */
async function drain(ch: Channel, q: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(q, { noAck: true });
    if (!m) return out;
    out.push(m.content.toString());
  }
}

scenarios('§2 length limit', {
  '§2 x-max-length: drop-head keeps the newest messages': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml01.q', { maxLength: 2 });
    for (const b of ['1', '2', '3', '4']) ch.sendToQueue('ml01.q', Buffer.from(b));
    await t.settle();
    await t.attempt('count', () => ch.checkQueue('ml01.q'));
    const left = await t.attempt('drain', () => drain(ch, 'ml01.q'));
    expect(left).toEqual(['3', '4']);
  },

  '§2 x-max-length: the first get after overflow reports the remaining count': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml02.q', { maxLength: 3 });
    for (const b of ['1', '2', '3', '4', '5']) ch.sendToQueue('ml02.q', Buffer.from(b));
    await t.settle();
    const got = await t.attempt('get', async () => describeMessage(await ch.get('ml02.q', { noAck: true })));
    expect(got).toMatchObject({ content: '3', fields: { messageCount: 2 } });
  },

  '§2 x-max-length-bytes: counts body bytes and drops from the head': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml03.q', { arguments: { 'x-max-length-bytes': 10 } });
    for (const b of ['aaaa', 'bbbb', 'cccc']) ch.sendToQueue('ml03.q', Buffer.from(b));
    await t.settle();
    await t.attempt('count', () => ch.checkQueue('ml03.q'));
    const left = await t.attempt('drain', () => drain(ch, 'ml03.q'));
    expect(left).toEqual(['bbbb', 'cccc']);
  },

  '§2 x-max-length-bytes: headers and properties do not count': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml04.q', { arguments: { 'x-max-length-bytes': 4 } });
    const big = 'h'.repeat(200);
    ch.sendToQueue('ml04.q', Buffer.from('ab'), { headers: { big }, messageId: big, type: big });
    ch.sendToQueue('ml04.q', Buffer.from('cd'), { headers: { big } });
    await t.settle();
    const ok = await t.attempt('count', () => ch.checkQueue('ml04.q'));
    expect(ok?.messageCount).toBe(2);
  },

  '§2 x-max-length-bytes: a single message larger than the limit is dropped': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml05.q', { arguments: { 'x-max-length-bytes': 4 } });
    ch.sendToQueue('ml05.q', Buffer.from('ok'));
    ch.sendToQueue('ml05.q', Buffer.from('too long'));
    await t.settle();
    const left = await t.attempt('drain', () => drain(ch, 'ml05.q'));
    expect(left).toEqual([]);
  },

  '§2 x-max-length: unacked messages do not count toward the limit': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml06.q', { maxLength: 1 });
    ch.sendToQueue('ml06.q', Buffer.from('a'));
    await t.settle();
    const a = await ch.get('ml06.q');
    t.record('got', describeMessage(a));
    ch.sendToQueue('ml06.q', Buffer.from('b'));
    await t.settle();
    const ok = await t.attempt('count', () => ch.checkQueue('ml06.q'));
    if (a) ch.ack(a);
    const left = await t.attempt('drain', () => drain(ch, 'ml06.q'));
    expect([ok?.messageCount, left]).toEqual([1, ['b']]);
  },

  '§2 x-max-length: a requeue that overflows the queue drops from the head': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml07.q', { maxLength: 1 });
    ch.sendToQueue('ml07.q', Buffer.from('a'));
    await t.settle();
    const a = await ch.get('ml07.q');
    ch.sendToQueue('ml07.q', Buffer.from('b'));
    await t.settle();
    if (a) ch.nack(a, false, true);
    await t.settle();
    const left = await t.attempt('drain', async () => {
      const out: unknown[] = [];
      for (let m = await ch.get('ml07.q', { noAck: true }); m; m = await ch.get('ml07.q', { noAck: true })) {
        out.push(describeMessage(m));
      }
      return out;
    });
    expect((left as Array<{ content: string }>).map((m) => m.content)).toEqual(['b']);
  },

  '§2 x-max-length: with drop-head, a limit of 0 still delivers to a waiting consumer': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml08.q', { maxLength: 0 });
    const seen: unknown[] = [];
    await ch.consume('ml08.q', (m) => seen.push(describeMessage(m)), { noAck: true });
    ch.sendToQueue('ml08.q', Buffer.from('through'));
    await t.settle();
    t.record('deliveries', seen);
    expect(seen.length).toBe(1);
  },

  '§2 x-max-length: with drop-head, a limit of 0 and no consumer drops everything': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml09.q', { maxLength: 0 });
    ch.sendToQueue('ml09.q', Buffer.from('gone'));
    await t.settle();
    const ok = await t.attempt('count', () => ch.checkQueue('ml09.q'));
    await t.attempt('get', () => ch.get('ml09.q', { noAck: true }));
    expect(ok?.messageCount).toBe(0);
  },

  '§2 x-max-length: drop-head with confirms acks every publish': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml10.q', { maxLength: 1 });
    const results: string[] = [];
    for (const b of ['1', '2', '3']) results.push(await confirmSend(ch, 'ml10.q', b));
    t.record('confirms', results);
    const left = await t.attempt('drain', () => drain(ch, 'ml10.q'));
    expect([results, left]).toEqual([['ack', 'ack', 'ack'], ['3']]);
  },

  '§2 reject-publish: the publish over the limit is nacked and the old messages stay': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml11.q', { maxLength: 2, overflow: 'reject-publish' });
    const results: string[] = [];
    for (const b of ['1', '2', '3']) results.push(await confirmSend(ch, 'ml11.q', b));
    t.record('confirms', results);
    const left = await t.attempt('drain', () => drain(ch, 'ml11.q'));
    expect([results, left]).toEqual([['ack', 'ack', 'nack'], ['1', '2']]);
  },

  '§2 reject-publish: without confirms the extra message is silently dropped': async (t) => {
    const ch = await open(t);
    await declare(t, ch, 'ml12.q', { maxLength: 1, overflow: 'reject-publish' });
    ch.sendToQueue('ml12.q', Buffer.from('kept'));
    ch.sendToQueue('ml12.q', Buffer.from('dropped'));
    await t.settle();
    const left = await t.attempt('drain', () => drain(ch, 'ml12.q'));
    expect(left).toEqual(['kept']);
    expect(t.log.some(([l]) => l.startsWith('ch.'))).toBe(false);
  },

  '§2 reject-publish: a mandatory publish that is rejected is not returned': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml13.q', { maxLength: 0, overflow: 'reject-publish' });
    const result = await new Promise<string>((resolve) => {
      ch.publish('', 'ml13.q', Buffer.from('m'), { mandatory: true }, (err) => resolve(err ? 'nack' : 'ack'));
    });
    t.record('confirm', result);
    await t.settle();
    expect(result).toBe('nack');
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
  },

  '§2 reject-publish: at the limit the message is refused even with an idle consumer': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml14.q', { maxLength: 0, overflow: 'reject-publish' });
    const seen: unknown[] = [];
    await ch.consume('ml14.q', (m) => seen.push(describeMessage(m)), { noAck: true });
    const result = await confirmSend(ch, 'ml14.q', 'refused');
    t.record('confirm', result);
    await t.settle();
    t.record('deliveries', seen);
    expect([result, seen.length]).toEqual(['nack', 0]);
  },

  '§2 reject-publish: below the limit a waiting consumer gets the message': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml15.q', { maxLength: 1, overflow: 'reject-publish' });
    const seen: unknown[] = [];
    await ch.consume('ml15.q', (m) => seen.push(describeMessage(m)), { noAck: true });
    const results: string[] = [];
    for (const b of ['1', '2', '3']) results.push(await confirmSend(ch, 'ml15.q', b));
    t.record('confirms', results);
    await t.settle();
    t.record('deliveries', seen);
    expect(results).toEqual(['ack', 'ack', 'ack']);
    expect(seen.length).toBe(3);
  },

  '§2 reject-publish: unacked deliveries leave room for new publishes': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml16.q', { maxLength: 1, overflow: 'reject-publish' });
    const results: string[] = [];
    results.push(await confirmSend(ch, 'ml16.q', '1'));
    const m = await ch.get('ml16.q');
    t.record('got', describeMessage(m));
    results.push(await confirmSend(ch, 'ml16.q', '2'));
    results.push(await confirmSend(ch, 'ml16.q', '3'));
    t.record('confirms', results);
    expect(results).toEqual(['ack', 'ack', 'nack']);
  },

  '§2 reject-publish: a requeue may push the queue over its limit': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml17.q', { maxLength: 1, overflow: 'reject-publish' });
    const results: string[] = [];
    results.push(await confirmSend(ch, 'ml17.q', '1'));
    const m = await ch.get('ml17.q');
    results.push(await confirmSend(ch, 'ml17.q', '2'));
    if (m) ch.nack(m, false, true);
    await t.settle();
    await t.attempt('count after requeue', () => ch.checkQueue('ml17.q'));
    results.push(await confirmSend(ch, 'ml17.q', '3'));
    t.record('confirms', results);
    const left = await t.attempt('drain', () => drain(ch, 'ml17.q'));
    expect(left).toEqual(['1', '2']);
  },

  '§2 reject-publish: one full queue nacks the publish but other queues keep the message': async (t) => {
    const ch = await openConfirm(t);
    const x = 'ml18.x';
    t.cleanup('exchange', x);
    await ch.assertExchange(x, 'fanout', { durable: false });
    await declare(t, ch, 'ml18.full', { maxLength: 0, overflow: 'reject-publish' });
    await declare(t, ch, 'ml18.open', {});
    await ch.bindQueue('ml18.full', x, '');
    await ch.bindQueue('ml18.open', x, '');
    const result = await new Promise<string>((resolve) => {
      ch.publish(x, '', Buffer.from('m'), {}, (err) => resolve(err ? 'nack' : 'ack'));
    });
    t.record('confirm', result);
    const open = await t.attempt('open queue', () => ch.checkQueue('ml18.open'));
    await t.attempt('full queue', () => ch.checkQueue('ml18.full'));
    expect([result, open?.messageCount]).toEqual(['nack', 1]);
  },

  '§2 reject-publish: x-max-length-bytes rejects the message that would not fit': async (t) => {
    const ch = await openConfirm(t);
    await declare(t, ch, 'ml19.q', { overflow: 'reject-publish', arguments: { 'x-max-length-bytes': 6 } });
    const results: string[] = [];
    for (const b of ['aaa', 'bbbb', 'cc']) results.push(await confirmSend(ch, 'ml19.q', b));
    t.record('confirms', results);
    const left = await t.attempt('drain', () => drain(ch, 'ml19.q'));
    expect(left).toEqual(['aaa', 'cc']);
  },

  '§2 reject-publish-dlx: the refused message is nacked and dead-lettered with reason maxlen': async (t) => {
    const ch = await openConfirm(t);
    const dlx = 'ml20.dlx';
    t.cleanup('exchange', dlx);
    await ch.assertExchange(dlx, 'fanout', { durable: false });
    await declare(t, ch, 'ml20.dead', {});
    await ch.bindQueue('ml20.dead', dlx, '');
    await declare(t, ch, 'ml20.q', { maxLength: 1, overflow: 'reject-publish-dlx', deadLetterExchange: dlx });
    const results: string[] = [];
    for (const b of ['kept', 'refused']) results.push(await confirmSend(ch, 'ml20.q', b));
    t.record('confirms', results);
    await t.settle();
    const dead = await t.attempt('dead-lettered', async () => describeMessage(await ch.get('ml20.dead', { noAck: true })));
    await t.attempt('source', () => drain(ch, 'ml20.q'));
    expect(results).toEqual(['ack', 'nack']);
    expect(dead).toMatchObject({ content: 'refused', properties: { headers: { 'x-first-death-reason': 'maxlen' } } });
  },
});
