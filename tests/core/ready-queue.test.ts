import { describe, expect, it } from 'vitest';
import { QueuedMessage, type Message } from '../../src/core/message.ts';
import { PriorityReady, ReadyQueue } from '../../src/core/ready-queue.ts';

const msg = (id: number): Message => ({ id, exchange: '', routingKey: 'q', routingKeys: ['q'], properties: {}, body: new Uint8Array(id), persistent: false });
const entry = (seq: number, priority = 0) => new QueuedMessage(msg(seq), seq, Infinity, priority);
const ids = (xs: Array<QueuedMessage | undefined>) => xs.map((x) => x?.message.id);

describe('ReadyQueue', () => {
  it('is first in, first out and grows past its initial capacity', () => {
    const q = new ReadyQueue();
    for (let i = 1; i <= 100; i++) q.push(entry(i));
    const out = [];
    while (q.length) out.push(q.shift());
    expect(ids(out)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });

  it('puts requeued messages back in their original places, whatever order they come back in', () => {
    const q = new ReadyQueue();
    const all = [1, 2, 3, 4, 5].map((s) => entry(s));
    all.forEach((e) => q.push(e));
    const taken = [q.shift()!, q.shift()!, q.shift()!]; // 1, 2, 3 delivered
    q.requeue(taken[2]);
    q.requeue(taken[0]);
    expect(ids(q.toArray())).toEqual([1, 3, 4, 5]);
    q.requeue(taken[1]);
    expect(ids([q.shift(), q.shift(), q.shift(), q.shift(), q.shift()])).toEqual([1, 2, 3, 4, 5]);
  });

  it('tells when the head expires as messages with and without an expiry come and go', () => {
    const q = new ReadyQueue();
    const add = (seq: number, expiresAt: number) => q.push(new QueuedMessage(msg(seq), seq, expiresAt, 0));
    add(1, Infinity);
    add(2, 500);
    add(3, Infinity);
    expect(q.headExpiresAt()).toBe(Infinity);
    q.shift();
    expect(q.headExpiresAt()).toBe(500);
    q.shift();
    expect(q.headExpiresAt()).toBe(Infinity);
    add(4, 700);
    q.shift();
    expect(q.headExpiresAt()).toBe(700);
    q.clear();
    add(5, Infinity);
    expect(q.headExpiresAt()).toBe(Infinity);
  });

  it('counts the bytes of ready bodies', () => {
    const q = new ReadyQueue();
    q.push(entry(3));
    q.push(entry(4));
    expect(q.bytes).toBe(7);
    q.shift();
    expect(q.bytes).toBe(4);
  });
});

describe('ReadyQueue, long', () => {
  // Past a growth of the ring or two.
  const n = 1100;

  it('gives back equal messages for fresh ones (kept as parts), and the same objects for the others', () => {
    const q = new ReadyQueue();
    const fresh = Array.from({ length: n }, (_, i) => msg(i + 1));
    const shared = msg(n + 1);
    fresh.forEach((m, i) => q.pushMessage(m, i, i === 7 ? 5000 : Infinity, 0, true));
    q.pushMessage(shared, n, Infinity, 0, false);
    expect(q.length).toBe(n + 1);
    expect(q.bytes).toBe(((n + 1) * (n + 2)) / 2);
    const out = q.toArray();
    expect(out.map((e) => e.message)).toEqual([...fresh, shared]);
    expect(out[n].message).toBe(shared);
    // Fresh parts are never kept as the object given: that is the publisher's scratch.
    expect(out[0].message).not.toBe(fresh[0]);
    expect(out[0].message).toEqual(fresh[0]);
    expect(out[7].expiresAt).toBe(5000);
    // Made again once, then the same object every time it is looked at.
    expect(q.toArray()[n - 1].message).toBe(out[n - 1].message);
    expect(out[n - 1].message).not.toBe(fresh[n - 1]);
  });

  it('reads fresh parts only while pushing: the publisher may fill them again at once', () => {
    const q = new ReadyQueue();
    const scratch = { ...msg(1) };
    for (let i = 1; i <= n; i++) {
      Object.assign(scratch, msg(i));
      q.pushMessage(scratch, i, Infinity, 0, true);
    }
    Object.assign(scratch, msg(0));
    const out: QueuedMessage[] = [];
    while (q.length) out.push(q.shift()!);
    expect(out.map((e) => e.message)).toEqual(Array.from({ length: n }, (_, i) => msg(i + 1)));
  });

  it('keeps order, expiry and the redelivered mark across growth and requeues', () => {
    const q = new ReadyQueue();
    for (let i = 1; i <= n; i++) q.pushMessage(msg(i), i, 1000 + i, 0, true);
    const first = q.shift()!;
    const second = q.shift()!;
    q.requeue(second);
    second.redelivered = true;
    q.requeue(first);
    first.redelivered = true;
    expect(q.headExpiresAt()).toBe(1001);
    const out: QueuedMessage[] = [];
    while (q.length) out.push(q.shift()!);
    expect(out.map((e) => e.message.id)).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(out.map((e) => e.seq)).toEqual(out.map((e) => e.message.id));
    expect(out.slice(0, 3).map((e) => e.redelivered)).toEqual([true, true, false]);
    expect(out[n - 1].expiresAt).toBe(1000 + n);
    expect(out[n - 1].message.routingKeys).toEqual(['q']);
    expect(q.bytes).toBe(0);
  });
});

describe('PriorityReady', () => {
  it('delivers higher priorities first, FIFO within a priority', () => {
    const q = new PriorityReady(5);
    q.push(entry(1, 0));
    q.push(entry(2, 5));
    q.push(entry(3, 2));
    q.push(entry(4, 5));
    expect(ids([q.shift(), q.shift(), q.shift(), q.shift()])).toEqual([2, 4, 3, 1]);
  });

  it('requeues within the message priority level', () => {
    const q = new PriorityReady(3);
    [entry(1, 3), entry(2, 3), entry(3, 1)].forEach((e) => q.push(e));
    const first = q.shift()!;
    q.requeue(first);
    expect(ids(q.toArray())).toEqual([1, 2, 3]);
  });
});
