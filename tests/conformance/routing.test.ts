/**
 * §4 of shared/spec/rabbitmq-semantics.md: routing by direct, fanout, topic
 * and headers exchanges, CC/BCC sender-selected distribution, and "one copy
 * per queue".
 */
import { expect } from 'vitest';
import type { Channel, GetMessage, Options } from 'amqplib';
import { scenarios, describeMessage, type ScenarioContext } from './harness.ts';
import { drain, lastLogged, open } from './helpers.ts';

const nd = { durable: false } as const;

interface Table {
  /** Exchange name (also the prefix of the queue names). */
  x: string;
  type: string;
  /** queue suffix → bindings (key, optional arguments) of that queue. */
  bindings: Array<[string, string, Record<string, unknown>?]>;
}

/** Declares the exchange, one queue per distinct suffix, and the bindings. */
async function setup(t: ScenarioContext, ch: Channel, table: Table): Promise<string[]> {
  t.cleanup('exchange', table.x);
  await ch.assertExchange(table.x, table.type, nd);
  const queues = [...new Set(table.bindings.map(([q]) => q))];
  for (const q of queues) {
    t.cleanup('queue', `${table.x}-${q}`);
    await ch.assertQueue(`${table.x}-${q}`, nd);
  }
  for (const [q, key, args] of table.bindings) await ch.bindQueue(`${table.x}-${q}`, table.x, key, args);
  return queues;
}

/** Collects what each queue received (message bodies in order). */
async function collect(t: ScenarioContext, ch: Channel, x: string, queues: string[]): Promise<Record<string, string[]>> {
  await t.settle();
  const got: Record<string, string[]> = {};
  for (const q of queues) got[q] = await drain(ch, `${x}-${q}`);
  return got;
}

/** Publishes each routing key (body = the key, quoted), returns which queues got it. */
async function routeKeys(t: ScenarioContext, ch: Channel, table: Table, keys: string[]): Promise<Record<string, string[]>> {
  const queues = await setup(t, ch, table);
  for (const k of keys) ch.publish(table.x, k, Buffer.from(JSON.stringify(k)));
  const got = await collect(t, ch, table.x, queues);
  // key → sorted list of queues that received it
  const byKey: Record<string, string[]> = {};
  for (const k of keys) byKey[JSON.stringify(k)] = [];
  for (const q of queues) for (const body of got[q]) byKey[body].push(q);
  for (const k of Object.keys(byKey)) byKey[k].sort(naturally);
  t.record('routed', byKey);
  return byKey;
}

function naturally(a: string, b: string): number {
  return a.localeCompare(b, 'en', { numeric: true });
}

/** Publishes messages with the given headers to a headers exchange; returns queue → message ids. */
async function routeHeaders(
  t: ScenarioContext,
  ch: Channel,
  table: Table,
  messages: Array<[string, Record<string, unknown> | undefined]>,
): Promise<Record<string, string[]>> {
  const queues = await setup(t, ch, table);
  for (const [id, headers] of messages) {
    const opts: Options.Publish = headers === undefined ? {} : { headers };
    ch.publish(table.x, 'ignored-key', Buffer.from(id), opts);
  }
  const got = await collect(t, ch, table.x, queues);
  t.record('received', got);
  return got;
}

