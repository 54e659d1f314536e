/**
 * Python 3.11's tokenizer, for the subset Warren reads: names, numbers,
 * strings, operators, NEWLINE / INDENT / DEDENT with implicit line joining
 * inside brackets, backslash continuations and comments. Errors use
 * Python's own words ("'[' was never closed", "unindent does not match any
 * outer indentation level", "too many nested parentheses", …) and place.
 *
 * Linear in the input; nesting is bounded as CPython bounds it (200
 * brackets, 100 indentation levels), so nothing downstream recurses deeper.
 */
import { pyIsPrintable } from '../../shell/pprint.ts';
import { ConfigError, lineOf } from './errors.ts';

export type TokenType = 'name' | 'number' | 'string' | 'op' | 'newline' | 'indent' | 'dedent' | 'eof';

export interface Token {
  readonly type: TokenType;
  /** The source text (for indent/dedent/newline/eof: ''). */
  readonly text: string;
  readonly line: number;
  readonly col: number;
  /** Strings: the decoded value, and what kind of literal it was. */
  readonly str?: { value: string; bytes: boolean; fstring: boolean };
  /** Numbers: the value, and whether Python would make it a float. */
  readonly num?: { value: number; float: boolean };
}

/** CPython's MAXLEVEL and MAXINDENT. */
export const MAX_BRACKET_DEPTH = 200;
export const MAX_INDENT = 100;

const OPERATORS = [
  '**=', '//=', '>>=', '<<=', '...',
  '!=', '%=', '&=', '**', '*=', '+=', '-=', '->', '//', '/=', ':=', '<<', '<=', '==', '>=', '>>', '@=', '^=', '|=',
  '(', ')', '[', ']', '{', '}', ',', ':', '.', ';', '+', '-', '*', '/', '|', '&', '<', '>', '=', '%', '~', '^', '@',
];
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

const STRING_PREFIXES = new Set(['r', 'u', 'f', 'b', 'br', 'rb', 'fr', 'rf']);

const DIGITS = '(?:[0-9](?:_?[0-9])*)';
const EXPONENT = `(?:[eE][-+]?${DIGITS})`;
const POINTFLOAT = `(?:${DIGITS}\\.(?:${DIGITS})?|\\.${DIGITS})${EXPONENT}?`;
const EXPFLOAT = `${DIGITS}${EXPONENT}`;
const NUMBER_RE = new RegExp(
  `0[xX](?:_?[0-9a-fA-F])+|0[bB](?:_?[01])+|0[oO](?:_?[0-7])+|(?:${POINTFLOAT}|${EXPFLOAT})[jJ]?|${DIGITS}[jJ]?`,
  'y',
);

const ID_START = /[\p{L}\p{Nl}_]/u;
const ID_CONTINUE = /[\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]/u;

function isIdStart(c: string): boolean {
  if (c.length === 1 && c.charCodeAt(0) < 128) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
  return ID_START.test(c);
}

function isIdContinue(c: string): boolean {
  if (c.length === 1 && c.charCodeAt(0) < 128) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c === '_';
  return ID_CONTINUE.test(c);
}

interface Bracket {
  ch: string;
  line: number;
  col: number;
}

class Lexer {
  private i = 0;
  private line = 1;
  private col = 1;
  private readonly tokens: Token[] = [];
  private readonly brackets: Bracket[] = [];
  private readonly indents = [0];
  private readonly altIndents = [0];
  private lineHasTokens = false;

  constructor(private readonly src: string) {}

  private error(type: string, detail: string, line = this.line, col = this.col): ConfigError {
    return new ConfigError(type, detail, line, col, lineOf(this.src, line));
  }

  /** The code point at the cursor ('' at the end). */
  private peek(offset = 0): string {
    let j = this.i;
    for (let k = 0; k < offset; k++) {
      if (j >= this.src.length) return '';
      j += (this.src.codePointAt(j) ?? 0) > 0xffff ? 2 : 1;
    }
    if (j >= this.src.length) return '';
    const cp = this.src.codePointAt(j)!;
    return String.fromCodePoint(cp);
  }

  private advance(): string {
    const c = this.peek();
    this.i += c.length;
    if (c === '\n') {
      this.line++;
      this.col = 1;
    } else {
      this.col++;
    }
    return c;
  }

  private push(type: TokenType, text: string, line: number, col: number, extra: Partial<Token> = {}): void {
    this.tokens.push({ type, text, line, col, ...extra });
    if (type !== 'newline' && type !== 'indent' && type !== 'dedent') this.lineHasTokens = true;
  }

