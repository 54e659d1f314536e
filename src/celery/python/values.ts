/**
 * Python values as the interpreter holds them:
 *
 *   Python     here
 *   None       null
 *   bool       boolean
 *   int        number (always an integer; |n| <= 2**53)
 *   float      PyFloat
 *   str        string
 *   tuple      PyTuple
 *   list       PyList
 *   dict       PyDict (insertion-ordered, keys compared as Python compares them)
 *   others     PyObject subclasses (functions, modules, kombu entities, …)
 *
 * Equality, hashing, truth, ordering and repr follow Python's rules for
 * these types (1 == 1.0 == True, unhashable lists, quote choice in repr…).
 * Walkers are depth-bounded so no value can exhaust the stack.
 */
import { pyFloat as pprintFloat, saferepr } from '../../shell/pprint.ts';
import { pyError } from './errors.ts';

export class PyFloat {
  constructor(readonly value: number) {}
}

export class PyTuple {
  constructor(readonly items: readonly PyValue[]) {}
}

export class PyList {
  constructor(readonly items: PyValue[]) {}
}

let objectIds = 0;

export abstract class PyObject {
  /** Python's type name, as error messages and repr show it. */
  abstract readonly typeName: string;
  private readonly objectId = ++objectIds;

  getAttr(_name: string): PyValue | undefined {
    return undefined;
  }

  /** Sets an attribute; false when the object has no such settable attribute. */
  setAttr(_name: string, _value: PyValue): boolean {
    return false;
  }

  repr(): string {
    return `<${this.typeName} object>`;
  }

  /** The key under which a dict files this object (identity by default). */
  hashKey(): string {
    return `o${this.objectId}`;
  }

  equals(other: PyValue): boolean {
    return other === this;
  }

  truthy(): boolean {
    return true;
  }
}

export type Kwargs = Map<string, PyValue>;

/** Where a call comes from, for builtins that call back into Python. */
export interface CallContext {
  call(fn: PyValue, args: PyValue[], kwargs?: Kwargs): PyValue;
}

export abstract class PyCallable extends PyObject {
  abstract readonly name: string;
  abstract call(args: PyValue[], kwargs: Kwargs, ctx: CallContext): PyValue;
}

export class PyBuiltin extends PyCallable {
  readonly typeName = 'builtin_function_or_method';
  constructor(
    readonly name: string,
    private readonly fn: (args: PyValue[], kwargs: Kwargs, ctx: CallContext) => PyValue,
  ) {
    super();
  }

  call(args: PyValue[], kwargs: Kwargs, ctx: CallContext): PyValue {
    return this.fn(args, kwargs, ctx);
  }

  override repr(): string {
    return `<built-in function ${this.name}>`;
  }
}

export class PyModule extends PyObject {
  readonly typeName = 'module';
  constructor(
    readonly name: string,
    readonly attrs: Map<string, PyValue>,
  ) {
    super();
  }

  override getAttr(name: string): PyValue | undefined {
    return this.attrs.get(name);
  }

  override repr(): string {
    return `<module '${this.name}'>`;
  }
}

export type PyValue = null | boolean | number | string | PyFloat | PyTuple | PyList | PyDict | PyObject;

/** Values nest at most this deep before walkers give up (Python's repr would recurse too). */
export const MAX_VALUE_DEPTH = 500;

function tooDeep(what: string): never {
  throw pyError('RecursionError', `maximum recursion depth exceeded while ${what}`);
}

/** The most parts one walk over a value may visit (values may share parts: [a, a] twice over is 4 paths). */
export const MAX_WALK = 1_000_000;

/** A counter for one walk; throws MemoryError past MAX_WALK. */
export function walkBudget(what: string): () => void {
  let n = 0;
  return () => {
    if (++n > MAX_WALK) throw pyError('MemoryError', `the value is too large to finish ${what} (more than ${MAX_WALK} parts)`);
  };
}

export class PyDict {
  private readonly entries = new Map<string, [PyValue, PyValue]>();

  static of(pairs: Iterable<readonly [PyValue, PyValue]>): PyDict {
    const d = new PyDict();
    for (const [k, v] of pairs) d.set(k, v);
    return d;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: PyValue): PyValue | undefined {
    return this.entries.get(hashKey(key))?.[1];
  }

