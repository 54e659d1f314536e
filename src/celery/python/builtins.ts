/**
 * The builtins of the subset (len, str, int, float, bool, dict, list,
 * tuple, repr, isinstance, min, max, abs, print) and the methods of str,
 * list, tuple and dict that routers and configurations use, with Python's
 * behaviour and error texts.
 */
import { pyError } from './errors.ts';
import { checkLength } from './operators.ts';
import {
  PyCallable,
  PyDict,
  PyFloat,
  PyList,
  PyObject,
  PyTuple,
  bindArguments,
  hashKey,
  lessThan,
  numberOf,
  pyEquals,
  repr,
  str,
  truthy,
  typeName,
  type CallContext,
  type Kwargs,
  type PyValue,
} from './values.ts';

/** A builtin type: callable as a constructor, usable with isinstance. */
export class PyType extends PyCallable {
  readonly typeName = 'type';
  constructor(
    readonly name: string,
    readonly check: (v: PyValue) => boolean,
    private readonly construct: (args: PyValue[], kwargs: Kwargs, ctx: CallContext) => PyValue,
  ) {
    super();
  }

  call(args: PyValue[], kwargs: Kwargs, ctx: CallContext): PyValue {
    return this.construct(args, kwargs, ctx);
  }

  override repr(): string {
    return `<class '${this.name}'>`;
  }
}

class BoundMethod extends PyCallable {
  readonly typeName = 'builtin_function_or_method';
  constructor(
    readonly name: string,
    private readonly owner: string,
    private readonly fn: (args: PyValue[], kwargs: Kwargs, ctx: CallContext) => PyValue,
  ) {
    super();
  }

  call(args: PyValue[], kwargs: Kwargs, ctx: CallContext): PyValue {
    return this.fn(args, kwargs, ctx);
  }

  override repr(): string {
    return `<built-in method ${this.name} of ${this.owner} object>`;
  }
}

/** `dict.keys()`, `.values()`, `.items()`: a snapshot with the view's repr. */
export class PyDictView extends PyObject {
  constructor(
    readonly typeName: 'dict_keys' | 'dict_values' | 'dict_items',
    readonly items: readonly PyValue[],
  ) {
    super();
  }

  containsItem(v: PyValue): boolean {
    return this.items.some((x) => pyEquals(x, v));
  }

  override truthy(): boolean {
    return this.items.length > 0;
  }

  override repr(): string {
    return `${this.typeName}([${this.items.map((x) => repr(x)).join(', ')}])`;
  }
}

/** The items of an iterable value, as a for loop would see them. */
export function iterate(v: PyValue): PyValue[] {
  if (typeof v === 'string') return Array.from(v);
  if (v instanceof PyList || v instanceof PyTuple || v instanceof PyDictView) return [...v.items];
  if (v instanceof PyDict) return v.keys();
  throw pyError('TypeError', `'${typeName(v)}' object is not iterable`);
}