  run(): Token[] {
    let atLineStart = true;
    for (;;) {
      if (atLineStart && this.brackets.length === 0) {
        if (this.indentation()) {
          if (this.peek() === '') break;
          continue;
        }
        atLineStart = false;
      }
      const c = this.peek();
      if (c === '') break;
      if (c === ' ' || c === '\t' || c === '\f') {
        this.advance();
        continue;
      }
      if (c === '#') {
        while (this.peek() !== '\n' && this.peek() !== '') this.advance();
        continue;
      }
      if (c === '\n') {
        if (this.brackets.length === 0 && this.lineHasTokens) {
          this.push('newline', '', this.line, this.col);
          this.lineHasTokens = false;
        }
        this.advance();
        atLineStart = this.brackets.length === 0;
        continue;
      }
      if (c === '\\') {
        const line = this.line;
        const col = this.col;
        this.advance();
        if (this.peek() === '\n') {
          this.advance();
          continue;
        }
        if (this.peek() === '') throw this.error('SyntaxError', 'unexpected EOF while parsing', line, col);
        throw this.error('SyntaxError', 'unexpected character after line continuation character', line, col + 1);
      }
      if (isIdStart(c)) {
        this.nameOrString();
        continue;
      }
      if ((c >= '0' && c <= '9') || (c === '.' && this.peek(1) >= '0' && this.peek(1) <= '9')) {
        this.number();
        continue;
      }
      if (c === "'" || c === '"') {
        this.string('', this.line, this.col);
        continue;
      }
      this.operator(c);
    }
    if (this.brackets.length) {
      const b = this.brackets[this.brackets.length - 1];
      throw this.error('SyntaxError', `'${b.ch}' was never closed`, b.line, b.col);
    }
    if (this.lineHasTokens) this.push('newline', '', this.line, this.col);
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push('dedent', '', this.line, this.col);
    }
    this.push('eof', '', this.line, this.col);
    return this.tokens;
  }

  /**
   * Measures a logical line's indentation and emits INDENT / DEDENT.
   * Returns true when the line is blank or a comment (nothing to emit).
   */
  private indentation(): boolean {
    let col = 0;
    let alt = 0;
    for (;;) {
      const c = this.peek();
      if (c === ' ') {
        col++;
        alt++;
      } else if (c === '\t') {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (c === '\f') {
        col = alt = 0;
      } else break;
      this.advance();
    }
    const c = this.peek();
    if (c === '#' || c === '\n' || c === '') {
      while (this.peek() !== '\n' && this.peek() !== '') this.advance();
      if (this.peek() === '\n') this.advance();
      return true;
    }
    if (c === '\\' && this.peek(1) === '\n') return false;
    const top = this.indents.length - 1;
    if (col === this.indents[top]) {
      if (alt !== this.altIndents[top]) throw this.error('TabError', 'inconsistent use of tabs and spaces in indentation', this.line, 1);
    } else if (col > this.indents[top]) {
      if (this.indents.length >= MAX_INDENT) throw this.error('IndentationError', 'too many levels of indentation', this.line, 1);
      if (alt <= this.altIndents[top]) throw this.error('TabError', 'inconsistent use of tabs and spaces in indentation', this.line, 1);
      this.indents.push(col);
      this.altIndents.push(alt);
      this.push('indent', '', this.line, this.col);
    } else {
      while (this.indents.length > 1 && col < this.indents[this.indents.length - 1]) {
        this.indents.pop();
        this.altIndents.pop();
        this.push('dedent', '', this.line, this.col);
      }
      const t = this.indents.length - 1;
      if (col !== this.indents[t]) throw this.error('IndentationError', 'unindent does not match any outer indentation level', this.line, this.col);
      if (alt !== this.altIndents[t]) throw this.error('TabError', 'inconsistent use of tabs and spaces in indentation', this.line, 1);
    }
    return false;
  }

  private nameOrString(): void {
    const line = this.line;
    const col = this.col;
    const start = this.i;
    while (this.peek() !== '' && isIdContinue(this.peek())) this.advance();
    const text = this.src.slice(start, this.i);
    const q = this.peek();
    if ((q === "'" || q === '"') && STRING_PREFIXES.has(text.toLowerCase())) {
      this.string(text.toLowerCase(), line, col);
      return;
    }
    this.push('name', text.normalize('NFKC'), line, col);
  }

  private number(): void {
    const line = this.line;
    const col = this.col;
    NUMBER_RE.lastIndex = this.i;
    const m = NUMBER_RE.exec(this.src);
    if (!m) throw this.error('SyntaxError', 'invalid decimal literal');
    const text = m[0];
    for (let k = 0; k < text.length; k++) this.advance();
    const next = this.peek();
    if (next !== '' && (isIdContinue(next) || next === '.')) {
      const kind = /^0[xX]/.test(text) ? 'hexadecimal' : /^0[oO]/.test(text) ? 'octal' : /^0[bB]/.test(text) ? 'binary' : 'decimal';
      throw this.error('SyntaxError', `invalid ${kind} literal`, line, this.col - 1);
    }
    const clean = text.replace(/_/g, '');
    if (/[jJ]$/.test(clean)) throw this.error('Unsupported', 'complex numbers are outside the sandbox\'s Python subset', line, col);
    let value: number;
    let float = false;
    if (/^0[xX]/.test(clean)) value = Number(BigInt(clean));
    else if (/^0[oO]/.test(clean)) value = Number(BigInt(`0o${clean.slice(2)}`));
    else if (/^0[bB]/.test(clean)) value = Number(BigInt(`0b${clean.slice(2)}`));
    else if (/[.eE]/.test(clean)) {
      value = Number(clean);
      float = true;
    } else {
      if (/^0+[1-9]/.test(clean)) {
        throw this.error('SyntaxError', 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', line, col);
      }
      value = Number(BigInt(clean));
    }
    if (!float && !Number.isSafeInteger(value)) {
      throw this.error('Unsupported', 'integers beyond 2**53 are outside the sandbox\'s Python subset', line, col);
    }
    this.push('number', text, line, col, { num: { value, float } });
  }

  private string(prefix: string, line: number, col: number): void {
    const start = this.i - prefix.length;
    const quote = this.advance();
    let triple = false;
    if (this.peek() === quote && this.peek(1) === quote) {
      this.advance();
      this.advance();
      triple = true;
    }
    const raw = prefix.includes('r');
    let value = '';
    for (;;) {
      const c = this.peek();
      if (c === '' || (c === '\n' && !triple)) {
        const what = triple ? 'unterminated triple-quoted string literal' : 'unterminated string literal';
        const at = c === '' && this.src.endsWith('\n') ? this.line - 1 : this.line;
        throw this.error('SyntaxError', `${what} (detected at line ${at})`, line, col);
      }
      if (c === quote) {
        if (!triple) {
          this.advance();
          break;
        }
        if (this.peek(1) === quote && this.peek(2) === quote) {
          this.advance();
          this.advance();
          this.advance();
          break;
        }
        value += this.advance();
        continue;
      }
      if (c === '\\') {
        const escLine = this.line;
        const escCol = this.col;
        this.advance();
        const e = this.peek();
        if (e === '') continue;
        if (raw) {
          value += `\\${this.advance()}`;
          continue;
        }
        value += this.escape(escLine, escCol, start);
        continue;
      }
      value += this.advance();
    }
    const text = this.src.slice(start, this.i);
    this.push('string', text, line, col, { str: { value, bytes: prefix.includes('b'), fstring: prefix.includes('f') } });
  }

  /** Decodes one escape sequence; the backslash is already consumed. */
  private escape(line: number, col: number, _start: number): string {
    const e = this.advance();
    const simple: Record<string, string> = { '\n': '', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v' };
    if (e in simple) return simple[e];
    if (e >= '0' && e <= '7') {
      let digits = e;
      while (digits.length < 3 && this.peek() >= '0' && this.peek() <= '7') digits += this.advance();
      return String.fromCodePoint(parseInt(digits, 8));
    }
    const hex = (n: number, name: string): string => {
      let digits = '';
      while (digits.length < n && /^[0-9a-fA-F]$/.test(this.peek())) digits += this.advance();
      if (digits.length < n) {
        throw this.error('SyntaxError', `(unicode error) 'unicodeescape' codec can't decode bytes: truncated ${name} escape`, line, col);
      }
      const cp = parseInt(digits, 16);
      if (cp > 0x10ffff) throw this.error('SyntaxError', "(unicode error) 'unicodeescape' codec can't decode bytes: illegal Unicode character", line, col);
      return String.fromCodePoint(cp);
    };
    if (e === 'x') return hex(2, '\\xXX');
    if (e === 'u') return hex(4, '\\uXXXX');
    if (e === 'U') return hex(8, '\\UXXXXXXXX');
    if (e === 'N') throw this.error('Unsupported', '\\N{…} escapes are outside the sandbox\'s Python subset', line, col);
    return `\\${e}`;
  }

  private operator(c: string): void {
    const line = this.line;
    const col = this.col;
    let op = '';
    for (const candidate of OPERATORS) {
      if (this.src.startsWith(candidate, this.i)) {
        op = candidate;
        break;
      }
    }
    if (!op) {
      const cp = c.codePointAt(0)!;
      const hex = cp.toString(16).toUpperCase().padStart(4, '0');
      if (cp < 128 && pyIsPrintable(cp)) throw this.error('SyntaxError', 'invalid syntax');
      if (!pyIsPrintable(cp)) throw this.error('SyntaxError', `invalid non-printable character U+${hex}`);
      throw this.error('SyntaxError', `invalid character '${c}' (U+${hex})`);
    }
    if (op in OPENERS) {
      if (this.brackets.length >= MAX_BRACKET_DEPTH) throw this.error('SyntaxError', 'too many nested parentheses');
      this.brackets.push({ ch: op, line, col });
    } else if (op in CLOSERS) {
      const open = this.brackets.pop();
      if (!open) throw this.error('SyntaxError', `unmatched '${op}'`);
      if (open.ch !== CLOSERS[op]) {
        const where = open.line === line ? '' : ` on line ${open.line}`;
        throw this.error('SyntaxError', `closing parenthesis '${op}' does not match opening parenthesis '${open.ch}'${where}`);
      }
    }
    for (let k = 0; k < op.length; k++) this.advance();
    this.push('op', op, line, col);
  }
}

/** Universal newlines and no BOM, as Python reads source files. */
export function normalizeSource(source: string): string {
  return source.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

export function tokenize(source: string): Token[] {
  return new Lexer(normalizeSource(source)).run();
}
