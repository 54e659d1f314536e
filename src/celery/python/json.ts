/**
 * `json.dumps` with Python's defaults (what kombu's json serializer calls):
 * ", " and ": " separators, ensure_ascii (\uXXXX, lowercase hex), floats
 * as float.__repr__ writes them, NaN / Infinity, tuples as arrays, dict
 * keys converted as Python converts them, TypeError for anything else.
 */
import { pyFloat, saferepr } from '../../shell/pprint.ts';
import { pyError } from './errors.ts';
import { MAX_VALUE_DEPTH, PyDict, PyFloat, PyList, PyTuple, typeName, walkBudget, type PyValue } from './values.ts';

function floatText(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '-Infinity';
  return saferepr(pyFloat(n));
}

export function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i];
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

function key(k: PyValue): string {
  if (typeof k === 'string') return jsonString(k);
  if (typeof k === 'boolean') return k ? '"true"' : '"false"';
  if (k === null) return '"null"';
  if (typeof k === 'number') return `"${k}"`;
  if (k instanceof PyFloat) return `"${floatText(k.value)}"`;
  throw pyError('TypeError', `keys must be str, int, float, bool or None, not ${typeName(k)}`);
}

export function jsonDumps(v: PyValue, depth = 0, tick: () => void = walkBudget('encoding it as JSON')): string {
  tick();
  if (depth > MAX_VALUE_DEPTH) throw pyError('RecursionError', 'maximum recursion depth exceeded while encoding a JSON object');
  if (v === null) return 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (typeof v === 'number') return String(v);
  if (typeof v === 'string') return jsonString(v);
  if (v instanceof PyFloat) return floatText(v.value);
  if (v instanceof PyList || v instanceof PyTuple) return `[${v.items.map((x) => jsonDumps(x, depth + 1, tick)).join(', ')}]`;
  if (v instanceof PyDict) return `{${v.items().map(([k, x]) => `${key(k)}: ${jsonDumps(x, depth + 1, tick)}`).join(', ')}}`;
  throw pyError('TypeError', `Object of type ${v.typeName} is not JSON serializable`);
}

/**
 * json.loads: JSON text to Python values, as Python reads it — a number
 * with a fraction or exponent is a float, others ints; NaN, Infinity and
 * -Infinity are accepted. Errors name the position as Python's do.
 */
export function parseJson(text: string): PyValue {
  let i = 0;
  const fail = (msg: string): never => {
    const line = text.slice(0, i).split('\n').length;
    const col = i - text.lastIndexOf('\n', i - 1);
    throw pyError('JSONDecodeError', `${msg}: line ${line} column ${col} (char ${i})`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const value = (depth: number): PyValue => {
    if (depth > MAX_VALUE_DEPTH) fail('Too deeply nested');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const d = new PyDict();
      ws();
      if (text[i] === '}') {
        i++;
        return d;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('Expecting property name enclosed in double quotes');
        const k = string();
        ws();
        if (text[i] !== ':') fail("Expecting ':' delimiter");
        i++;
        d.set(k, value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          return d;
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i++;
      const items: PyValue[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return new PyList(items);
      }
      for (;;) {
        items.push(value(depth + 1));
        ws();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') {
          i++;
          return new PyList(items);
        }
        fail("Expecting ',' delimiter");
      }
    }
    if (c === '"') return string();
    for (const [word, v] of [['true', true], ['false', false], ['null', null], ['NaN', new PyFloat(NaN)], ['Infinity', new PyFloat(Infinity)], ['-Infinity', new PyFloat(-Infinity)]] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) fail('Expecting value');
    i += m![0].length;
    if (m![2] || m![3]) return new PyFloat(Number(m![0]));
    const n = Number(m![0]);
    if (!Number.isSafeInteger(n)) throw pyError('OverflowError', 'integers beyond 2**53 are outside the sandbox');
    return n;
  };
  const string = (): string => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      if (i >= text.length) {
        i = start;
        fail('Unterminated string starting at');
      }
      const ch = text[i];
      if (ch === '"') {
        i++;
        return out;
      }
      if (ch === '\\') {
        const e = text[i + 1];
        const map: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
        if (e in map) {
          out += map[e];
          i += 2;
          continue;
        }
        if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) {
          out += String.fromCharCode(parseInt(text.slice(i + 2, i + 6), 16));
          i += 6;
          continue;
        }
        fail('Invalid \\escape');
      }
      if (ch < ' ') fail('Invalid control character at');
      out += ch;
      i++;
    }
  };
  const v = value(0);
  ws();
  if (i < text.length) fail('Extra data');
  return v;
}

/** JSON text (as JavaScript parses it) to Python values: objects become dicts, integers ints, other numbers floats. */
export function fromJson(v: unknown): PyValue {
  if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : new PyFloat(v);
  if (Array.isArray(v)) return new PyList(v.map(fromJson));
  if (typeof v === 'object') return PyDict.of(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, fromJson(x)] as [PyValue, PyValue]));
  throw new TypeError(`not a JSON value: ${String(v)}`);
}
