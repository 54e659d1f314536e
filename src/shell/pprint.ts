/**
 * A port of CPython 3.11's `pprint.pformat` (Lib/pprint.py), for the shell,
 * which prints messages the way the classic `celery amqp` shell does: as
 * Python pretty-prints a dict.
 *
 * Ported: `PrettyPrinter._format`, `_pprint_dict`, `_format_dict_items`,
 * `_pprint_list`, `_pprint_tuple`, `_format_items` (compact mode too),
 * `_pprint_str`, `_pprint_bytes`, `_wrap_bytes_repr` and `_safe_repr`, with
 * their `allowance`, `context` and `level` handling, and every option
 * (`indent`, `width`, `depth`, `compact`, `sort_dicts`, `underscore_numbers`).
 * The `repr` of each value type is Python's: `str` (quote choice, escapes,
 * `str.isprintable`), `bytes`, `int`, `float` (shortest round trip, Python's
 * switch to exponent notation), `bool`, `None`.
 *
 * Python values are modelled as follows (see `PyValue`):
 *
 *   Python     JS
 *   str        string (UTF-16; a surrogate pair is one code point)
 *   int        number (must be an integer) or bigint
 *   bool       boolean
 *   None       null
 *   float      { float: number }      (pyFloat)
 *   list       array
 *   tuple      { tuple: PyValue[] }   (pyTuple)
 *   bytes      { bytes: Uint8Array }  (pyBytes)
 *   dict       Map<PyKey, PyValue>    (pyDict); keys are str, int, bool or None
 *
 * Lengths are counted in code points, as Python's `len` does, and strings
 * compare by code point, as Python sorts them. Dict keys sort as Python sorts
 * them: None, then ints and bools by value, then strs (Python falls back to
 * comparing type names for keys of different types, which gives this order).
 *
 * Two things cannot be reproduced: Python writes `id(obj)` (a memory address)
 * into `<Recursion on list with id=...>`, where this port writes a number
 * counted from 1 within one call; and a JS Map may hold both `1` and `true`,
 * which a Python dict would merge.
 *
 * No Node-only APIs: this runs in the browser.
 */

/** A dict key: str, int, bool or None. */
export type PyKey = string | number | bigint | boolean | null;

/** A Python float (a plain JS number is an int). */
export interface PyFloat {
  readonly float: number;
}

/** A Python tuple. */
export interface PyTuple {
  readonly tuple: readonly PyValue[];
}

/** A Python bytes object. */
export interface PyBytes {
  readonly bytes: Uint8Array;
}

/** A Python dict; insertion order is kept (it matters with `sortDicts: false`). */
export type PyDict = ReadonlyMap<PyKey, PyValue>;

/** A Python list. */
export type PyList = readonly PyValue[];

/** A Python value, as this module models it (see the module comment). */
export type PyValue =
  | string
  | number
  | bigint
  | boolean
  | null
  | PyFloat
  | PyTuple
  | PyBytes
  | PyList
  | PyDict;

export const pyFloat = (value: number): PyFloat => ({ float: value });
export const pyTuple = (...items: PyValue[]): PyTuple => ({ tuple: items });
export const pyBytes = (bytes: Uint8Array | readonly number[]): PyBytes => ({
  bytes: bytes instanceof Uint8Array ? bytes : Uint8Array.from(bytes),
});

/** A dict from an object's own string keys, or from [key, value] pairs, in order. */
export function pyDict(
  entries: Readonly<Record<string, PyValue>> | Iterable<readonly [PyKey, PyValue]>,
): Map<PyKey, PyValue> {
  if (Symbol.iterator in entries) return new Map(entries as Iterable<readonly [PyKey, PyValue]>);
  return new Map(Object.entries(entries as Readonly<Record<string, PyValue>>));
}

/** `pprint.pformat`'s keyword arguments; the defaults are Python's. */
export interface PformatOptions {
  /** Spaces added for each level of nesting; default 1. */
  indent?: number;
  /** The width aimed at; default 80. */
  width?: number;
  /** Nesting levels shown before `...`; default null (all). */
  depth?: number | null;
  /** Several short items on a line; default false. */
  compact?: boolean;
  /** Sort dict keys; default true. */
  sortDicts?: boolean;
  /** Write ints as 1_000_000; default false. */
  underscoreNumbers?: boolean;
}

