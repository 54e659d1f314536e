import { describe, expect, it } from 'vitest';
import { EXCHANGE_TYPES, splitTopicKey, type Binding } from '../../src/core/exchanges/index.ts';

/** Routes `key` through a topic index holding one binding per pattern; returns the matching patterns. */
function matching(patterns: string[], key: string): string[] {
  const index = EXCHANGE_TYPES.get('topic')!.createIndex();
  const bindings = patterns.map(
    (p) => ({ source: 'x', destination: { name: p, routeStamp: 0 }, destinationKind: 'queue', routingKey: p, arguments: {}, identity: p, routeStamp: 0, ref: null }) as unknown as Binding,
  );
  bindings.forEach((b) => index.add(b));
  const hits = new Set<string>();
  index.route(key, undefined, (b) => hits.add(b.routingKey));
  return [...hits].sort();
}

describe('topic routing (RabbitMQ unit_access_control_SUITE topic_matching1)', () => {
  // [pattern, keys it must match, keys it must not match]
  const table: Array<[string, string[], string[]]> = [
    ['a.#.b', ['a.b', 'a.b.b', 'a.x.b', 'a.x.y.b'], ['a.b.c', 'b', 'a']],
    ['#', ['', 'a', 'a.b', 'a.b.c', '.'], []],
    ['#.#', ['', 'a', 'a.b.c'], []],
    ['', [''], ['a', '.']],
    ['*', ['oneword'], ['', 'a.b', '.']],
    ['*.#', ['a', 'a.b', 'a.b.c'], ['']],
    ['#.*.#', ['a', 'a.b.c'], ['']],
    ['#.b', ['a.b', 'a.b.b', 'b'], ['a.b.c']],
    ['#.b.#', ['a.b', 'a.b.c', 'b.c.c', 'b.b.c', 'b'], ['a.c']],
    ['a.#', ['a', 'a.b', 'a.b.c', 'a.a.a.a.a', 'a.'], ['b.a']],
    ['*.*', ['a.b', 'vodka.gin', '.'], ['a.b.c', 'a']],
    ['a.*', ['a.', 'a.b'], ['a', 'a.b.c']],
    ['a.*.b', ['a..b', 'a.x.b'], ['a.b']],
    ['a', ['a'], ['a.', 'A']],
  ];
  for (const [pattern, yes, no] of table) {
    it(`"${pattern}" matches ${JSON.stringify(yes)} and not ${JSON.stringify(no)}`, () => {
      for (const key of yes) expect(matching([pattern], key), `key ${JSON.stringify(key)}`).toEqual([pattern]);
      for (const key of no) expect(matching([pattern], key), `key ${JSON.stringify(key)}`).toEqual([]);
    });
  }

  it('splits keys on dots keeping empty words; the empty key has no words', () => {
    expect(splitTopicKey('')).toEqual([]);
    expect(splitTopicKey('a..b')).toEqual(['a', '', 'b']);
    expect(splitTopicKey('.')).toEqual(['', '']);
  });

  it('reports each matching binding once even when several paths reach it', () => {
    expect(matching(['#.#', '#', 'a.#', '*.#', 'b'], 'a.b')).toEqual(['#', '#.#', '*.#', 'a.#']);
  });

  it('stops matching a binding once it is removed, and prunes the trie', () => {
    const index = EXCHANGE_TYPES.get('topic')!.createIndex();
    const b = { routingKey: 'a.*.c', destination: { name: 'q', routeStamp: 0 } } as unknown as Binding;
    index.add(b);
    const hit = () => {
      let n = 0;
      index.route('a.b.c', undefined, () => n++);
      return n;
    };
    expect(hit()).toBe(1);
    index.remove(b);
    expect(hit()).toBe(0);
  });
});
