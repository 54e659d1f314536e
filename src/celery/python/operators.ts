/**
 * Python's operators on the interpreter's values: arithmetic with Python's
 * int/float rules (floor division and modulo round toward -inf, / is always
 * true division), concatenation and repetition of sequences, bitwise
 * operators on ints, comparisons and membership — with Python's TypeError
 * and ZeroDivisionError texts. Results are bounded: ints stay within 2**53
 * and strings or lists within MAX_SEQUENCE items.
 */
import type { BinOperator, CompareOperator } from './ast.ts';
import { pyError } from './errors.ts';
import { PyDict, PyFloat, PyList, PyObject, PyTuple, hashKey, isIntLike, lessThan, numberOf, pyEquals, typeName, type PyValue } from './values.ts';

/** Longest string or list an operation may build (a megabyte of text). */
export const MAX_SEQUENCE = 1 << 20;

function int(n: number): number {
  if (!Number.isSafeInteger(n)) throw pyError('OverflowError', 'integer result beyond 2**53, outside the sandbox\'s Python subset');
  return n;
}

function float(n: number): PyFloat {
  if (!Number.isFinite(n)) throw pyError('OverflowError', 'float result out of range');
  return new PyFloat(n);
}

function unsupported(op: string, a: PyValue, b: PyValue): never {
  throw pyError('TypeError', `unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

/** Everything one run may build by concatenation and repetition, together. */
export const MAX_BUILT = 16 << 20;

/** What the current run has built so far (the interpreter resets it per run). */
export const built = { items: 0 };

export function checkLength(n: number): void {
  if (n > MAX_SEQUENCE) throw pyError('MemoryError', `a result of ${n} items is more than the sandbox allows (${MAX_SEQUENCE})`);
  built.items += n;
  if (built.items > MAX_BUILT) throw pyError('MemoryError', `the configuration built more than ${MAX_BUILT} items in strings and lists; the sandbox stopped it here`);
}

function repeat<T>(items: readonly T[], times: number): T[] {
  const n = Math.max(0, times);
  checkLength(items.length * n);
  const out: T[] = [];
  for (let k = 0; k < n; k++) out.push(...items);
  return out;
}

function floorMod(a: number, b: number): number {
  const r = a % b;
  return r !== 0 && r < 0 !== b < 0 ? r + b : r;
}

export function binaryOp(op: BinOperator, a: PyValue, b: PyValue): PyValue {
  const x = numberOf(a);
  const y = numberOf(b);
  if (x !== undefined && y !== undefined) {
    const ints = isIntLike(a) && isIntLike(b);
    if ((op === '|' || op === '&' || op === '^') && typeof a === 'boolean' && typeof b === 'boolean') {
      return op === '|' ? a || b : op === '&' ? a && b : a !== b;
    }
    switch (op) {
      case '+':
        return ints ? int(x + y) : float(x + y);
      case '-':
        return ints ? int(x - y) : float(x - y);
      case '*':
        return ints ? int(x * y) : float(x * y);
      case '/':
        if (y === 0) throw pyError('ZeroDivisionError', ints ? 'division by zero' : 'float division by zero');
        return float(x / y);
      case '//':
        if (y === 0) throw pyError('ZeroDivisionError', ints ? 'integer division or modulo by zero' : 'float floor division by zero');
        return ints ? int(Math.floor(x / y)) : float(Math.floor(x / y));
      case '%':
        if (y === 0) throw pyError('ZeroDivisionError', ints ? 'integer modulo by zero' : 'float modulo');
        return ints ? int(floorMod(x, y)) : float(floorMod(x, y));
      case '**':
        if (x === 0 && y < 0) throw pyError('ZeroDivisionError', '0.0 cannot be raised to a negative power');
        return ints && y >= 0 ? int(x ** y) : float(x ** y);
    }
    if (!ints) unsupported(op, a, b);
    switch (op) {
      case '|':
        return int(Number(BigInt(x) | BigInt(y)));
      case '&':
        return int(Number(BigInt(x) & BigInt(y)));
      case '^':
        return int(Number(BigInt(x) ^ BigInt(y)));
      case '<<':
        if (y < 0) throw pyError('ValueError', 'negative shift count');
        if (y > 64) throw pyError('OverflowError', 'integer result beyond 2**53, outside the sandbox\'s Python subset');
        return int(Number(BigInt(x) << BigInt(y)));
      case '>>':
        if (y < 0) throw pyError('ValueError', 'negative shift count');
        return int(Number(BigInt(x) >> BigInt(Math.min(y, 64))));
    }
  }
  if (op === '+') {
    if (typeof a === 'string') {
      if (typeof b !== 'string') throw pyError('TypeError', `can only concatenate str (not "${typeName(b)}") to str`);
      checkLength(a.length + b.length);
      return a + b;
    }
    if (a instanceof PyList) {
      if (!(b instanceof PyList)) throw pyError('TypeError', `can only concatenate list (not "${typeName(b)}") to list`);
      checkLength(a.items.length + b.items.length);
      return new PyList([...a.items, ...b.items]);
    }
    if (a instanceof PyTuple) {
      if (!(b instanceof PyTuple)) throw pyError('TypeError', `can only concatenate tuple (not "${typeName(b)}") to tuple`);
      checkLength(a.items.length + b.items.length);
      return new PyTuple([...a.items, ...b.items]);
    }
  }
  if (op === '*') {
    const [seq, n] = isIntLike(b) ? [a, numberOf(b)!] : isIntLike(a) ? [b, numberOf(a)!] : [null, 0];
    if (typeof seq === 'string') {
      checkLength(seq.length * Math.max(0, n));
      return n > 0 ? seq.repeat(n) : '';
    }
    if (seq instanceof PyList) return new PyList(repeat(seq.items, n));
    if (seq instanceof PyTuple) return new PyTuple(repeat(seq.items, n));
  }
  if (op === '|' && a instanceof PyDict && b instanceof PyDict) {
    const out = a.copy();
    for (const [k, v] of b.items()) out.set(k, v);
    return out;
  }
  if (op === '%' && typeof a === 'string') throw pyError('Unsupported', "printf-style formatting ('%') is outside the sandbox's Python subset");
  unsupported(op, a, b);
}

export function unaryOp(op: '-' | '+' | '~', v: PyValue): PyValue {
  const n = numberOf(v);
  if (n === undefined || (op === '~' && v instanceof PyFloat)) {
    throw pyError('TypeError', `bad operand type for unary ${op}: '${typeName(v)}'`);
  }
  if (v instanceof PyFloat) return new PyFloat(op === '-' ? -n : n);
  if (op === '~') return int(-n - 1);
  return op === '-' ? int(n === 0 ? 0 : -n) : n;
}

export function contains(container: PyValue, item: PyValue): boolean {
  if (typeof container === 'string') {
    if (typeof item !== 'string') throw pyError('TypeError', `'in <string>' requires string as left operand, not ${typeName(item)}`);
    return container.includes(item);
  }
  if (container instanceof PyList || container instanceof PyTuple) return container.items.some((x) => pyEquals(x, item));
  if (container instanceof PyDict) {
    hashKey(item);
    return container.has(item);
  }
  if (container instanceof PyObject) {
    const items = (container as { containsItem?: (v: PyValue) => boolean }).containsItem;
    if (items) return items.call(container, item);
  }
  throw pyError('TypeError', `argument of type '${typeName(container)}' is not iterable`);
}

function orderable(a: PyValue, b: PyValue, op: string): void {
  const ok =
    (numberOf(a) !== undefined && numberOf(b) !== undefined) ||
    (typeof a === 'string' && typeof b === 'string') ||
    (a instanceof PyTuple && b instanceof PyTuple) ||
    (a instanceof PyList && b instanceof PyList);
  if (!ok) throw pyError('TypeError', `'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

export function compare(op: CompareOperator, a: PyValue, b: PyValue): boolean {
  if (op === '<' || op === '>' || op === '<=' || op === '>=') orderable(a, b, op);
  switch (op) {
    case '==':
      return pyEquals(a, b);
    case '!=':
      return !pyEquals(a, b);
    case '<':
      return lessThan(a, b, op);
    case '>':
      return lessThan(b, a, op);
    case '<=':
      return lessThan(a, b, op) || (pyEquals(a, b) && !(a instanceof PyFloat && Number.isNaN(a.value)));
    case '>=':
      return lessThan(b, a, op) || (pyEquals(a, b) && !(a instanceof PyFloat && Number.isNaN(a.value)));
    case 'in':
      return contains(b, a);
    case 'not in':
      return !contains(b, a);
    case 'is':
      return identical(a, b);
    case 'is not':
      return !identical(a, b);
  }
}

function identical(a: PyValue, b: PyValue): boolean {
  if (a instanceof PyFloat && b instanceof PyFloat) return a === b;
  return a === b;
}