/** `dict(value)`: a copy of a mapping, or a dict from an iterable of pairs. */
export function dictFrom(v: PyValue): PyDict {
  if (v instanceof PyDict) return v.copy();
  const out = new PyDict();
  iterate(v).forEach((item, i) => {
    let pair: PyValue[];
    try {
      pair = iterate(item);
    } catch {
      throw pyError('TypeError', `cannot convert dictionary update sequence element #${i} to a sequence`);
    }
    if (pair.length !== 2) throw pyError('ValueError', `dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
    out.set(pair[0], pair[1]);
  });
  return out;
}

function noKwargs(name: string, kwargs: Kwargs): void {
  if (kwargs.size) throw pyError('TypeError', `${name}() takes no keyword arguments`);
}

function arity(name: string, args: PyValue[], min: number, max: number): void {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `exactly ${min} argument${min === 1 ? '' : 's'}` : args.length < min ? `at least ${min} argument${min === 1 ? '' : 's'}` : `at most ${max} argument${max === 1 ? '' : 's'}`;
    throw pyError('TypeError', `${name} expected ${expected}, got ${args.length}`);
  }
}

export function toInt(v: PyValue): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) {
    if (!Number.isFinite(v.value)) throw pyError(Number.isNaN(v.value) ? 'ValueError' : 'OverflowError', Number.isNaN(v.value) ? 'cannot convert float NaN to integer' : 'cannot convert float infinity to integer');
    return Math.trunc(v.value);
  }
  if (typeof v === 'string') {
    const s = v.trim().replace(/_/g, '');
    if (/^[-+]?\d+$/.test(s) && !/__/.test(v)) {
      const n = Number(s);
      if (!Number.isSafeInteger(n)) throw pyError('OverflowError', 'integer beyond 2**53, outside the sandbox\'s Python subset');
      return n;
    }
    throw pyError('ValueError', `invalid literal for int() with base 10: ${repr(v)}`);
  }
  throw pyError('TypeError', `int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

export function toFloat(v: PyValue): PyFloat {
  const n = numberOf(v);
  if (n !== undefined) return new PyFloat(n);
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (/^[-+]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(e[-+]?\d+)?$/.test(s)) return new PyFloat(Number(s.replace(/_/g, '')));
    if (/^[-+]?(inf|infinity)$/.test(s)) return new PyFloat(s.startsWith('-') ? -Infinity : Infinity);
    if (/^[-+]?nan$/.test(s)) return new PyFloat(NaN);
    throw pyError('ValueError', `could not convert string to float: ${repr(v)}`);
  }
  throw pyError('TypeError', `float() argument must be a string or a real number, not '${typeName(v)}'`);
}

export function pyLen(v: PyValue): number {
  if (typeof v === 'string') return Array.from(v).length;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.length;
  if (v instanceof PyDict) return v.size;
  if (v instanceof PyDictView) return v.items.length;
  throw pyError('TypeError', `object of type '${typeName(v)}' has no len()`);
}

function extreme(name: 'min' | 'max', args: PyValue[], kwargs: Kwargs): PyValue {
  for (const k of kwargs.keys()) if (k !== 'default') throw pyError('TypeError', `${name}() got an unexpected keyword argument '${k}'`);
  const items = args.length === 1 ? iterate(args[0]) : args;
  if (!args.length) throw pyError('TypeError', `${name} expected at least 1 argument, got 0`);
  if (!items.length) {
    if (kwargs.has('default')) return kwargs.get('default')!;
    throw pyError('ValueError', `${name}() arg is an empty sequence`);
  }
  let best = items[0];
  for (const x of items.slice(1)) {
    if (name === 'min' ? lessThan(x, best, '<') : lessThan(best, x, '<')) best = x;
  }
  return best;
}

export function makeBuiltins(print: (line: string) => void): Map<string, PyValue> {
  const b = new Map<string, PyValue>();
  const fn = (name: string, f: (args: PyValue[], kwargs: Kwargs, ctx: CallContext) => PyValue) =>
    b.set(name, new BoundMethod(name, 'builtins', f));
  const types: Array<[string, (v: PyValue) => boolean, (args: PyValue[], kwargs: Kwargs, ctx: CallContext) => PyValue]> = [
    ['str', (v) => typeof v === 'string', (args, kw) => (noKwargs('str', kw), arity('str', args, 0, 1), args.length ? str(args[0]) : '')],
    ['int', (v) => typeof v === 'number' || typeof v === 'boolean', (args, kw) => (noKwargs('int', kw), arity('int', args, 0, 1), args.length ? toInt(args[0]) : 0)],
    ['float', (v) => v instanceof PyFloat, (args, kw) => (noKwargs('float', kw), arity('float', args, 0, 1), args.length ? toFloat(args[0]) : new PyFloat(0))],
    ['bool', (v) => typeof v === 'boolean', (args, kw) => (noKwargs('bool', kw), arity('bool', args, 0, 1), args.length ? truthy(args[0]) : false)],
    ['list', (v) => v instanceof PyList, (args, kw) => (noKwargs('list', kw), arity('list', args, 0, 1), new PyList(args.length ? iterate(args[0]) : []))],
    ['tuple', (v) => v instanceof PyTuple, (args, kw) => (noKwargs('tuple', kw), arity('tuple', args, 0, 1), new PyTuple(args.length ? iterate(args[0]) : []))],
    [
      'dict',
      (v) => v instanceof PyDict,
      (args, kw) => {
        arity('dict', args, 0, 1);
        const d = args.length ? dictFrom(args[0]) : new PyDict();
        for (const [k, v] of kw) d.set(k, v);
        return d;
      },
    ],
  ];
  for (const [name, check, construct] of types) b.set(name, new PyType(name, check, construct));
  fn('len', (args, kw) => (noKwargs('len', kw), arity('len', args, 1, 1), pyLen(args[0])));
  fn('repr', (args, kw) => (noKwargs('repr', kw), arity('repr', args, 1, 1), repr(args[0])));
  fn('abs', (args, kw) => {
    noKwargs('abs', kw);
    arity('abs', args, 1, 1);
    const n = numberOf(args[0]);
    if (n === undefined) throw pyError('TypeError', `bad operand type for abs(): '${typeName(args[0])}'`);
    return args[0] instanceof PyFloat ? new PyFloat(Math.abs(n)) : Math.abs(n);
  });
  fn('min', (args, kw) => extreme('min', args, kw));
  fn('max', (args, kw) => extreme('max', args, kw));
  fn('isinstance', (args, kw) => {
    noKwargs('isinstance', kw);
    arity('isinstance', args, 2, 2);
    const kinds = args[1] instanceof PyTuple ? args[1].items : [args[1]];
    return kinds.some((k) => {
      if (k instanceof PyType) return k.check(args[0]) || (k.name === 'int' && typeof args[0] === 'boolean');
      if (k instanceof PyObject && 'isInstance' in k) return (k as unknown as { isInstance(v: PyValue): boolean }).isInstance(args[0]);
      throw pyError('TypeError', 'isinstance() arg 2 must be a type, a tuple of types, or a union');
    });
  });
  fn('print', (args, kw) => {
    const { values } = bindArguments('print', [{ name: 'sep', default: ' ' }, { name: 'end', default: '\n' }], [], kw, { maxPositional: 0 });
    print(args.map(str).join(str(values.get('sep')!)) + str(values.get('end')!).replace(/\n$/, ''));
    return null;
  });
  return b;
}

// ---- methods -----------------------------------------------------------------------

function strArg(name: string, v: PyValue, what = 'argument'): string {
  if (typeof v !== 'string') throw pyError('TypeError', `${name}() ${what} must be str, not ${typeName(v)}`);
  return v;
}

function affix(self: string, name: 'startswith' | 'endswith', args: PyValue[], kw: Kwargs): boolean {
  noKwargs(name, kw);
  arity(name, args, 1, 3);
  const chars = Array.from(self);
  const norm = (v: PyValue | undefined, dflt: number): number => {
    if (v === undefined || v === null) return dflt;
    let n = numberOf(v);
    if (n === undefined || v instanceof PyFloat) throw pyError('TypeError', 'slice indices must be integers or None or have an __index__ method');
    if (n < 0) n = Math.max(0, chars.length + n);
    return Math.min(n, chars.length);
  };
  const start = norm(args[1], 0);
  const end = norm(args[2], chars.length);
  const part = start > end ? null : chars.slice(start, end).join('');
  const candidates = args[0] instanceof PyTuple ? args[0].items : [args[0]];
  return candidates.some((c) => {
    if (typeof c !== 'string') {
      throw pyError('TypeError', args[0] instanceof PyTuple ? `tuple for ${name} must only contain str, not ${typeName(c)}` : `${name} first arg must be str or a tuple of str, not ${typeName(c)}`);
    }
    if (part === null) return false;
    return name === 'startswith' ? part.startsWith(c) : part.endsWith(c);
  });
}

function split(self: string, args: PyValue[], kw: Kwargs, right: boolean): PyList {
  const name = right ? 'rsplit' : 'split';
  const { values } = bindArguments(name, [{ name: 'sep', default: null }, { name: 'maxsplit', default: -1 }], args, kw);
  const sep = values.get('sep')!;
  let max = numberOf(values.get('maxsplit')!) ?? -1;
  if (max < 0) max = Infinity;
  if (sep === null) {
    const words = self.trim().split(/\s+/).filter((w) => w);
    if (max >= words.length) return new PyList(words);
    if (!right) {
      const out: string[] = [];
      let rest = self.replace(/^\s+/, '');
      for (let k = 0; k < max; k++) {
        const m = /^(\S+)\s+/.exec(rest);
        if (!m) break;
        out.push(m[1]);
        rest = rest.slice(m[0].length);
      }
      if (rest) out.push(rest.replace(/\s+$/, '') || rest);
      return new PyList(out);
    }
    const out: string[] = [];
    let rest = self.replace(/\s+$/, '');
    for (let k = 0; k < max; k++) {
      const m = /\s+(\S+)$/.exec(rest);
      if (!m) break;
      out.unshift(m[1]);
      rest = rest.slice(0, rest.length - m[0].length);
    }
    if (rest) out.unshift(rest.replace(/^\s+/, ''));
    return new PyList(out);
  }
  const s = strArg(name, sep, 'argument 1');
  if (!s) throw pyError('ValueError', 'empty separator');
  const parts = self.split(s);
  if (parts.length - 1 <= max) return new PyList(parts);
  if (!right) return new PyList([...parts.slice(0, max), parts.slice(max).join(s)]);
  return new PyList([parts.slice(0, parts.length - max).join(s), ...parts.slice(parts.length - max)]);
}

function strip(self: string, args: PyValue[], kw: Kwargs, name: string, left: boolean, right: boolean): string {
  noKwargs(name, kw);
  arity(name, args, 0, 1);
  const chars = args[0] === undefined || args[0] === null ? null : strArg(name, args[0], 'arg');
  const drop = (c: string) => (chars === null ? /\s/.test(c) : chars.includes(c));
  const cs = Array.from(self);
  let a = 0;
  let z = cs.length;
  if (left) while (a < z && drop(cs[a])) a++;
  if (right) while (z > a && drop(cs[z - 1])) z--;
  return cs.slice(a, z).join('');
}

function strMethod(self: string, name: string): ((args: PyValue[], kw: Kwargs) => PyValue) | undefined {
  switch (name) {
    case 'startswith':
    case 'endswith':
      return (args, kw) => affix(self, name, args, kw);
    case 'split':
      return (args, kw) => split(self, args, kw, false);
    case 'rsplit':
      return (args, kw) => split(self, args, kw, true);
    case 'lower':
    case 'casefold':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), self.toLowerCase());
    case 'upper':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), self.toUpperCase());
    case 'strip':
      return (args, kw) => strip(self, args, kw, name, true, true);
    case 'lstrip':
      return (args, kw) => strip(self, args, kw, name, true, false);
    case 'rstrip':
      return (args, kw) => strip(self, args, kw, name, false, true);
    case 'replace':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 2, 3);
        const old = strArg(name, args[0], 'argument 1');
        const rep = strArg(name, args[1], 'argument 2');
        const count = args[2] === undefined ? -1 : (numberOf(args[2]) ?? -1);
        const parts = old === '' ? ['', ...Array.from(self), ''] : self.split(old);
        if (old === '') {
          const cs = Array.from(self);
          const n = count < 0 ? cs.length + 1 : Math.min(count, cs.length + 1);
          let out = '';
          for (let k = 0; k < cs.length; k++) out += (k < n ? rep : '') + cs[k];
          return out + (n > cs.length ? rep : '');
        }
        if (count < 0 || count >= parts.length - 1) return parts.join(rep);
        return parts.slice(0, count + 1).join(rep) + old + parts.slice(count + 1).join(old);
      };
    case 'join':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        const items = iterate(args[0]);
        items.forEach((x, i) => {
          if (typeof x !== 'string') throw pyError('TypeError', `sequence item ${i}: expected str instance, ${typeName(x)} found`);
        });
        const out = (items as string[]).join(self);
        checkLength(out.length);
        return out;
      };
    case 'partition':
    case 'rpartition':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        const sep = strArg(name, args[0], 'argument');
        if (!sep) throw pyError('ValueError', 'empty separator');
        const at = name === 'partition' ? self.indexOf(sep) : self.lastIndexOf(sep);
        if (at < 0) return name === 'partition' ? new PyTuple([self, '', '']) : new PyTuple(['', '', self]);
        return new PyTuple([self.slice(0, at), sep, self.slice(at + sep.length)]);
      };
    case 'find':
    case 'rfind':
    case 'count':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        const sub = strArg(name, args[0], 'argument');
        if (name === 'count') return sub === '' ? Array.from(self).length + 1 : self.split(sub).length - 1;
        const at = name === 'find' ? self.indexOf(sub) : self.lastIndexOf(sub);
        return at < 0 ? -1 : Array.from(self.slice(0, at)).length;
      };
    case 'isdigit':
    case 'isalpha':
    case 'isalnum':
    case 'islower':
    case 'isupper':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 0, 0);
        if (!self) return false;
        if (name === 'isdigit') return /^\p{Nd}+$/u.test(self);
        if (name === 'isalpha') return /^\p{L}+$/u.test(self);
        if (name === 'isalnum') return /^[\p{L}\p{N}]+$/u.test(self);
        const cased = /\p{L}/u.test(self);
        return cased && (name === 'islower' ? self === self.toLowerCase() : self === self.toUpperCase());
      };
  }
  return undefined;
}