/** `pprint.pformat(value, ...)`. */
export function pformat(value: PyValue, options: PformatOptions = {}): string {
  return new PrettyPrinter(options).pformat(value);
}

/** `pprint.saferepr(value)`: `repr(value)`, with recursion shown, dicts sorted. */
export function saferepr(value: PyValue): string {
  return new PrettyPrinter({}).safeRepr(value, new Set(), null, 0);
}

// ---------------------------------------------------------------------------
// Values

type Kind = 'str' | 'int' | 'bool' | 'none' | 'float' | 'list' | 'tuple' | 'bytes' | 'dict';

function kindOf(value: PyValue): Kind {
  switch (typeof value) {
    case 'string':
      return 'str';
    case 'bigint':
      return 'int';
    case 'number':
      if (!Number.isInteger(value)) {
        throw new TypeError(`pprint: ${value} is not an int; wrap floats as { float: ${value} }`);
      }
      return 'int';
    case 'boolean':
      return 'bool';
    case 'object':
      if (value === null) return 'none';
      if (Array.isArray(value)) return 'list';
      if (value instanceof Map) return 'dict';
      if ('float' in value && typeof value.float === 'number') return 'float';
      if ('tuple' in value && Array.isArray(value.tuple)) return 'tuple';
      if ('bytes' in value && value.bytes instanceof Uint8Array) return 'bytes';
      break;
  }
  throw new TypeError(`pprint: not a Python value: ${String(value)}`);
}

const TYPE_NAMES: Record<'list' | 'tuple' | 'dict', string> = { list: 'list', tuple: 'tuple', dict: 'dict' };

/** Python's `len` of a string: code points, not UTF-16 units. */
function pyLen(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/** `' ' * n`, which is '' for n <= 0 in Python. */
const spaces = (n: number): string => (n > 0 ? ' '.repeat(n) : '');

/** Python's `<` on two strings: by code point. */
function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  if (i === n) return a.length - b.length;
  // If the strings part inside a surrogate pair, compare from its start.
  if (i > 0 && isHigh(a.charCodeAt(i - 1)) && (isLow(a.charCodeAt(i)) || isLow(b.charCodeAt(i)))) i--;
  return (a.codePointAt(i) as number) - (b.codePointAt(i) as number);
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number) => c >= 0xdc00 && c <= 0xdfff;

/**
 * Python's `<` between dict keys, with `_safe_key`'s fallback for keys that do
 * not compare (comparing `str(type(key))`): None, then ints and bools, then strs.
 */
function compareKeys(a: PyKey, b: PyKey): number {
  const ra = keyRank(a);
  const rb = keyRank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 2) return compareStrings(a as string, b as string);
  if (ra === 1) {
    const x = typeof a === 'boolean' ? Number(a) : (a as number | bigint);
    const y = typeof b === 'boolean' ? Number(b) : (b as number | bigint);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  return 0;
}

function keyRank(key: PyKey): number {
  if (key === null) return 0;
  switch (typeof key) {
    case 'string':
      return 2;
    case 'boolean':
    case 'bigint':
      return 1;
    case 'number':
      if (Number.isInteger(key)) return 1;
      break;
  }
  throw new TypeError(`pprint: not a dict key this port supports: ${String(key)}`);
}

/** `sorted(d.items(), key=_safe_tuple)`; stable, as Python's sort is. */
function sortedItems(dict: PyDict): [PyKey, PyValue][] {
  return [...dict.entries()].sort((x, y) => compareKeys(x[0], y[0]));
}

// ---------------------------------------------------------------------------
// repr of scalars

/** `str.isspace()`, which is also what `\s` matches in a `str` pattern. */
export function pyIsSpace(cp: number): boolean {
  if (cp <= 0x20) return (cp >= 0x09 && cp <= 0x0d) || (cp >= 0x1c && cp <= 0x20);
  if (cp < 0x85) return false;
  return (
    cp === 0x85 ||
    cp === 0xa0 ||
    cp === 0x1680 ||
    (cp >= 0x2000 && cp <= 0x200a) ||
    cp === 0x2028 ||
    cp === 0x2029 ||
    cp === 0x202f ||
    cp === 0x205f ||
    cp === 0x3000
  );
}

