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

  it('counts the bytes of ready bodies', () => {
    const q = new ReadyQueue();
    q.push(entry(3));
    q.push(entry(4));
    expect(q.bytes).toBe(7);
    q.shift();
    expect(q.bytes).toBe(4);
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