// The official table: deps/rabbit/test/unit_access_control_SUITE.erl topic_matching1.
const officialBindings: Array<[string, string, Record<string, unknown>?]> = [
  ['t1', 'a.b.c'],
  ['t2', 'a.*.c'],
  ['t3', 'a.#.b'],
  ['t4', 'a.b.b.c'],
  ['t5', '#'],
  ['t6', '#.#'],
  ['t7', '#.b'],
  ['t8', '*.*'],
  ['t9', 'a.*'],
  ['t10', '*.b.c'],
  ['t11', 'a.#'],
  ['t12', 'a.#.#'],
  ['t13', 'b.b.c'],
  ['t14', 'a.b.b'],
  ['t15', 'a.b'],
  ['t16', 'b.c'],
  ['t17', ''],
  ['t18', '*.*.*'],
  ['t19', 'vodka.martini'],
  ['t20', 'a.b.c'],
  ['t21', '*.#'],
  ['t22', '#.*.#'],
  ['t23', '*.#.#'],
  ['t24', '#.#.#'],
  ['t25', '*'],
  ['t26', '#.b.#'],
  ['t27', 'args-test', { foo: 'bar' }],
  ['t27', 'args-test', { foo: 'baz' }],
];
const officialKeys = ['a.b.c', 'a.b', 'a.b.b', '', 'b.c.c', 'a.a.a.a.a', 'vodka.gin', 'vodka.martini', 'b.b.c', 'nothing.here.at.all', 'oneword', 'args-test'];
const officialExpected: Record<string, string[]> = {
  'a.b.c': ['t1', 't2', 't5', 't6', 't10', 't11', 't12', 't18', 't20', 't21', 't22', 't23', 't24', 't26'],
  'a.b': ['t3', 't5', 't6', 't7', 't8', 't9', 't11', 't12', 't15', 't21', 't22', 't23', 't24', 't26'],
  'a.b.b': ['t3', 't5', 't6', 't7', 't11', 't12', 't14', 't18', 't21', 't22', 't23', 't24', 't26'],
  '': ['t5', 't6', 't17', 't24'],
  'b.c.c': ['t5', 't6', 't18', 't21', 't22', 't23', 't24', 't26'],
  'a.a.a.a.a': ['t5', 't6', 't11', 't12', 't21', 't22', 't23', 't24'],
  'vodka.gin': ['t5', 't6', 't8', 't21', 't22', 't23', 't24'],
  'vodka.martini': ['t5', 't6', 't8', 't19', 't21', 't22', 't23', 't24'],
  'b.b.c': ['t5', 't6', 't10', 't13', 't18', 't21', 't22', 't23', 't24', 't26'],
  'nothing.here.at.all': ['t5', 't6', 't21', 't22', 't23', 't24'],
  oneword: ['t5', 't6', 't21', 't22', 't23', 't24', 't25'],
  'args-test': ['t5', 't6', 't21', 't22', 't23', 't24', 't25', 't27'],
};
const officialExpectedAfterRemoval: Record<string, string[]> = {
  'a.b.c': ['t2', 't6', 't10', 't12', 't18', 't20', 't22', 't23', 't24', 't26'],
  'a.b': ['t3', 't6', 't7', 't8', 't9', 't12', 't15', 't22', 't23', 't24', 't26'],
  'a.b.b': ['t3', 't6', 't7', 't12', 't14', 't18', 't22', 't23', 't24', 't26'],
  '': ['t6', 't17', 't24'],
  'b.c.c': ['t6', 't18', 't22', 't23', 't24', 't26'],
  'a.a.a.a.a': ['t6', 't12', 't22', 't23', 't24'],
  'vodka.gin': ['t6', 't8', 't22', 't23', 't24'],
  'vodka.martini': ['t6', 't8', 't22', 't23', 't24'],
  'b.b.c': ['t6', 't10', 't13', 't18', 't22', 't23', 't24', 't26'],
  'nothing.here.at.all': ['t6', 't22', 't23', 't24'],
  oneword: ['t6', 't22', 't23', 't24', 't25'],
  'args-test': ['t6', 't22', 't23', 't24', 't25', 't27'],
};
const quoted = (m: Record<string, string[]>) => Object.fromEntries(Object.entries(m).map(([k, v]) => [JSON.stringify(k), v]));