  has(key: PyValue): boolean {
    return this.entries.has(hashKey(key));
  }

  set(key: PyValue, value: PyValue): void {
    const h = hashKey(key);
    const old = this.entries.get(h);
    // Python keeps the first key object and replaces the value.
    this.entries.set(h, [old ? old[0] : key, value]);
  }

  delete(key: PyValue): boolean {
    return this.entries.delete(hashKey(key));
  }

  keys(): PyValue[] {
    return [...this.entries.values()].map((e) => e[0]);
  }

  values(): PyValue[] {
    return [...this.entries.values()].map((e) => e[1]);
  }

  items(): Array<[PyValue, PyValue]> {
    return [...this.entries.values()].map((e) => [e[0], e[1]]);
  }

  copy(): PyDict {
    return PyDict.of(this.items());
  }
}

// ---- type, truth, numbers ----------------------------------------------------

export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'number':
      return 'int';
    case 'string':
      return 'str';
  }
  if (v instanceof PyFloat) return 'float';
  if (v instanceof PyTuple) return 'tuple';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyDict) return 'dict';
  return v.typeName;
}

export function truthy(v: PyValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
  }
  if (v instanceof PyFloat) return v.value !== 0;
  if (v instanceof PyTuple || v instanceof PyList) return v.items.length > 0;
  if (v instanceof PyDict) return v.size > 0;
  return v.truthy();
}

/** int, bool or float as a JS number; undefined for anything else. */
export function numberOf(v: PyValue): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return undefined;
}

export function isIntLike(v: PyValue): v is number | boolean {
  return typeof v === 'number' || typeof v === 'boolean';
}

// ---- equality and hashing ----------------------------------------------------

export function pyEquals(a: PyValue, b: PyValue, depth = 0, tick: () => void = walkBudget('comparing')): boolean {
  tick();
  if (depth > MAX_VALUE_DEPTH) tooDeep('comparing objects');
  if (a === b) return true;
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined || nb !== undefined) return na === nb;
  if (a === null || b === null) return false;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if (a instanceof PyTuple && b instanceof PyTuple) return seqEquals(a.items, b.items, depth, tick);
  if (a instanceof PyList && b instanceof PyList) return seqEquals(a.items, b.items, depth, tick);
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a.items()) {
      const w = b.get(k);
      if (w === undefined || !pyEquals(v, w, depth + 1, tick)) return false;
    }
    return true;
  }
  if (a instanceof PyObject) return a.equals(b);
  if (b instanceof PyObject) return b.equals(a);
  return false;
}

function seqEquals(a: readonly PyValue[], b: readonly PyValue[], depth: number, tick: () => void): boolean {
  return a.length === b.length && a.every((x, i) => pyEquals(x, b[i], depth + 1, tick));
}

/** A string that equal hashable values share; TypeError for unhashable ones. */
export function hashKey(v: PyValue, depth = 0, tick: () => void = walkBudget('hashing')): string {
  tick();
  if (depth > MAX_VALUE_DEPTH) tooDeep('hashing an object');
  if (v === null) return 'N';
  switch (typeof v) {
    case 'boolean':
      return `n${v ? 1 : 0}`;
    case 'number':
      return `n${v}`;
    case 'string':
      return `s${v}`;
  }
  if (v instanceof PyFloat) return Number.isNaN(v.value) ? 'nan' : `n${v.value}`;
  if (v instanceof PyTuple) return `t(${v.items.map((x) => hashKey(x, depth + 1, tick)).join(',')})`;
  if (v instanceof PyList || v instanceof PyDict) throw pyError('TypeError', `unhashable type: '${typeName(v)}'`);
  return v.hashKey();
}

// ---- ordering ----------------------------------------------------------------

/** Python's <, for the types that order: numbers, strings, tuples and lists. */
export function lessThan(a: PyValue, b: PyValue, op: string, depth = 0): boolean {
  if (depth > MAX_VALUE_DEPTH) tooDeep('comparing objects');
  const na = numberOf(a);
  const nb = numberOf(b);
  if (na !== undefined && nb !== undefined) return na < nb;
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b) < 0;
  if ((a instanceof PyTuple && b instanceof PyTuple) || (a instanceof PyList && b instanceof PyList)) {
    const x = a.items;
    const y = b.items;
    for (let i = 0; i < Math.min(x.length, y.length); i++) {
      if (!pyEquals(x[i], y[i], depth + 1)) return lessThan(x[i], y[i], op, depth + 1);
    }
    return x.length < y.length;
  }
  throw pyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

