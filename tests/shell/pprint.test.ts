/**
 * The pprint port against CPython 3.11's own output, recorded in
 * fixtures/pprint-cases.json by fixtures/make-pprint-fixtures.py (these tests
 * never call Python).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  pformat,
  pyBytes,
  pyDict,
  pyFloat,
  pyIsPrintable,
  pyIsSpace,
  pyTuple,
  saferepr,
  type PformatOptions,
  type PyKey,
  type PyValue,
} from '../../src/shell/pprint.ts';

/** The fixture's JSON form of a value (see the generator's docstring). */
type Encoded =
  | string
  | number
  | boolean
  | null
  | Encoded[]
  | { int: string }
  | { float: number | string }
  | { tuple: Encoded[] }
  | { bytes: string }
  | { dict: [Encoded, Encoded][] };

interface Case {
  name: string;
  options: PformatOptions;
  value: Encoded;
  expected: string;
  repr: string;
}

function decode(e: Encoded): PyValue {
  if (e === null || typeof e !== 'object') return e;
  if (Array.isArray(e)) return e.map(decode);
  if ('int' in e) return BigInt(e.int);
  if ('float' in e) {
    const f = e.float;
    return pyFloat(typeof f === 'number' ? f : f === 'nan' ? NaN : f === 'inf' ? Infinity : -Infinity);
  }
  if ('tuple' in e) return pyTuple(...e.tuple.map(decode));
  if ('bytes' in e) return pyBytes((e.bytes.match(/../g) ?? []).map((h) => parseInt(h, 16)));
  return pyDict(e.dict.map(([k, v]) => [decode(k) as PyKey, decode(v)] as const));
}

interface Fixture {
  python: string;
  unicode: string;
  /** Inclusive [first, last] code point ranges where str.isprintable() is false. */
  nonPrintableRanges: [number, number][];
  /** Likewise where str.isspace() is true. */
  spaceRanges: [number, number][];
  cases: Case[];
}

// Read with JSON.parse: Vite's JSON import rejects the lone surrogates
// (\ud800) that one case holds.
const fixture = JSON.parse(
  readFileSync(new URL('./fixtures/pprint-cases.json', import.meta.url), 'utf8'),
) as Fixture;
const cases = fixture.cases;

describe('pformat matches CPython 3.11', () => {
  it('was recorded from CPython 3.11', () => {
    expect(fixture.python).toMatch(/^3\.11\./);
    expect(cases.length).toBeGreaterThan(40);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const value = decode(c.value);
    expect(pformat(value, c.options)).toBe(c.expected);
    expect(saferepr(value)).toBe(c.repr);
  });
});

describe('the shell message', () => {
  it('prints like celery amqp', () => {
    const message = pyDict({
      body: 'This is a message!',
      delivery_info: pyDict({
        routing_key: 'testkey',
        exchange: 'testexchange',
        redelivered: false,
        message_count: 0,
        delivery_tag: 1,
      }),
      properties: pyDict({}),
    });
    expect(pformat(message)).toBe(
      [
        "{'body': 'This is a message!',",
        " 'delivery_info': {'delivery_tag': 1,",
        "                   'exchange': 'testexchange',",
        "                   'message_count': 0,",
        "                   'redelivered': False,",
        "                   'routing_key': 'testkey'},",
        " 'properties': {}}",
      ].join('\n'),
    );
  });
});

function inRanges(ranges: number[][], cp: number): boolean {
  return ranges.some(([a, b]) => cp >= a && cp <= b);
}

describe('Unicode tables', () => {
  it(`str.isprintable as Python ${fixture.python} (Unicode ${fixture.unicode}), every code point`, () => {
    const nonPrintable = new Uint8Array(0x110000);
    for (const [a, b] of fixture.nonPrintableRanges) nonPrintable.fill(1, a, b + 1);
    const wrong: string[] = [];
    for (let cp = 0; cp < 0x110000; cp++) {
      if (pyIsPrintable(cp) === Boolean(nonPrintable[cp])) wrong.push(cp.toString(16));
    }
    expect(wrong.slice(0, 20)).toEqual([]);
  });

  it('str.isspace as Python', () => {
    for (let cp = 0; cp < 0x3100; cp++) {
      expect(pyIsSpace(cp), cp.toString(16)).toBe(inRanges(fixture.spaceRanges, cp));
    }
  });
});

describe('the value model', () => {
  it('refuses a JS number that is not an integer', () => {
    expect(() => pformat(1.5)).toThrow(TypeError);
    expect(pformat(pyFloat(1.5))).toBe('1.5');
    expect(pformat(pyFloat(1))).toBe('1.0');
    expect(pformat(1)).toBe('1');
  });

  it('prints ints beyond 2**53 given as numbers exactly', () => {
    expect(pformat(2 ** 64)).toBe('18446744073709551616');
    expect(pformat(-(2 ** 70), { underscoreNumbers: true })).toBe('-1_180_591_620_717_411_303_424');
  });

  it('refuses what is no Python value', () => {
    expect(() => pformat(undefined as unknown as PyValue)).toThrow(TypeError);
    expect(() => pformat({ foo: 1 } as unknown as PyValue)).toThrow(TypeError);
  });

  it('checks the options as Python does', () => {
    expect(() => pformat(1, { indent: -1 })).toThrow(RangeError);
    expect(() => pformat(1, { width: 0 })).toThrow(RangeError);
    expect(() => pformat(1, { depth: 0 })).toThrow(RangeError);
  });

  it('takes a dict from an object or from pairs', () => {
    expect(pformat(pyDict({ b: 1, a: pyTuple('x') }))).toBe("{'a': ('x',), 'b': 1}");
    expect(pformat(pyDict([[2, null], ['a', [true]], [null, 1]]))).toBe("{None: 1, 2: None, 'a': [True]}");
  });

  it('counts code points, not UTF-16 units', () => {
    // 39 emoji + quotes + key fit in 80 columns only if each emoji counts once.
    const value = pyDict({ k: '😀'.repeat(72) });
    expect(pformat(value)).toBe(`{'k': '${'😀'.repeat(72)}'}`);
  });

  it('shows recursion instead of looping', () => {
    // Python writes id(list), a memory address, where the port counts from 1.
    const list: PyValue[] = ['x'.repeat(20)];
    list.push(list);
    expect(pformat(list)).toBe(`['${'x'.repeat(20)}', <Recursion on list with id=1>]`);
    list[0] = 'x'.repeat(60);
    expect(pformat(list)).toBe(`['${'x'.repeat(60)}',\n <Recursion on list with id=1>]`);
    const dict = new Map<PyKey, PyValue>([['long', 'y'.repeat(80)]]);
    dict.set('self', dict);
    expect(pformat(dict)).toBe(`{'long': '${'y'.repeat(80)}',\n 'self': <Recursion on dict with id=1>}`);
  });
});
