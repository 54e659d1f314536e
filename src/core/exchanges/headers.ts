import { looseEquals, tableKeys, typeOf, valueOf, type FieldTable, type FieldValue } from '../fields.ts';
import type { Binding, BindingIndex, ExchangeType } from './exchange-type.ts';

type XMatch = 'all' | 'any' | 'all-with-x' | 'any-with-x';

interface HeadersMatcher {
  all: boolean;
  pairs: Array<[string, FieldValue]>;
}

const MODES: ReadonlySet<string> = new Set(['all', 'any', 'all-with-x', 'any-with-x']);

function compile(args: FieldTable): HeadersMatcher {
  const x = args['x-match'];
  const raw = x === undefined ? 'all' : valueOf(x);
  const mode: XMatch = typeof raw === 'string' && MODES.has(raw) ? (raw as XMatch) : 'all';
  const withX = mode === 'all-with-x' || mode === 'any-with-x';
  const pairs: Array<[string, FieldValue]> = [];
  for (const key of tableKeys(args)) {
    if (key === 'x-match') continue;
    if (!withX && key.startsWith('x-')) continue;
    pairs.push([key, args[key] as FieldValue]);
  }
  return { all: mode === 'all' || mode === 'all-with-x', pairs };
}

/** Does one binding pair match the message headers? A void binding value means "present". */
function pairMatches(headers: FieldTable | undefined, key: string, expected: FieldValue): boolean {
  if (!headers) return false;
  const actual = headers[key];
  if (actual === undefined) return false;
  if (typeOf(expected) === 'void') return true;
  return looseEquals(actual, expected);
}

export function headersMatch(args: FieldTable, headers: FieldTable | undefined): boolean {
  return matches(compile(args), headers);
}

function matches(m: HeadersMatcher, headers: FieldTable | undefined): boolean {
  if (m.all) {
    for (const [k, v] of m.pairs) if (!pairMatches(headers, k, v)) return false;
    return true;
  }
  for (const [k, v] of m.pairs) if (pairMatches(headers, k, v)) return true;
  return false;
}

class HeadersIndex implements BindingIndex {
  private all: Binding[] = [];

  add(b: Binding): void {
    b.compiled = compile(b.arguments);
    this.all.push(b);
  }

  remove(b: Binding): void {
    const i = this.all.indexOf(b);
    if (i >= 0) this.all.splice(i, 1);
  }

  route(_key: string, headers: FieldTable | undefined, visit: (b: Binding) => void): void {
    for (const b of this.all) if (matches(b.compiled as HeadersMatcher, headers)) visit(b);
  }
}

function erlangTerm(v: FieldValue): string {
  const raw = valueOf(v);
  if (typeof raw === 'string') return `<<"${raw}">>`;
  if (typeof raw === 'boolean') return String(raw);
  if (raw === null) return 'undefined';
  return String(raw);
}

export const headers: ExchangeType = {
  name: 'headers',
  validateBinding(args) {
    const x = args['x-match'];
    if (x === undefined) return null;
    const t = typeOf(x);
    const raw = valueOf(x);
    if (t !== 'longstr') return `Invalid x-match field type ${t} (value ${erlangTerm(x)}); expected longstr`;
    if (!MODES.has(raw as string)) return `Invalid x-match field value ${erlangTerm(x)}; expected all, any, all-with-x, or any-with-x`;
    return null;
  },
  createIndex: () => new HeadersIndex(),
};