function compareCodePoints(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i].codePointAt(0)! - y[i].codePointAt(0)!;
    if (d) return d;
  }
  return x.length - y.length;
}

// ---- repr and str --------------------------------------------------------------

export function repr(v: PyValue, depth = 0, seen: Set<object> = new Set(), tick: () => void = walkBudget('its repr')): string {
  tick();
  if (depth > MAX_VALUE_DEPTH) tooDeep('getting the repr of an object');
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'number':
      return String(v);
    case 'string':
      return saferepr(v);
  }
  if (v instanceof PyFloat) return saferepr(pprintFloat(v.value));
  if (v instanceof PyTuple) {
    const items = v.items.map((x) => repr(x, depth + 1, seen, tick));
    return items.length === 1 ? `(${items[0]},)` : `(${items.join(', ')})`;
  }
  if (v instanceof PyList) {
    if (seen.has(v)) return '[...]';
    seen.add(v);
    const out = `[${v.items.map((x) => repr(x, depth + 1, seen, tick)).join(', ')}]`;
    seen.delete(v);
    return out;
  }
  if (v instanceof PyDict) {
    if (seen.has(v)) return '{...}';
    seen.add(v);
    const out = `{${v
      .items()
      .map(([k, x]) => `${repr(k, depth + 1, seen, tick)}: ${repr(x, depth + 1, seen, tick)}`)
      .join(', ')}}`;
    seen.delete(v);
    return out;
  }
  return v.repr();
}

export function str(v: PyValue): string {
  return typeof v === 'string' ? v : repr(v);
}

// ---- calling conventions for builtins ----------------------------------------

export interface ParamSpec {
  name: string;
  /** Absent: required. */
  default?: PyValue;
}

/**
 * Binds positional and keyword arguments to parameters as Python does for
 * a function `name(p1, p2=…, …)`, with Python's TypeError texts. With
 * `extraKwargs`, unknown keywords are returned instead of refused.
 */
export function bindArguments(
  name: string,
  params: ParamSpec[],
  args: PyValue[],
  kwargs: Kwargs,
  options: { extraKwargs?: boolean; maxPositional?: number } = {},
): { values: Map<string, PyValue>; extra: Kwargs } {
  const values = new Map<string, PyValue>();
  const maxPositional = options.maxPositional ?? params.length;
  if (args.length > maxPositional) {
    const required = params.slice(0, maxPositional).filter((p) => p.default === undefined).length;
    const takes = required === maxPositional ? `${maxPositional}` : `from ${required} to ${maxPositional}`;
    throw pyError('TypeError', `${name}() takes ${takes} positional argument${maxPositional === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
  }
  args.forEach((a, i) => values.set(params[i].name, a));
  const extra: Kwargs = new Map();
  for (const [k, v] of kwargs) {
    const known = params.some((p) => p.name === k);
    if (!known) {
      if (options.extraKwargs) {
        extra.set(k, v);
        continue;
      }
      throw pyError('TypeError', `${name}() got an unexpected keyword argument '${k}'`);
    }
    if (values.has(k)) throw pyError('TypeError', `${name}() got multiple values for argument '${k}'`);
    values.set(k, v);
  }
  const missing = params.filter((p) => p.default === undefined && !values.has(p.name)).map((p) => `'${p.name}'`);
  if (missing.length) {
    const list = missing.length === 1 ? missing[0] : `${missing.slice(0, -1).join(', ')} and ${missing[missing.length - 1]}`;
    throw pyError('TypeError', `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${list}`);
  }
  for (const p of params) if (!values.has(p.name) && p.default !== undefined) values.set(p.name, p.default);
  return { values, extra };
}

/** Items of a list or tuple, for builtins that accept either. */
export function sequenceItems(v: PyValue): readonly PyValue[] | null {
  if (v instanceof PyList || v instanceof PyTuple) return v.items;
  return null;
}