/** The line boundaries of `str.splitlines` (\r\n is one boundary). */
function isLineBreak(c: number): boolean {
  return (
    (c >= 0x0a && c <= 0x0d) || (c >= 0x1c && c <= 0x1e) || c === 0x85 || c === 0x2028 || c === 0x2029
  );
}

const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

/**
 * Code points unassigned (Cn, so not printable) in Unicode 14.0.0, which
 * CPython 3.11's unicodedata follows, but assigned by later versions (up to
 * 17.0), whose assignments a JS engine's `\p{...}` may know. Sorted inclusive
 * [first, last] pairs: Python 3.11.7's `str.isprintable` against Node 20's
 * ICU (Unicode 17.0). The tests check every code point against the ranges
 * recorded from Python, so a newer engine that assigns more shows up there.
 */
const UNASSIGNED_IN_UNICODE_14 = [
  0x88f, 0x88f, 0x897, 0x897, 0xc5c, 0xc5c, 0xcdc, 0xcdc, 0xcf3, 0xcf3, 0xece, 0xece,
  0x1acf, 0x1add, 0x1ae0, 0x1aeb, 0x1b4e, 0x1b4f, 0x1b7f, 0x1b7f, 0x1c89, 0x1c8a, 0x20c1, 0x20c1,
  0x2427, 0x2429, 0x2b96, 0x2b96, 0x2ffc, 0x2fff, 0x31e4, 0x31e5, 0x31ef, 0x31ef, 0xa7cb, 0xa7cf,
  0xa7d2, 0xa7d2, 0xa7d4, 0xa7d4, 0xa7da, 0xa7dc, 0xa7f1, 0xa7f1, 0xfbc3, 0xfbd2, 0xfd90, 0xfd91,
  0xfdc8, 0xfdce, 0x105c0, 0x105f3, 0x10940, 0x10959, 0x10d40, 0x10d65, 0x10d69, 0x10d85,
  0x10d8e, 0x10d8f, 0x10ec2, 0x10ec7, 0x10ed0, 0x10ed8, 0x10efa, 0x10eff, 0x1123f, 0x11241,
  0x11380, 0x11389, 0x1138b, 0x1138b, 0x1138e, 0x1138e, 0x11390, 0x113b5, 0x113b7, 0x113c0,
  0x113c2, 0x113c2, 0x113c5, 0x113c5, 0x113c7, 0x113ca, 0x113cc, 0x113d5, 0x113d7, 0x113d8,
  0x113e1, 0x113e2, 0x116d0, 0x116e3, 0x11b00, 0x11b09, 0x11b60, 0x11b67, 0x11bc0, 0x11be1,
  0x11bf0, 0x11bf9, 0x11db0, 0x11ddb, 0x11de0, 0x11de9, 0x11f00, 0x11f10, 0x11f12, 0x11f3a,
  0x11f3e, 0x11f5a, 0x1342f, 0x1342f, 0x13440, 0x13455, 0x13460, 0x143fa, 0x16100, 0x16139,
  0x16d40, 0x16d79, 0x16ea0, 0x16eb8, 0x16ebb, 0x16ed3, 0x16ff2, 0x16ff6, 0x187f8, 0x187ff,
  0x18cff, 0x18cff, 0x18d09, 0x18d1e, 0x18d80, 0x18df2, 0x1b132, 0x1b132, 0x1b155, 0x1b155,
  0x1cc00, 0x1ccfc, 0x1cd00, 0x1ceb3, 0x1ceba, 0x1ced0, 0x1cee0, 0x1cef0, 0x1d2c0, 0x1d2d3,
  0x1df25, 0x1df2a, 0x1e030, 0x1e06d, 0x1e08f, 0x1e08f, 0x1e4d0, 0x1e4f9, 0x1e5d0, 0x1e5fa,
  0x1e5ff, 0x1e5ff, 0x1e6c0, 0x1e6de, 0x1e6e0, 0x1e6f5, 0x1e6fe, 0x1e6ff, 0x1f6d8, 0x1f6d8,
  0x1f6dc, 0x1f6dc, 0x1f774, 0x1f77f, 0x1f7d9, 0x1f7d9, 0x1f8b2, 0x1f8bb, 0x1f8c0, 0x1f8c1,
  0x1f8d0, 0x1f8d8, 0x1fa54, 0x1fa57, 0x1fa75, 0x1fa77, 0x1fa87, 0x1fa8a, 0x1fa8e, 0x1fa8f,
  0x1faad, 0x1faaf, 0x1fabb, 0x1fabf, 0x1fac6, 0x1fac6, 0x1fac8, 0x1fac8, 0x1facd, 0x1facf,
  0x1fada, 0x1fadc, 0x1fadf, 0x1fadf, 0x1fae8, 0x1faea, 0x1faef, 0x1faef, 0x1faf7, 0x1faf8,
  0x1fbcb, 0x1fbef, 0x1fbfa, 0x1fbfa, 0x2b739, 0x2b73f, 0x2cea2, 0x2cead, 0x2ebf0, 0x2ee5d,
  0x31350, 0x33479,
];

