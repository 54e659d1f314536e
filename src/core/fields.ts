/**
 * AMQP field values (arguments and headers) as JavaScript holds them.
 *
 * Plain values follow amqplib's encoding rules (integers get the smallest
 * signed type that fits, other numbers are doubles, strings are longstr,
 * null is void), and `{ '!': type, value }` names a type explicitly, exactly
 * as amqplib accepts it. RabbitMQ's error texts name these types, so the
 * engine must know them.
 */

export type FieldValue =
  | string
  | number
  | boolean
  | null
  | Uint8Array
  | FieldValue[]
  | FieldTable
  | TypedValue;

export interface TypedValue {
  '!': string;
  value: unknown;
}

export interface FieldTable {
  [key: string]: FieldValue | undefined;
}

/** RabbitMQ's name for a field's type, as it appears in error texts. */
export type AmqpType =
  | 'longstr'
  | 'byte'
  | 'short'
  | 'signedint'
  | 'long'
  | 'unsignedbyte'
  | 'unsignedshort'
  | 'unsignedint'
  | 'double'
  | 'float'
  | 'bool'
  | 'void'
  | 'array'
  | 'table'
  | 'timestamp'
  | 'decimal'
  | 'binary';

const explicitTypes: Record<string, AmqpType> = {
  string: 'longstr',
  longstr: 'longstr',
  byte: 'byte',
  int8: 'byte',
  short: 'short',
  int16: 'short',
  int: 'signedint',
  int32: 'signedint',
  signedint: 'signedint',
  long: 'long',
  int64: 'long',
  unsignedbyte: 'unsignedbyte',
  uint8: 'unsignedbyte',
  unsignedshort: 'unsignedshort',
  uint16: 'unsignedshort',
  unsignedint: 'unsignedint',
  uint32: 'unsignedint',
  double: 'double',
  float64: 'double',
  float: 'float',
  boolean: 'bool',
  bool: 'bool',
  timestamp: 'timestamp',
  decimal: 'decimal',
};

export function isTyped(v: unknown): v is TypedValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array) && Object.hasOwn(v, '!');
}

function isFloatingPoint(n: number): boolean {
  return n >= 0x8000000000000000 || (Math.abs(n) < 0x4000000000000 && Math.floor(n) !== n);
}

function numberType(n: number): AmqpType {
  if (isFloatingPoint(n)) return 'double';
  if (n < 128 && n >= -128) return 'byte';
  if (n >= -0x8000 && n < 0x8000) return 'short';
  if (n >= -0x80000000 && n < 0x80000000) return 'signedint';
  return 'long';
}

/** The AMQP type a value travels as. */
export function typeOf(v: FieldValue): AmqpType {
  if (v === null) return 'void';
  switch (typeof v) {
    case 'string':
      return 'longstr';
    case 'number':
      return numberType(v);
    case 'boolean':
      return 'bool';
  }
  if (Array.isArray(v)) return 'array';
  if (v instanceof Uint8Array) return 'binary';
  if (isTyped(v)) {
    const t = explicitTypes[v['!']];
    if (!t) throw new TypeError(`Unknown type to encode: ${v['!']}`);
    return t;
  }
  return 'table';
}

/** The bare value, without an explicit-type wrapper. */
export function valueOf(v: FieldValue): unknown {
  return isTyped(v) ? v.value : v;
}

const INTEGER_TYPES = new Set<AmqpType>(['byte', 'short', 'signedint', 'long', 'unsignedbyte', 'unsignedshort', 'unsignedint', 'decimal']);

export function isIntegerType(t: AmqpType): boolean {
  return INTEGER_TYPES.has(t) && t !== 'decimal';
}

/** RabbitMQ's type_class/1: integer types are one class, floats another. */
export function typeClass(t: AmqpType): string {
  if (INTEGER_TYPES.has(t)) return 'int';
  if (t === 'float' || t === 'double') return 'float';
  return t;
}

