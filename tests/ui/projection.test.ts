import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { Projection, queueId } from '../../src/ui/model/projection.ts';
import { layout } from '../../src/ui/model/layout.ts';

function world() {
  const broker = new Broker({ seed: 1 });
  const p = new Projection();
  broker.subscribe((e) => p.apply(e));
  const ch = broker.connect().openChannel();
  return { broker, p, ch, at: (ms: number) => { broker.advance(ms); p.advanceTo(broker.now); } };
}

describe('Projection', () => {
  it('animates a publish hop by hop, and the queue counts it only when it lands', () => {
    const { p, ch, at, broker } = world();
    ch.exchangeDeclare({ exchange: 'news', type: 'topic' });
    ch.queueDeclare({ queue: 'usa' });
    ch.queueDeclare({ queue: 'all' });
    ch.queueBind({ queue: 'usa', exchange: 'news', routingKey: 'usa.#' });
    ch.queueBind({ queue: 'all', exchange: 'news', routingKey: '#' });
    const t = broker.now;
    ch.basicPublish({ exchange: 'news', routingKey: 'usa.news', body: 'hi' });
    // publisher → exchange, then one copy per queue, split at the exchange.
    expect(p.flights.map((f) => [f.from, f.to, f.t0 - t, f.t1 - t])).toEqual([
      ['c:a:1', 'x:news', 0, 600],
      ['x:news', 'q:usa', 600, 1200],
      ['x:news', 'q:all', 600, 1200],
    ]);
    at(1199);
    expect(p.queues.get('usa')!.ready).toEqual([]);
    at(1);
    expect(p.queues.get('usa')!.ready).toEqual([1]);
    expect(p.queues.get('all')!.ready).toEqual([1]);
    expect(p.flights).toEqual([]);
  });

  it('flies messages published at one instant as one stack per hop, showing the newest; later ones apart', () => {
    const { p, ch, at, broker } = world();
    ch.exchangeDeclare({ exchange: 'fan', type: 'fanout' });
    for (const q of ['a', 'b']) {
      ch.queueDeclare({ queue: q });
      ch.queueBind({ queue: q, exchange: 'fan', routingKey: '' });
    }
    const t = broker.now;
    for (let i = 0; i < 1000; i++) ch.basicPublish({ exchange: 'fan', routingKey: '', body: `m${i}` });
    at(100);
    ch.basicPublish({ exchange: 'fan', routingKey: '', body: 'later' });
    expect(p.flights.map((f) => [f.from, f.to, f.t0 - t, f.messageId])).toEqual([
      ['c:a:1', 'x:fan', 0, 1000],
      ['x:fan', 'q:a', 600, 1000],
      ['x:fan', 'q:b', 600, 1000],
      ['c:a:1', 'x:fan', 100, 1001],
      ['x:fan', 'q:a', 700, 1001],
      ['x:fan', 'q:b', 700, 1001],
    ]);
    // Every message of the stack still lands, in order.
    at(2000);
    expect(p.queues.get('a')!.ready).toHaveLength(1001);
    expect(p.queues.get('b')!.ready.slice(0, 3)).toEqual([1, 2, 3]);
  });

  it('sends a closed channel’s unacked messages flying back, marked redelivered', () => {
    const { p, ch, at, broker } = world();
    ch.queueDeclare({ queue: 'work' });
    ch.basicPublish({ exchange: '', routingKey: 'work', body: 'job' });
    at(2000);
    const worker = broker.connect().openChannel();
    worker.basicConsume({ queue: 'work', consumerTag: 'w' });
    at(2000);
    expect([p.queues.get('work')!.ready, p.queues.get('work')!.unacked]).toEqual([[], 1]);
    worker.close();
    const back = p.flights.find((f) => f.style === 'requeue')!;
    expect([back.from, back.to, back.redelivered]).toEqual(['k:b:1:w', queueId('work'), true]);
    // The consumer stays on screen until its message has left it.
    expect(p.consumers.has('k:b:1:w')).toBe(true);
    at(2000);
    expect(p.consumers.has('k:b:1:w')).toBe(false);
    expect(p.queues.get('work')!.ready).toEqual([1]);
    expect(p.redelivered.has(1)).toBe(true);
  });

  it('lays out publishers, exchanges (e2e one column further), queues and consumers left to right', () => {
    const { p, ch } = world();
    ch.exchangeDeclare({ exchange: 'front', type: 'fanout' });
    ch.exchangeDeclare({ exchange: 'back', type: 'direct' });
    ch.exchangeBind({ destination: 'back', source: 'front' });
    ch.queueDeclare({ queue: 'q' });
    ch.queueBind({ queue: 'q', exchange: 'back', routingKey: '' });
    ch.basicPublish({ exchange: 'front', routingKey: '', body: '' });
    ch.basicConsume({ queue: 'q', consumerTag: 'c' });
    const nodes = layout(p, new Map());
    const x = (id: string) => nodes.get(id)!.x;
    expect(x('c:a:1') < x('x:front')).toBe(true);
    expect(x('x:front') < x('x:back')).toBe(true);
    expect(x('x:back') < x('q:q')).toBe(true);
    expect(x('q:q') < x('k:a:1:c')).toBe(true);
    expect(layout(p, new Map([['q:q', { x: 5, y: 7 }]])).get('q:q')).toMatchObject({ x: 5, y: 7 });
  });
});