/** `str.isprintable()` for one code point (the space is printable). */
export function pyIsPrintable(cp: number): boolean {
  if (cp < 0x7f) return cp >= 0x20;
  if (cp < 0xa0) return false;
  if (cp > 0xffff) return isPrintableAbove7e(cp);
  // Memoised for the BMP: 0 unknown, 1 printable, 2 not.
  let known = bmpPrintable[cp];
  if (!known) bmpPrintable[cp] = known = isPrintableAbove7e(cp) ? 1 : 2;
  return known === 1;
}

const bmpPrintable = new Uint8Array(0x10000);

function isPrintableAbove7e(cp: number): boolean {
  return !inRanges(UNASSIGNED_IN_UNICODE_14, cp) && !NON_PRINTABLE.test(String.fromCodePoint(cp));
}

function inRanges(ranges: readonly number[], cp: number): boolean {
  let lo = 0;
  let hi = ranges.length / 2 - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (cp < ranges[2 * mid]) hi = mid - 1;
    else if (cp > ranges[2 * mid + 1]) lo = mid + 1;
    else return true;
  }
  return false;
}

const hex = (n: number, digits: number) => n.toString(16).padStart(digits, '0');

/** Printable ASCII without ' or \: its repr is the string in single quotes. */
const PLAIN = /^[ !"#$%&(-[\]-~]*$/;

/** `repr(s)` for a str (Objects/unicodeobject.c, unicode_repr). */
function strRepr(s: string): string {
  if (PLAIN.test(s)) return `'${s}'`;
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  const q = quote.charCodeAt(0);
  let out = quote;
  let start = 0; // s[start, i) needs no escape
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    let units = 1;
    let escape: string;
    if (cp < 0x7f) {
      if (cp >= 0x20) {
        if (cp !== q && cp !== 0x5c) continue;
        escape = '\\' + s[i];
      } else if (cp === 0x09) escape = '\\t';
      else if (cp === 0x0a) escape = '\\n';
      else if (cp === 0x0d) escape = '\\r';
      else escape = '\\x' + hex(cp, 2);
    } else {
      if (isHigh(cp) && isLow(s.charCodeAt(i + 1))) {
        cp = 0x10000 + ((cp - 0xd800) << 10) + (s.charCodeAt(i + 1) - 0xdc00);
        units = 2;
      }
      if (pyIsPrintable(cp)) {
        i += units - 1;
        continue;
      }
      if (cp <= 0xff) escape = '\\x' + hex(cp, 2);
      else if (cp <= 0xffff) escape = '\\u' + hex(cp, 4);
      else escape = '\\U' + hex(cp, 8);
    }
    out += s.slice(start, i) + escape;
    i += units - 1;
    start = i + 1;
  }
  return out + s.slice(start) + quote;
}

/** `repr(b)` for bytes (Objects/bytesobject.c, PyBytes_Repr). */
function bytesRepr(bytes: Uint8Array): string {
  const quote = bytes.includes(0x27) && !bytes.includes(0x22) ? 0x22 : 0x27;
  let out = 'b' + String.fromCharCode(quote);
  for (const b of bytes) {
    if (b === quote || b === 0x5c) out += '\\' + String.fromCharCode(b);
    else if (b === 0x09) out += '\\t';
    else if (b === 0x0a) out += '\\n';
    else if (b === 0x0d) out += '\\r';
    else if (b < 0x20 || b >= 0x7f) out += '\\x' + hex(b, 2);
    else out += String.fromCharCode(b);
  }
  return out + String.fromCharCode(quote);
}

