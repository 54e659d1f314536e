/**
 * Values as source code: string literals that give back exactly the
 * string, whatever it holds (quotes, backslashes, line breaks, control
 * characters, lone surrogates, `</script>`), and field tables as object
 * or dict literals. The generated programs are pasted into editors and
 * web pages, so a literal never ends a <script> element either.
 */
import { typeOf, valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';

function escapeWith(s: string, quoteChar: string, scriptSlash: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    const code = s.charCodeAt(i);
    if (c === '\\') out += '\\\\';
    else if (c === quoteChar) out += `\\${quoteChar}`;
    else if (c === '\n') out += '\\n';
    else if (c === '\r') out += '\\r';
    else if (c === '\t') out += '\\t';
    else if (c === '<' && s[i + 1] === '/') {
      out += `<${scriptSlash}`;
      i++;
    }
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16)}`;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) out += c + s[++i];
    else if (code >= 0xd800 && code <= 0xdfff) out += `\\u${code.toString(16)}`;
    else out += c;
  }
  return `${quoteChar}${out}${quoteChar}`;
}

/** Text for a one-line comment: no line breaks, and never the end of a <script>. */
export const commentText = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/<\//g, '<\\/');

/** Text inside a Python """docstring""" on one line. */
export const docText = (s: string): string => commentText(s).replace(/\\/g, '\\\\').replace(/"/g, '\\"');

/** A JavaScript string literal in single quotes. */
export const jsString = (s: string): string => escapeWith(s, "'", '\\/');

/** A Python str literal in single quotes. */
export const pyString = (s: string): string => escapeWith(s, "'", '\\x2f');

const JS_KEY = /^[A-Za-z_$][\w$]*$/;

/** A field value as JavaScript (amqplib sends plain values with their natural AMQP types). */
export function jsValue(v: FieldValue): string {
  const raw = valueOf(v);
  switch (typeOf(v)) {
    case 'longstr':
      return jsString(raw as string);
    case 'void':
      return 'null';
    case 'array':
      return `[${(raw as FieldValue[]).map(jsValue).join(', ')}]`;
    case 'table':
      return jsTable(v as FieldTable);
    case 'binary':
      return `Buffer.from([${Array.from(raw as Uint8Array).join(', ')}])`;
    default:
      return String(raw);
  }
}

export function jsTable(t: FieldTable): string {
  const entries = Object.keys(t)
    .filter((k) => t[k] !== undefined)
    .map((k) => `${JS_KEY.test(k) ? k : jsString(k)}: ${jsValue(t[k] as FieldValue)}`);
  return entries.length ? `{ ${entries.join(', ')} }` : '{}';
}

/** A field value as Python (pika encodes str, int, float, bool, None, list, dict). */
export function pyValue(v: FieldValue): string {
  const raw = valueOf(v);
  switch (typeOf(v)) {
    case 'longstr':
      return pyString(raw as string);
    case 'void':
      return 'None';
    case 'bool':
      return raw ? 'True' : 'False';
    case 'array':
      return `[${(raw as FieldValue[]).map(pyValue).join(', ')}]`;
    case 'table':
      return pyDict(v as FieldTable);
    case 'binary':
      return `bytes([${Array.from(raw as Uint8Array).join(', ')}])`;
    case 'double':
    case 'float': {
      const s = String(raw);
      return /[.e]/.test(s) ? s : `${s}.0`;
    }
    default:
      return String(raw);
  }
}

export function pyDict(t: FieldTable): string {
  const entries = Object.keys(t)
    .filter((k) => t[k] !== undefined)
    .map((k) => `${pyString(k)}: ${pyValue(t[k] as FieldValue)}`);
  return `{${entries.join(', ')}}`;
}

/** A Python identifier from a name, unique among `taken`. */
export function pyIdentifier(base: string, taken: Set<string>): string {
  let id = base.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '').toLowerCase() || 'x';
  if (/^\d/.test(id)) id = `_${id}`;
  if (PY_KEYWORDS.has(id)) id = `${id}_`;
  let unique = id;
  for (let n = 2; taken.has(unique); n++) unique = `${id}_${n}`;
  taken.add(unique);
  return unique;
}

const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(' '),
);