scenarios('§4 routing', {
  // ---------------------------------------------------------------- direct
  '§4 direct: delivers on byte-for-byte equal keys only (case-sensitive, no wildcards)': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-direct',
        type: 'direct',
        bindings: [
          ['lower', 'key'],
          ['upper', 'KEY'],
          ['star', '*'],
          ['hash', '#'],
          ['dotted', 'a.b'],
          ['empty', ''],
        ],
      },
      ['key', 'KEY', 'Key', 'anything', '*', '#', 'a.b', 'a.c', '', 'key '],
    );
    expect(byKey).toEqual({
      '"key"': ['lower'],
      '"KEY"': ['upper'],
      '"Key"': [],
      '"anything"': [],
      '"*"': ['star'],
      '"#"': ['hash'],
      '"a.b"': ['dotted'],
      '"a.c"': [],
      '""': ['empty'],
      '"key "': [],
    });
  },

  '§4 direct: every queue bound with the key gets a copy; binding arguments are ignored': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-direct-args',
        type: 'direct',
        bindings: [
          ['plain', 'k'],
          ['with-args', 'k', { 'x-match': 'any', colour: 'red' }],
          ['other', 'k2', { anything: 1 }],
        ],
      },
      ['k', 'k2'],
    );
    expect(byKey).toEqual({ '"k"': ['plain', 'with-args'], '"k2"': ['other'] });
  },

  // ---------------------------------------------------------------- fanout
  '§4 fanout: every bound queue gets a copy; routing key and binding key are ignored': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-fanout',
        type: 'fanout',
        bindings: [
          ['a', 'a'],
          ['b', 'b.#'],
          ['c', ''],
          ['d', 'x', { 'x-match': 'all', h: 1 }],
        ],
      },
      ['', 'a', 'zzz'],
    );
    expect(byKey).toEqual({ '""': ['a', 'b', 'c', 'd'], '"a"': ['a', 'b', 'c', 'd'], '"zzz"': ['a', 'b', 'c', 'd'] });
  },

  // ---------------------------------------------------------------- topic: official table
  '§4 topic: the official topic_matching1 table (27 bindings × 12 keys)': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(t, ch, { x: 'rt-topic-official', type: 'topic', bindings: officialBindings }, officialKeys);
    expect(byKey).toEqual(quoted(officialExpected));
  },

  '§4 topic: the official topic_matching1 table after removing six bindings': async (t) => {
    const { ch } = await open(t);
    const x = 'rt-topic-removed';
    const queues = await setup(t, ch, { x, type: 'topic', bindings: officialBindings });
    // Bindings 1, 5, 11, 19, 21 and 28 of the table.
    for (const i of [1, 5, 11, 19, 21, 28]) {
      const [q, key, args] = officialBindings[i - 1];
      await t.attempt(`unbind #${i} ${q} "${key}"`, () => ch.unbindQueue(`${x}-${q}`, x, key, args));
    }
    for (const k of officialKeys) ch.publish(x, k, Buffer.from(JSON.stringify(k)));
    const got = await collect(t, ch, x, queues);
    const byKey: Record<string, string[]> = {};
    for (const k of officialKeys) byKey[JSON.stringify(k)] = [];
    for (const q of queues) for (const body of got[q]) byKey[body].push(q);
    for (const k of Object.keys(byKey)) byKey[k].sort(naturally);
    t.record('routed', byKey);
    expect(byKey).toEqual(quoted(officialExpectedAfterRemoval));
  },

  // ---------------------------------------------------------------- topic: single rules
  '§4 topic: "a.#.b" matches a.b and a.b.b, not a.b.c': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(t, ch, { x: 'rt-topic-ahb', type: 'topic', bindings: [['q', 'a.#.b']] }, ['a.b', 'a.b.b', 'a.x.y.b', 'a.b.c', 'b', 'a']);
    expect(byKey).toEqual({ '"a.b"': ['q'], '"a.b.b"': ['q'], '"a.x.y.b"': ['q'], '"a.b.c"': [], '"b"': [], '"a"': [] });
  },

  '§4 topic: "#" and "#.#" match every key, including the empty key': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-hash',
        type: 'topic',
        bindings: [
          ['hash', '#'],
          ['hashhash', '#.#'],
        ],
      },
      ['', 'a', 'a.b.c', '.', '..'],
    );
    for (const k of Object.keys(byKey)) expect(byKey[k]).toEqual(['hash', 'hashhash']);
  },

  '§4 topic: the binding key "" matches only the empty routing key': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(t, ch, { x: 'rt-topic-empty', type: 'topic', bindings: [['q', '']] }, ['', 'a', '.']);
    expect(byKey).toEqual({ '""': ['q'], '"a"': [], '"."': [] });
  },

  '§4 topic: "*" matches exactly one word: oneword, not "" and not a.b': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(t, ch, { x: 'rt-topic-star', type: 'topic', bindings: [['q', '*']] }, ['oneword', '', 'a.b']);
    expect(byKey).toEqual({ '"oneword"': ['q'], '""': [], '"a.b"': [] });
  },

  '§4 topic: "*.#" and "#.*.#" need at least one word (never match "")': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-oneplus',
        type: 'topic',
        bindings: [
          ['starhash', '*.#'],
          ['hashstarhash', '#.*.#'],
        ],
      },
      ['', 'a', 'a.b', 'a.b.c.d'],
    );
    expect(byKey).toEqual({
      '""': [],
      '"a"': ['hashstarhash', 'starhash'],
      '"a.b"': ['hashstarhash', 'starhash'],
      '"a.b.c.d"': ['hashstarhash', 'starhash'],
    });
  },

  '§4 topic: "#.b" matches a.b and a.b.b; "#.b.#" matches a.b, a.b.c, b.c.c and b.b.c': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-hashb',
        type: 'topic',
        bindings: [
          ['hb', '#.b'],
          ['hbh', '#.b.#'],
        ],
      },
      ['b', 'a.b', 'a.b.b', 'a.b.c', 'b.c.c', 'b.b.c', 'a.c', 'ab'],
    );
    expect(byKey).toEqual({
      '"b"': ['hb', 'hbh'],
      '"a.b"': ['hb', 'hbh'],
      '"a.b.b"': ['hb', 'hbh'],
      '"a.b.c"': ['hbh'],
      '"b.c.c"': ['hbh'],
      '"b.b.c"': ['hbh'],
      '"a.c"': [],
      '"ab"': [],
    });
  },

  '§4 topic: "a.#" matches a, a.b, a.b.c and a.a.a.a.a; "*.*" matches a.b and vodka.gin, not a.b.c': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-ah',
        type: 'topic',
        bindings: [
          ['ahash', 'a.#'],
          ['starstar', '*.*'],
        ],
      },
      ['a', 'a.b', 'a.b.c', 'a.a.a.a.a', 'vodka.gin', 'b.a'],
    );
    expect(byKey).toEqual({
      '"a"': ['ahash'],
      '"a.b"': ['ahash', 'starstar'],
      '"a.b.c"': ['ahash'],
      '"a.a.a.a.a"': ['ahash'],
      '"vodka.gin"': ['starstar'],
      '"b.a"': ['starstar'],
    });
  },

  '§4 topic: wildcards are whole words only ("a*", "#b" and "a#" are literal words); matching is case-sensitive': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-literal',
        type: 'topic',
        bindings: [
          ['astar', 'a*'],
          ['hashb', '#b'],
          ['ahash', 'a#.c'],
          ['lower', 'a.b'],
        ],
      },
      ['a*', 'ab', 'a', '#b', 'b', 'x.b', 'a#.c', 'a.c', 'A.B', 'a.b'],
    );
    expect(byKey).toEqual({
      '"a*"': ['astar'],
      '"ab"': [],
      '"a"': [],
      '"#b"': ['hashb'],
      '"b"': [],
      '"x.b"': [],
      '"a#.c"': ['ahash'],
      '"a.c"': [],
      '"A.B"': [],
      '"a.b"': ['lower'],
    });
  },

  '§4 topic: empty words count as words ("*.*"~".", "a.*"~"a.", "a.#"~"a.", "a.*.b"~"a..b"; "*"≁"." and "a"≁"a.")': async (t) => {
    const { ch } = await open(t);
    const byKey = await routeKeys(
      t,
      ch,
      {
        x: 'rt-topic-emptyword',
        type: 'topic',
        bindings: [
          ['starstar', '*.*'],
          ['astar', 'a.*'],
          ['ahash', 'a.#'],
          ['astarb', 'a.*.b'],
          ['star', '*'],
          ['a', 'a'],
          ['dot', '.'],
        ],
      },
      ['.', 'a.', 'a..b', '..', 'a', '.a'],
    );
    expect(byKey).toEqual({
      '"."': ['dot', 'starstar'],
      '"a."': ['ahash', 'astar', 'starstar'],
      '"a..b"': ['ahash', 'astarb'],
      '".."': [],
      '"a"': ['a', 'ahash', 'star'],
      '".a"': ['starstar'],
    });
  },

  '§4 topic: routing keys over 255 bytes are refused by the client before sending': async (t) => {
    const { ch } = await open(t);
    t.cleanup('exchange', 'rt-topic-long');
    await ch.assertExchange('rt-topic-long', 'topic', nd);
    await t.attempt('publish with a 255-byte key', () => ch.publish('rt-topic-long', 'k'.repeat(255), Buffer.from('ok')));
    await t.attempt('publish with a 256-byte key', () => ch.publish('rt-topic-long', 'k'.repeat(256), Buffer.from('too long')));
    await t.attempt('channel still open', () => ch.checkExchange('rt-topic-long'));
    expect(lastLogged(t, 'publish with a 256-byte key')).toEqual({
      error: { message: "Field 'routingKey' is the wrong type; must be a string (up to 255 chars)" },
    });
  },

  // ---------------------------------------------------------------- headers
  '§4 headers all: every non-x- binding key must be present with an equal value; the routing key is ignored': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(t, ch, { x: 'rt-hdr-all', type: 'headers', bindings: [['q', 'some-key', { 'x-match': 'all', a: 'A', b: 2 }]] }, [
      ['both', { a: 'A', b: 2 }],
      ['both plus extra', { a: 'A', b: 2, c: 'C' }],
      ['only a', { a: 'A' }],
      ['b differs', { a: 'A', b: 3 }],
      ['key case differs', { A: 'A', b: 2 }],
      ['no headers', undefined],
    ]);
    expect(got).toEqual({ q: ['both', 'both plus extra'] });
  },

  '§4 headers any: one matching non-x- binding key is enough': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(t, ch, { x: 'rt-hdr-any', type: 'headers', bindings: [['q', '', { 'x-match': 'any', a: 'A', b: 2 }]] }, [
      ['both', { a: 'A', b: 2 }],
      ['only a', { a: 'A' }],
      ['only b', { b: 2 }],
      ['a wrong, b right', { a: 'nope', b: 2 }],
      ['neither', { a: 'nope', c: 'C' }],
      ['no headers', undefined],
    ]);
    expect(got).toEqual({ q: ['both', 'only a', 'only b', 'a wrong, b right'] });
  },

  '§4 headers: without x-match the binding behaves as all': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(t, ch, { x: 'rt-hdr-default', type: 'headers', bindings: [['q', '', { a: 'A', b: 'B' }]] }, [
      ['both', { a: 'A', b: 'B' }],
      ['only a', { a: 'A' }],
    ]);
    expect(got).toEqual({ q: ['both'] });
  },

  '§4 headers: a binding with only x-match=all (or no arguments) matches everything; only x-match=any matches nothing': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-hdr-emptyargs',
        type: 'headers',
        bindings: [
          ['all', '', { 'x-match': 'all' }],
          ['none', ''],
          ['any', '', { 'x-match': 'any' }],
        ],
      },
      [
        ['with headers', { a: 1 }],
        ['no headers', undefined],
      ],
    );
    expect(got).toEqual({ all: ['with headers', 'no headers'], none: ['with headers', 'no headers'], any: [] });
  },

  '§4 headers all/any: binding keys starting with x- are ignored, and x- message headers never match': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-hdr-xkeys',
        type: 'headers',
        bindings: [
          ['all-x-only', '', { 'x-match': 'all', 'x-tag': 't' }],
          ['any-x-only', '', { 'x-match': 'any', 'x-tag': 't' }],
          ['all-mixed', '', { 'x-match': 'all', 'x-tag': 't', a: 'A' }],
        ],
      },
      [
        ['x-tag matches', { 'x-tag': 't' }],
        ['x-tag differs, a matches', { 'x-tag': 'other', a: 'A' }],
        ['nothing', { b: 'B' }],
      ],
    );
    expect(got).toEqual({
      'all-x-only': ['x-tag matches', 'x-tag differs, a matches', 'nothing'],
      'any-x-only': [],
      'all-mixed': ['x-tag differs, a matches'],
    });
  },

  '§4 headers all-with-x / any-with-x: binding keys starting with x- take part (x-match itself never does)': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-hdr-withx',
        type: 'headers',
        bindings: [
          ['allx', '', { 'x-match': 'all-with-x', 'x-tag': 't', a: 'A' }],
          ['anyx', '', { 'x-match': 'any-with-x', 'x-tag': 't', a: 'A' }],
          ['allx-only-match', '', { 'x-match': 'all-with-x' }],
        ],
      },
      [
        ['both', { 'x-tag': 't', a: 'A' }],
        ['only x-tag', { 'x-tag': 't' }],
        ['only a', { a: 'A' }],
        ['x-tag differs', { 'x-tag': 'u', a: 'A' }],
        ['neither', { b: 1 }],
      ],
    );
    expect(got).toEqual({
      allx: ['both'],
      anyx: ['both', 'only x-tag', 'only a', 'x-tag differs'],
      'allx-only-match': ['both', 'only x-tag', 'only a', 'x-tag differs', 'neither'],
    });
  },

  '§4 headers: a void (null) binding value means "key present with any value"': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-hdr-void',
        type: 'headers',
        bindings: [
          ['all', '', { 'x-match': 'all', a: null, b: 'B' }],
          ['any', '', { 'x-match': 'any', a: null }],
        ],
      },
      [
        ['a string, b', { a: 'anything', b: 'B' }],
        ['a number, b', { a: 42, b: 'B' }],
        ['a void, b', { a: null, b: 'B' }],
        ['a only', { a: 'x' }],
        ['b only', { b: 'B' }],
      ],
    );
    expect(got).toEqual({
      all: ['a string, b', 'a number, b', 'a void, b'],
      any: ['a string, b', 'a number, b', 'a void, b', 'a only'],
    });
  },

  '§4 headers: values compare numerically across integer and float types (1 byte = 1 long = 1.0 double), but not across strings or booleans': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(t, ch, { x: 'rt-hdr-values', type: 'headers', bindings: [['one', '', { 'x-match': 'all', v: 1 }]] }, [
      ['byte 1', { v: 1 }],
      ['short 1', { v: { '!': 'short', value: 1 } }],
      ['long 1', { v: { '!': 'long', value: 1 } }],
      ['double 1.0', { v: { '!': 'double', value: 1 } }],
      ['string "1"', { v: '1' }],
      ['bool true', { v: true }],
      ['byte 2', { v: 2 }],
      ['double 1.5', { v: 1.5 }],
    ]);
    expect(got).toEqual({ one: ['byte 1', 'short 1', 'long 1', 'double 1.0'] });
  },

  '§4 headers: string and boolean binding values need the same value in the message': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-hdr-strbool',
        type: 'headers',
        bindings: [
          ['str', '', { s: 'Red' }],
          ['bool', '', { f: true }],
        ],
      },
      [
        ['Red', { s: 'Red' }],
        ['red', { s: 'red' }],
        ['true', { f: true }],
        ['false', { f: false }],
        ['1', { f: 1 }],
      ],
    );
    expect(got).toEqual({ str: ['Red'], bool: ['true'] });
  },

  // ---------------------------------------------------------------- CC / BCC
  '§4 CC: each CC key is routed too; CC stays in the headers and the delivery shows the publish key': async (t) => {
    const { ch } = await open(t);
    const x = 'rt-cc';
    await setup(t, ch, {
      x,
      type: 'direct',
      bindings: [
        ['main', 'main'],
        ['c1', 'c1'],
        ['c2', 'c2'],
      ],
    });
    ch.publish(x, 'main', Buffer.from('m'), { CC: ['c1', 'c2', 'nobody'] });
    await t.settle();
    for (const q of ['main', 'c1', 'c2']) {
      const m = await ch.get(`${x}-${q}`, { noAck: true });
      t.record(q, describeMessage(m));
      expect((m as GetMessage).fields.routingKey).toBe('main');
      expect((m as GetMessage).properties.headers).toEqual({ CC: ['c1', 'c2', 'nobody'] });
    }
  },

  '§4 BCC: BCC keys are routed and the BCC header is removed before delivery': async (t) => {
    const { ch } = await open(t);
    const x = 'rt-bcc';
    await setup(t, ch, {
      x,
      type: 'topic',
      bindings: [
        ['main', 'main'],
        ['hidden', 'hidden.*'],
        ['cc', 'cc'],
      ],
    });
    ch.publish(x, 'main', Buffer.from('m'), { CC: ['cc'], BCC: ['hidden.one'], headers: { keep: 'me' } });
    await t.settle();
    for (const q of ['main', 'hidden', 'cc']) {
      const m = await ch.get(`${x}-${q}`, { noAck: true });
      t.record(q, describeMessage(m));
      expect((m as GetMessage).properties.headers).toEqual({ CC: ['cc'], keep: 'me' });
    }
  },

  '§4 CC/BCC: the queue sets of all keys are unioned, one copy per queue': async (t) => {
    const { ch } = await open(t);
    const x = 'rt-ccunion';
    const queues = await setup(t, ch, {
      x,
      type: 'direct',
      bindings: [
        ['q1', 'k1'],
        ['q1', 'k2'],
        ['q2', 'k2'],
        ['q3', 'k3'],
      ],
    });
    ch.publish(x, 'k1', Buffer.from('m'), { CC: ['k2', 'k1'], BCC: ['k2', 'k3'] });
    const got = await collect(t, ch, x, queues);
    t.record('received', got);
    expect(got).toEqual({ q1: ['m'], q2: ['m'], q3: ['m'] });
  },

  '§4 CC: works on the default exchange (each CC key names a queue)': async (t) => {
    const { ch } = await open(t);
    for (const q of ['rt-cc-dflt-a', 'rt-cc-dflt-b']) {
      t.cleanup('queue', q);
      await ch.assertQueue(q, nd);
    }
    ch.sendToQueue('rt-cc-dflt-a', Buffer.from('m'), { CC: 'rt-cc-dflt-b', mandatory: true });
    ch.sendToQueue('rt-cc-dflt-missing', Buffer.from('cc rescues'), { CC: ['rt-cc-dflt-b'], mandatory: true });
    await t.settle();
    t.record('a', await drain(ch, 'rt-cc-dflt-a'));
    t.record('b', await drain(ch, 'rt-cc-dflt-b'));
    expect(lastLogged(t, 'a')).toEqual(['m']);
    expect(lastLogged(t, 'b')).toEqual(['m', 'cc rescues']);
    expect(t.log.some(([l]) => l === 'ch.return')).toBe(false);
  },

  // ---------------------------------------------------------------- one copy per queue
  '§4 one copy per queue: several matching bindings of one queue yield a single delivery': async (t) => {
    const { ch } = await open(t);
    const x = 'rt-onecopy';
    const queues = await setup(t, ch, {
      x,
      type: 'topic',
      bindings: [
        ['q', '#'],
        ['q', 'a.*'],
        ['q', 'a.b'],
        ['q', '*.b'],
        ['r', 'a.b'],
      ],
    });
    ch.publish(x, 'a.b', Buffer.from('m'));
    const got = await collect(t, ch, x, queues);
    t.record('received', got);
    expect(got).toEqual({ q: ['m'], r: ['m'] });
  },

  '§4 one copy per queue: a headers exchange with two matching bindings to one queue delivers once': async (t) => {
    const { ch } = await open(t);
    const got = await routeHeaders(
      t,
      ch,
      {
        x: 'rt-onecopy-hdr',
        type: 'headers',
        bindings: [
          ['q', '', { 'x-match': 'any', a: 1 }],
          ['q', '', { 'x-match': 'all', b: 2 }],
        ],
      },
      [['m', { a: 1, b: 2 }]],
    );
    expect(got).toEqual({ q: ['m'] });
  },
});