/** `repr(n)` for an int, or `f"{n:_d}"`. */
function intRepr(n: number | bigint, underscores: boolean): string {
  const s = typeof n === 'bigint' || !Number.isSafeInteger(n) ? BigInt(n).toString() : String(n);
  if (!underscores) return s;
  const sign = s.startsWith('-') ? '-' : '';
  return sign + s.slice(sign.length).replace(/\B(?=(\d{3})+$)/g, '_');
}

/**
 * `repr(x)` for a float: the shortest digits that round-trip (as JS finds
 * them too), written with an exponent when the decimal point would fall more
 * than 16 places right of the first digit or 4 places left of it (Python/
 * pystrtod.c, format_float_short, mode 'r').
 */
function floatRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const sign = x < 0 ? '-' : '';
  // JS gives the same shortest digits, in one of '123.45', '0.00012', '1.5e+300'.
  const [mantissa, exponent = '0'] = String(Math.abs(x)).split('e');
  const [whole, fraction = ''] = mantissa.split('.');
  let digits = whole + fraction;
  let decpt = whole.length + Number(exponent); // value = 0.digits * 10**decpt
  const zeros = (/^0*/.exec(digits) as RegExpExecArray)[0].length;
  digits = digits.slice(zeros).replace(/0+$/, '');
  decpt -= zeros;
  if (decpt <= -4 || decpt > 16) {
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** `s.splitlines(True)`. */
function splitLinesKeepEnds(s: string): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isLineBreak(c)) continue;
    if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a) i++;
    lines.push(s.slice(start, i + 1));
    start = i + 1;
  }
  if (start < s.length) lines.push(s.slice(start));
  return lines;
}

/**
 * `re.findall(r'\S*\s*', line)` without its final empty match: runs of
 * non-space followed by their run of space. (Every whitespace character is in
 * the BMP and no surrogate, so scanning UTF-16 units is exact.)
 */
function wordsWithSpace(line: string): string[] {
  const parts: string[] = [];
  let i = 0;
  while (i < line.length) {
    let j = i;
    while (j < line.length && !pyIsSpace(line.charCodeAt(j))) j++;
    while (j < line.length && pyIsSpace(line.charCodeAt(j))) j++;
    parts.push(line.slice(i, j));
    i = j;
  }
  return parts;
}

/** `_wrap_bytes_repr`: reprs of 4-byte-aligned slices, each fitting `width`. */
function wrapBytesRepr(bytes: Uint8Array, width: number, allowance: number): string[] {
  const reprs: string[] = [];
  let current = bytes.subarray(0, 0);
  let start = 0; // current is bytes[start, start + current.length)
  const last = Math.floor(bytes.length / 4) * 4;
  for (let i = 0; i < bytes.length; i += 4) {
    const part = bytes.subarray(i, i + 4);
    const candidate = bytes.subarray(start, i + part.length);
    if (i === last) width -= allowance;
    if (bytesRepr(candidate).length > width) {
      if (current.length) reprs.push(bytesRepr(current));
      current = part;
      start = i;
    } else {
      current = candidate;
    }
  }
  if (current.length) reprs.push(bytesRepr(current));
  return reprs;
}

// ---------------------------------------------------------------------------
// The printer

type Context = Set<object>;

class PrettyPrinter {
  private readonly depth: number | null;
  private readonly indentPerLevel: number;
  private readonly width: number;
  private readonly compact: boolean;
  private readonly sortDicts: boolean;
  private readonly underscoreNumbers: boolean;
  private readonly ids = new Map<object, number>();
  private out: string[] = [];

  constructor(options: PformatOptions) {
    const indent = Math.trunc(options.indent ?? 1);
    const width = Math.trunc(options.width ?? 80);
    const depth = options.depth ?? null;
    if (!(indent >= 0)) throw new RangeError('indent must be >= 0');
    if (depth !== null && depth <= 0) throw new RangeError('depth must be > 0');
    if (!width) throw new RangeError('width must be != 0');
    this.depth = depth;
    this.indentPerLevel = indent;
    this.width = width;
    this.compact = options.compact ?? false;
    this.sortDicts = options.sortDicts ?? true;
    this.underscoreNumbers = options.underscoreNumbers ?? false;
  }

  pformat(value: PyValue): string {
    this.out = [];
    this.format(value, 0, 0, new Set(), 0);
    const text = this.out.join('');
    this.out = [];
    return text;
  }

  private write(s: string): void {
    this.out.push(s);
  }