/**
 * Erlang's `==` on decoded values, which RabbitMQ 3.10 uses to compare
 * header values: numbers compare by value whatever their AMQP type,
 * everything else structurally.
 */
export function looseEquals(a: FieldValue, b: FieldValue): boolean {
  const av = valueOf(a);
  const bv = valueOf(b);
  if (typeof av === 'number' && typeof bv === 'number') return av === bv;
  return strictEquals(a, b);
}

/** Equality including types (binding identity, argument equivalence). */
export function strictEquals(a: FieldValue, b: FieldValue): boolean {
  const ta = typeOf(a);
  if (ta !== typeOf(b)) return false;
  const av = valueOf(a) as unknown;
  const bv = valueOf(b) as unknown;
  return deepEqual(av, bv);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Uint8Array && b instanceof Uint8Array) {
    return a.length === b.length && a.every((x, i) => x === b[i]);
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => strictEquals(x as FieldValue, b[i] as FieldValue));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a).filter((k) => (a as FieldTable)[k] !== undefined);
    const kb = Object.keys(b).filter((k) => (b as FieldTable)[k] !== undefined);
    if (ka.length !== kb.length) return false;
    return ka.every((k) => k in b && strictEquals((a as FieldTable)[k] as FieldValue, (b as FieldTable)[k] as FieldValue));
  }
  return false;
}

/** Present keys of a table (amqplib skips undefined values when encoding). */
export function tableKeys(t: FieldTable | undefined): string[] {
  if (!t) return [];
  return Object.keys(t).filter((k) => t[k] !== undefined);
}

/** No keys, or only keys whose value is undefined (what tableKeys leaves out). */
function isEmptyTable(t: FieldTable): boolean {
  for (const k in t) if (Object.hasOwn(t, k) && t[k] !== undefined) return false;
  return true;
}

/** A canonical string for a table: sorted keys, types included. */
export function tableKey(t: FieldTable | undefined): string {
  if (!t || isEmptyTable(t)) return '';
  const keys = tableKeys(t);
  if (keys.length === 0) return '';
  keys.sort();
  return keys.map((k) => `${JSON.stringify(k)}:${canonical(t![k] as FieldValue)}`).join(',');
}

function canonical(v: FieldValue): string {
  const t = typeOf(v);
  const raw = valueOf(v);
  if (t === 'table') return `table{${tableKey(raw as FieldTable)}}`;
  if (t === 'array') return `array[${(raw as FieldValue[]).map(canonical).join(',')}]`;
  if (t === 'binary') return `binary(${Array.from(raw as Uint8Array).join(' ')})`;
  return `${t}(${JSON.stringify(raw)})`;
}

/** Erlang-style rendering of a value inside an error text ('~s' or '~p'). */
export function renderValue(v: FieldValue): string {
  const raw = valueOf(v);
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return Number.isInteger(raw) ? String(raw) : erlangFloat(raw);
  if (typeof raw === 'boolean') return String(raw);
  if (raw === null) return 'undefined';
  if (raw instanceof Uint8Array) return `<<${Array.from(raw).join(',')}>>`;
  return JSON.stringify(raw);
}

/** Erlang's ~p for floats: shortest form with at least one decimal, e.g. 1.5, 2.0e3 */
function erlangFloat(n: number): string {
  const s = String(n);
  return s.includes('.') || s.includes('e') ? s.replace('e+', 'e') : `${s}.0`;
}

/** Reads an integer argument; undefined when absent, null when not an integer type. */
export function integerArg(table: FieldTable | undefined, key: string): number | undefined | null {
  const v = table?.[key];
  if (v === undefined) return undefined;
  return isIntegerType(typeOf(v)) ? Number(valueOf(v)) : null;
}

export function stringArg(table: FieldTable | undefined, key: string): string | undefined | null {
  const v = table?.[key];
  if (v === undefined) return undefined;
  const raw = valueOf(v);
  return typeOf(v) === 'longstr' && typeof raw === 'string' ? raw : null;
}