function listMethod(self: PyList, name: string): ((args: PyValue[], kw: Kwargs) => PyValue) | undefined {
  const items = self.items;
  switch (name) {
    case 'append':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        checkLength(items.length + 1);
        items.push(args[0]);
        return null;
      };
    case 'extend':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        const more = iterate(args[0]);
        checkLength(items.length + more.length);
        items.push(...more);
        return null;
      };
    case 'insert':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 2, 2);
        let i = numberOf(args[0]) ?? 0;
        if (i < 0) i = Math.max(0, items.length + i);
        items.splice(Math.min(i, items.length), 0, args[1]);
        return null;
      };
    case 'pop':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 0, 1);
        if (!items.length) throw pyError('IndexError', 'pop from empty list');
        let i = args.length ? (numberOf(args[0]) ?? 0) : items.length - 1;
        if (i < 0) i += items.length;
        if (i < 0 || i >= items.length) throw pyError('IndexError', 'pop index out of range');
        return items.splice(i, 1)[0];
      };
    case 'remove':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 1);
        const i = items.findIndex((x) => pyEquals(x, args[0]));
        if (i < 0) throw pyError('ValueError', 'list.remove(x): x not in list');
        items.splice(i, 1);
        return null;
      };
    case 'copy':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), new PyList([...items]));
  }
  return sequenceMethod(items, name, 'list');
}