  private recursion(value: object, kind: Kind): string {
    let id = this.ids.get(value);
    if (id === undefined) this.ids.set(value, (id = this.ids.size + 1));
    return `<Recursion on ${TYPE_NAMES[kind as 'list' | 'tuple' | 'dict']} with id=${id}>`;
  }

  private format(value: PyValue, indent: number, allowance: number, context: Context, level: number): void {
    const kind = kindOf(value);
    const obj = typeof value === 'object' && value !== null ? value : null;
    if (obj && context.has(obj)) {
      this.write(this.recursion(obj, kind));
      return;
    }
    const rep = this.repr(value, context, level);
    const maxWidth = this.width - indent - allowance;
    if (pyLen(rep) > maxWidth) {
      const pprint = this.dispatch(kind);
      if (pprint) {
        if (obj) context.add(obj);
        pprint.call(this, value, indent, allowance, context, level + 1);
        if (obj) context.delete(obj);
        return;
      }
    }
    this.write(rep);
  }

  private dispatch(kind: Kind): PrettyPrintMethod | null {
    switch (kind) {
      case 'dict':
        return this.pprintDict as PrettyPrintMethod;
      case 'list':
        return this.pprintList as PrettyPrintMethod;
      case 'tuple':
        return this.pprintTuple as PrettyPrintMethod;
      case 'str':
        return this.pprintStr as PrettyPrintMethod;
      case 'bytes':
        return this.pprintBytes as PrettyPrintMethod;
      default:
        return null;
    }
  }

  private pprintDict(dict: PyDict, indent: number, allowance: number, context: Context, level: number): void {
    this.write('{');
    if (this.indentPerLevel > 1) this.write(spaces(this.indentPerLevel - 1));
    if (dict.size) {
      const items = this.sortDicts ? sortedItems(dict) : [...dict.entries()];
      this.formatDictItems(items, indent, allowance + 1, context, level);
    }
    this.write('}');
  }

  private pprintList(list: PyList, indent: number, allowance: number, context: Context, level: number): void {
    this.write('[');
    this.formatItems(list, indent, allowance + 1, context, level);
    this.write(']');
  }

  private pprintTuple(tuple: PyTuple, indent: number, allowance: number, context: Context, level: number): void {
    this.write('(');
    const endchar = tuple.tuple.length === 1 ? ',)' : ')';
    this.formatItems(tuple.tuple, indent, allowance + endchar.length, context, level);
    this.write(endchar);
  }

