/**
 * Binding identity and order, for every exchange type: each type's index
 * (or, for fanout and headers, the destination's list) finds a binding by
 * (destination, routing key, arguments), and an exchange, a queue and an
 * exchange destination list their bindings in the order they were made.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';

const TYPES = ['direct', 'fanout', 'topic', 'headers'] as const;

function setup(type: string) {
  const broker = new Broker({ seed: 3 });
  const ch = broker.connect().openChannel();
  ch.exchangeDeclare({ exchange: 'x', type });
  ch.exchangeDeclare({ exchange: 'y', type: 'fanout' });
  for (const q of ['q1', 'q2']) ch.queueDeclare({ queue: q });
  const listed = () => [...broker.exchanges.get('x')!.bindings].map((b) => `${b.destination.name} ${b.routingKey} ${JSON.stringify(b.arguments)}`);
  return { broker, ch, listed };
}

describe.each(TYPES)('bindings of a %s exchange', (type) => {
  it('binding the same (destination, key, arguments) twice makes one binding; any part different makes another', () => {
    const { broker, ch, listed } = setup(type);
    ch.queueBind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { k: 1, j: 'v' } });
    ch.queueBind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { j: 'v', k: 1 } });
    expect(listed()).toHaveLength(1);
    ch.queueBind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { k: '1', j: 'v' } });
    ch.queueBind({ queue: 'q2', exchange: 'x', routingKey: 'a.*', arguments: { k: 1, j: 'v' } });
    ch.queueBind({ queue: 'q1', exchange: 'x', routingKey: 'a.#', arguments: { k: 1, j: 'v' } });
    ch.exchangeBind({ destination: 'y', source: 'x', routingKey: 'a.*', arguments: { k: 1, j: 'v' } });
    expect(listed()).toEqual([
      'q1 a.* {"k":1,"j":"v"}',
      'q1 a.* {"k":"1","j":"v"}',
      'q2 a.* {"k":1,"j":"v"}',
      'q1 a.# {"k":1,"j":"v"}',
      'y a.* {"k":1,"j":"v"}',
    ]);
    expect([...broker.queues.get('q1')!.bindings].map((b) => b.routingKey)).toEqual(['a.*', 'a.*', 'a.#']);
    expect([...broker.exchanges.get('y')!.incoming].map((b) => b.source)).toEqual(['x']);
    // Unbinding names exactly one of them.
    ch.queueUnbind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { j: 'v', k: '1' } });
    ch.queueUnbind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { j: 'v', k: 2 } });
    expect(listed()).toEqual(['q1 a.* {"k":1,"j":"v"}', 'q2 a.* {"k":1,"j":"v"}', 'q1 a.# {"k":1,"j":"v"}', 'y a.* {"k":1,"j":"v"}']);
    // Bound again after an unbind, it comes last.
    ch.queueUnbind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { k: 1, j: 'v' } });
    ch.queueBind({ queue: 'q1', exchange: 'x', routingKey: 'a.*', arguments: { k: 1, j: 'v' } });
    expect(listed()).toEqual(['q2 a.* {"k":1,"j":"v"}', 'q1 a.# {"k":1,"j":"v"}', 'y a.* {"k":1,"j":"v"}', 'q1 a.* {"k":1,"j":"v"}']);
    // Deleting the queue takes its bindings away, and only those.
    ch.queueDelete({ queue: 'q1' });
    expect(listed()).toEqual(['q2 a.* {"k":1,"j":"v"}', 'y a.* {"k":1,"j":"v"}']);
    ch.exchangeDelete({ exchange: 'y' });
    expect(listed()).toEqual(['q2 a.* {"k":1,"j":"v"}']);
  });

  it('keeps the bindings that random binds and unbinds leave, in the order a list of them would', () => {
    const key = fc.constantFrom('', 'a', 'b', 'a.b', 'a.*', '#', '*.#', 'a..b', '*', 'a.#.b');
    const op = fc.record({ bind: fc.boolean(), queue: fc.constantFrom('q1', 'q2'), key, arg: fc.constantFrom(undefined, 1, '1') });
    fc.assert(
      fc.property(fc.array(op, { maxLength: 40 }), (ops) => {
        const { ch, listed } = setup(type);
        const model: string[] = [];
        for (const { bind, queue, key, arg } of ops) {
          const args = arg === undefined ? {} : { arg };
          const name = `${queue} ${key} ${JSON.stringify(args)}`;
          const at = model.indexOf(name);
          if (bind) {
            ch.queueBind({ queue, exchange: 'x', routingKey: key, arguments: args });
            if (at < 0) model.push(name);
          } else {
            ch.queueUnbind({ queue, exchange: 'x', routingKey: key, arguments: args });
            if (at >= 0) model.splice(at, 1);
          }
        }
        expect(listed()).toEqual(model);
      }),
      { numRuns: 200, seed: 11 },
    );
  });
});
