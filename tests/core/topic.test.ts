import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EXCHANGE_TYPES, splitTopicKey, type Binding } from '../../src/core/exchanges/index.ts';
import { COMPILE_AFTER_MIN, TopicIndex } from '../../src/core/exchanges/topic.ts';

/** Routes `key` through a topic index holding one binding per pattern; returns the matching patterns. */
function matching(patterns: string[], key: string): string[] {
  const index = EXCHANGE_TYPES.get('topic')!.createIndex();
  const bindings = patterns.map(
    (p) => ({ source: 'x', destination: { name: p, routeStamp: 0 }, destinationKind: 'queue', routingKey: p, arguments: {}, routeStamp: 0, ref: null }) as unknown as Binding,
  );
  bindings.forEach((b) => index.add(b));
  const hits = new Set<string>();
  index.route(key, undefined, (b) => hits.add(b.routingKey));
  return [...hits].sort();
}

/** The compiled form matches the same bindings as the trie, in the same order, for every key (bindings named by their place in `bindings`: patterns may repeat). */
function expectSameRoutes(index: TopicIndex, compiled: ReturnType<TopicIndex['compile']>, bindings: Binding[], keys: string[]): void {
  for (const k of keys) {
    const viaTrie: number[] = [];
    const viaCompiled: number[] = [];
    index.route(k, undefined, (b) => viaTrie.push(bindings.indexOf(b)));
    compiled.route(k, (b) => viaCompiled.push(bindings.indexOf(b)));
    expect(viaCompiled, `key ${JSON.stringify(k)}`).toEqual(viaTrie);
  }
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

  it('stops matching a removed binding after the index has compiled itself', () => {
    const index = new TopicIndex();
    const keep = { routingKey: 'a.#', destination: { name: 'q', routeStamp: 0 } } as unknown as Binding;
    const gone = { routingKey: 'a.*.c', destination: { name: 'r', routeStamp: 0 } } as unknown as Binding;
    index.add(keep);
    index.add(gone);
    const hits = () => {
      const seen: Binding[] = [];
      index.route('a.b.c', undefined, (b) => seen.push(b));
      return seen;
    };
    for (let i = 0; i <= COMPILE_AFTER_MIN; i++) expect(hits()).toEqual([gone, keep]);
    index.remove(gone);
    for (let i = 0; i <= COMPILE_AFTER_MIN; i++) expect(hits()).toEqual([keep]);
  });
});

describe('the compiled topic index', () => {
  const word = fc.constantFrom('a', 'b', 'c', '', 'd.e');
  const patternWord = fc.oneof(word, fc.constant('*'), fc.constant('#'));
  const pattern = fc.array(patternWord, { maxLength: 5 }).map((ws) => ws.join('.'));
  const key = fc.array(fc.oneof(word, fc.constant('*'), fc.constant('#'), fc.constant('z')), { maxLength: 6 }).map((ws) => ws.join('.'));

  it('visits the same bindings as the trie, in the same order, for any patterns and keys', () => {
    fc.assert(
      fc.property(fc.array(pattern, { maxLength: 30 }), fc.array(key, { minLength: 1, maxLength: COMPILE_AFTER_MIN - 1 }), fc.nat(), (patterns, keys, cut) => {
        const index = new TopicIndex();
        const bindings = patterns.map((p) => ({ routingKey: p }) as unknown as Binding);
        bindings.forEach((b) => index.add(b));
        // Some removed again, so the compiled form also sees a pruned trie.
        if (bindings.length) for (let i = cut % bindings.length; i < bindings.length; i += 3) index.remove(bindings[i]);
        const compiled = index.compile();
        expectSameRoutes(index, compiled, bindings, keys);
      }),
      { numRuns: 300 },
    );
  });
  it('does so too for nodes with many edges (scanned, bisected and tabulated)', () => {
    // 40 words, so nodes near the root have dozens of literal edges; ids
    // far apart at some nodes, close together at others.
    const many = fc.constantFrom(...Array.from({ length: 40 }, (_, i) => `w${i}`));
    const wide = fc.array(fc.oneof({ weight: 6, arbitrary: many }, fc.constant('*'), fc.constant('#')), { minLength: 1, maxLength: 4 }).map((ws) => ws.join('.'));
    const wideKey = fc.array(fc.oneof({ weight: 8, arbitrary: many }, fc.constant('zz')), { maxLength: 5 }).map((ws) => ws.join('.'));
    fc.assert(
      fc.property(fc.array(wide, { minLength: 50, maxLength: 400 }), fc.array(wideKey, { minLength: 1, maxLength: COMPILE_AFTER_MIN - 1 }), (patterns, keys) => {
        const index = new TopicIndex();
        const bindings = patterns.map((p) => ({ routingKey: p }) as unknown as Binding);
        bindings.forEach((b) => index.add(b));
        const compiled = index.compile();
        expectSameRoutes(index, compiled, bindings, keys);
      }),
      { numRuns: 100, seed: 5 },
    );
  });
});