  private pprintStr(s: string, indent: number, allowance: number, _context: Context, level: number): void {
    if (!s.length) {
      this.write(strRepr(s));
      return;
    }
    const chunks: string[] = [];
    const lines = splitLinesKeepEnds(s);
    if (level === 1) {
      indent += 1;
      allowance += 1;
    }
    const maxWidth = this.width - indent;
    let maxWidth1 = maxWidth;
    let rep = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i];
      rep = strRepr(line);
      if (i === lines.length - 1) maxWidth1 -= allowance;
      if (pyLen(rep) <= maxWidth1) {
        chunks.push(rep);
      } else {
        // Alternating (non-space, space) runs
        const parts = wordsWithSpace(line);
        let maxWidth2 = maxWidth;
        let current = '';
        for (let j = 0; j < parts.length; j++) {
          const part = parts[j];
          const candidate = current + part;
          if (j === parts.length - 1 && i === lines.length - 1) maxWidth2 -= allowance;
          if (pyLen(strRepr(candidate)) > maxWidth2) {
            if (current) chunks.push(strRepr(current));
            current = part;
          } else {
            current = candidate;
          }
        }
        if (current) chunks.push(strRepr(current));
      }
    }
    if (chunks.length === 1) {
      this.write(rep);
      return;
    }
    if (level === 1) this.write('(');
    chunks.forEach((chunk, i) => {
      if (i > 0) this.write('\n' + spaces(indent));
      this.write(chunk);
    });
    if (level === 1) this.write(')');
  }

  private pprintBytes(value: PyBytes, indent: number, allowance: number, _context: Context, level: number): void {
    const bytes = value.bytes;
    if (bytes.length <= 4) {
      this.write(bytesRepr(bytes));
      return;
    }
    const parens = level === 1;
    if (parens) {
      indent += 1;
      allowance += 1;
      this.write('(');
    }
    let delim = '';
    for (const rep of wrapBytesRepr(bytes, this.width - indent, allowance)) {
      this.write(delim);
      this.write(rep);
      if (!delim) delim = '\n' + spaces(indent);
    }
    if (parens) this.write(')');
  }

  private formatDictItems(
    items: [PyKey, PyValue][],
    indent: number,
    allowance: number,
    context: Context,
    level: number,
  ): void {
    indent += this.indentPerLevel;
    const delimnl = ',\n' + spaces(indent);
    const lastIndex = items.length - 1;
    items.forEach(([key, ent], i) => {
      const last = i === lastIndex;
      const rep = this.repr(key, context, level);
      this.write(rep);
      this.write(': ');
      this.format(ent, indent + pyLen(rep) + 2, last ? allowance : 1, context, level);
      if (!last) this.write(delimnl);
    });
  }

  private formatItems(
    items: readonly PyValue[],
    indent: number,
    allowance: number,
    context: Context,
    level: number,
  ): void {
    indent += this.indentPerLevel;
    if (this.indentPerLevel > 1) this.write(spaces(this.indentPerLevel - 1));
    const delimnl = ',\n' + spaces(indent);
    let delim = '';
    let maxWidth = this.width - indent + 1;
    let width = maxWidth;
    for (let i = 0; i < items.length; i++) {
      const ent = items[i];
      const last = i === items.length - 1;
      if (last) {
        maxWidth -= allowance;
        width -= allowance;
      }
      if (this.compact) {
        const rep = this.repr(ent, context, level);
        const w = pyLen(rep) + 2;
        if (width < w) {
          width = maxWidth;
          if (delim) delim = delimnl;
        }
        if (width >= w) {
          width -= w;
          this.write(delim);
          delim = ', ';
          this.write(rep);
          continue;
        }
      }
      this.write(delim);
      delim = delimnl;
      this.format(ent, indent, last ? allowance : 1, context, level);
    }
  }

  /** `_repr`: the one-line repr, with `depth` applied. */
  private repr(value: PyValue, context: Context, level: number): string {
    return this.safeRepr(value, context, this.depth, level);
  }

  /** `_safe_repr`, less the readable/recursive flags pformat does not use. */
  safeRepr(value: PyValue, context: Context, maxlevels: number | null, level: number): string {
    const kind = kindOf(value);
    switch (kind) {
      case 'str':
        return strRepr(value as string);
      case 'bytes':
        return bytesRepr((value as PyBytes).bytes);
      case 'float':
        return floatRepr((value as PyFloat).float);
      case 'bool':
        return value ? 'True' : 'False';
      case 'none':
        return 'None';
      case 'int':
        return intRepr(value as number | bigint, this.underscoreNumbers);
      case 'dict': {
        const dict = value as PyDict;
        if (!dict.size) return '{}';
        if (maxlevels && level >= maxlevels) return '{...}';
        if (context.has(dict)) return this.recursion(dict, kind);
        context.add(dict);
        level += 1;
        const items = this.sortDicts ? sortedItems(dict) : [...dict.entries()];
        const components = items.map(
          ([k, v]) => `${this.safeRepr(k, context, maxlevels, level)}: ${this.safeRepr(v, context, maxlevels, level)}`,
        );
        context.delete(dict);
        return `{${components.join(', ')}}`;
      }
      case 'list':
      case 'tuple': {
        const obj = value as PyList | PyTuple;
        const items = kind === 'list' ? (obj as PyList) : (obj as PyTuple).tuple;
        let open: string;
        let close: string;
        if (kind === 'list') {
          if (!items.length) return '[]';
          [open, close] = ['[', ']'];
        } else if (items.length === 1) {
          [open, close] = ['(', ',)'];
        } else {
          if (!items.length) return '()';
          [open, close] = ['(', ')'];
        }
        if (maxlevels && level >= maxlevels) return `${open}...${close}`;
        if (context.has(obj)) return this.recursion(obj, kind);
        context.add(obj);
        level += 1;
        const components = items.map((o) => this.safeRepr(o, context, maxlevels, level));
        context.delete(obj);
        return `${open}${components.join(', ')}${close}`;
      }
    }
  }
}

type PrettyPrintMethod = (
  this: PrettyPrinter,
  value: PyValue,
  indent: number,
  allowance: number,
  context: Context,
  level: number,
) => void;