function sequenceMethod(items: readonly PyValue[], name: string, type: string): ((args: PyValue[], kw: Kwargs) => PyValue) | undefined {
  if (name === 'count') return (args, kw) => (noKwargs(name, kw), arity(name, args, 1, 1), items.filter((x) => pyEquals(x, args[0])).length);
  if (name === 'index') {
    return (args, kw) => {
      noKwargs(name, kw);
      arity(name, args, 1, 1);
      const i = items.findIndex((x) => pyEquals(x, args[0]));
      if (i < 0) throw pyError('ValueError', type === 'list' ? `${repr(args[0])} is not in list` : 'tuple.index(x): x not in tuple');
      return i;
    };
  }
  return undefined;
}

function dictMethod(self: PyDict, name: string): ((args: PyValue[], kw: Kwargs) => PyValue) | undefined {
  switch (name) {
    case 'get':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 2);
        const v = self.get(args[0]);
        return v === undefined ? (args[1] ?? null) : v;
      };
    case 'keys':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), new PyDictView('dict_keys', self.keys()));
    case 'values':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), new PyDictView('dict_values', self.values()));
    case 'items':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), new PyDictView('dict_items', self.items().map(([k, v]) => new PyTuple([k, v]))));
    case 'copy':
      return (args, kw) => (noKwargs(name, kw), arity(name, args, 0, 0), self.copy());
    case 'update':
      return (args, kw) => {
        arity(name, args, 0, 1);
        if (args.length) for (const [k, v] of dictFrom(args[0]).items()) self.set(k, v);
        for (const [k, v] of kw) self.set(k, v);
        return null;
      };
    case 'setdefault':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 2);
        const v = self.get(args[0]);
        if (v !== undefined) return v;
        const d = args[1] ?? null;
        self.set(args[0], d);
        return d;
      };
    case 'pop':
      return (args, kw) => {
        noKwargs(name, kw);
        arity(name, args, 1, 2);
        const v = self.get(args[0]);
        if (v !== undefined) {
          self.delete(args[0]);
          return v;
        }
        if (args.length > 1) return args[1];
        throw pyError('KeyError', repr(args[0]));
      };
  }
  return undefined;
}

/** `value.name` for values of builtin types; undefined when there is no such attribute. */
export function builtinAttribute(self: PyValue, name: string): PyValue | undefined {
  let f: ((args: PyValue[], kw: Kwargs) => PyValue) | undefined;
  if (typeof self === 'string') f = strMethod(self, name);
  else if (self instanceof PyList) f = listMethod(self, name);
  else if (self instanceof PyTuple) f = sequenceMethod(self.items, name, 'tuple');
  else if (self instanceof PyDict) f = dictMethod(self, name);
  else if ((typeof self === 'number' || typeof self === 'boolean' || self instanceof PyFloat) && (name === 'real' || name === 'imag')) {
    if (name === 'imag') return self instanceof PyFloat ? new PyFloat(0) : 0;
    return typeof self === 'boolean' ? (self ? 1 : 0) : self;
  }
  return f ? new BoundMethod(name, typeName(self), f) : undefined;
}

/** Checks hashability up front (used where Python would hash a key). */
export function requireHashable(v: PyValue): void {
  hashKey(v);
}
