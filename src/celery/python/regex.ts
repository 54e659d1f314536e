/**
 * Python's `re` syntax, matched in linear time.
 *
 * Celery matches task names with `regex.match(name)` (task_routes keys
 * compiled with re.compile, and globs through fnmatch.translate). Patterns
 * come from whoever pasted the configuration, so a backtracking engine
 * (JavaScript's RegExp) could hang on `(a+)+$`; this one compiles the
 * pattern to an NFA and simulates it (Thompson's construction), which only
 * answers "does it match", in O(pattern × input).
 *
 * Supported: literals and escapes, `.`, classes with ranges and \d \w \s
 * (Unicode or ASCII), groups (capturing, non-capturing, named), alternation,
 * greedy/lazy quantifiers including {m,n}, anchors ^ $ \A \Z \b \B,
 * lookahead and fixed-width lookbehind, global and scoped flags (i, m, s,
 * x, a, u) and re.I / re.M / re.S / re.X / re.A. Refused with re.error-like
 * messages: backreferences, conditionals, atomic groups and possessive
 * quantifiers (they are not regular, or change what matches).
 */
import { pyIsSpace } from '../../shell/pprint.ts';

export const RE_FLAGS: Record<string, number> = {
  I: 2,
  IGNORECASE: 2,
  L: 4,
  LOCALE: 4,
  M: 8,
  MULTILINE: 8,
  S: 16,
  DOTALL: 16,
  U: 32,
  UNICODE: 32,
  X: 64,
  VERBOSE: 64,
  A: 256,
  ASCII: 256,
};
const I = 2;
const M = 8;
const S = 16;
const U = 32;
const X = 64;
const A = 256;

const INLINE_FLAGS: Record<string, number> = { a: A, i: I, L: 4, m: M, s: S, u: U, x: X };

/** Python's `re.error`: the message and the position in the pattern. */
export class RegexError extends Error {
  constructor(
    readonly reason: string,
    readonly position: number | null,
    /** Valid in Python, refused by the sandbox. */
    readonly unsupported = false,
  ) {
    super(position === null ? reason : `${reason} at position ${position}`);
    this.name = 're.error';
  }
}

/** The largest program a pattern may compile to (counted repeats expand). */
export const MAX_PROGRAM = 20000;

// ---- syntax tree ---------------------------------------------------------------

type CharTest = (cp: number) => boolean;

type Node =
  | { t: 'empty' }
  | { t: 'char'; test: CharTest }
  | { t: 'seq'; items: Node[] }
  | { t: 'alt'; items: Node[] }
  | { t: 'repeat'; node: Node; min: number; max: number }
  | { t: 'assert'; kind: 'bol' | 'eol' | 'start' | 'end' | 'word' | 'nonword'; flags: number }
  | { t: 'look'; behind: boolean; negate: boolean; node: Node };

const NL = 10;

function lower(cp: number): number {
  const s = String.fromCodePoint(cp).toLowerCase();
  return s.length && [...s].length === 1 ? s.codePointAt(0)! : cp;
}

function upper(cp: number): number {
  const s = String.fromCodePoint(cp).toUpperCase();
  return s.length && [...s].length === 1 ? s.codePointAt(0)! : cp;
}

const UNICODE_DIGIT = /\p{Nd}/u;
const UNICODE_WORD = /[\p{L}\p{N}_]/u;

function isDigit(cp: number, flags: number): boolean {
  if (cp < 128 || flags & A) return cp >= 48 && cp <= 57;
  return UNICODE_DIGIT.test(String.fromCodePoint(cp));
}

export function isWordChar(cp: number, flags: number): boolean {
  if (cp < 128 || flags & A) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) || cp === 95;
  return UNICODE_WORD.test(String.fromCodePoint(cp));
}

function isSpace(cp: number, flags: number): boolean {
  if (cp < 128 || flags & A) return cp === 32 || (cp >= 9 && cp <= 13);
  return pyIsSpace(cp);
}

/** Widens a test to case-insensitive when the i flag is on. */
function caseless(test: CharTest, flags: number): CharTest {
  if (!(flags & I)) return test;
  return (cp) => test(cp) || test(lower(cp)) || test(upper(cp));
}

class RegexParser {
  private i = 0;
  private readonly cps: number[];
  private flags: number;
  private groups = 0;

  constructor(
    private readonly pattern: string,
    flags: number,
    private readonly atomicAsGroup: boolean,
  ) {
    this.cps = Array.from(pattern, (c) => c.codePointAt(0)!);
    this.flags = flags;
  }

  get finalFlags(): number {
    return this.flags;
  }

  private err(reason: string, at = this.i): never {
    throw new RegexError(reason, at);
  }

  private refuse(what: string, at: number): never {
    throw new RegexError(`${what} are not supported by the sandbox`, at, true);
  }

  private peek(k = 0): number | undefined {
    return this.cps[this.i + k];
  }

  private ch(k = 0): string {
    const c = this.peek(k);
    return c === undefined ? '' : String.fromCodePoint(c);
  }

  parse(): Node {
    this.globalFlags();
    const node = this.alternation();
    if (this.i < this.cps.length) {
      if (this.ch() === ')') this.err('unbalanced parenthesis');
      this.err('internal error');
    }
    return node;
  }

  /** Leading (?aiLmsux) groups set flags for the whole pattern, as in Python 3.11. */
  private globalFlags(): void {
    while (this.ch() === '(' && this.ch(1) === '?' && /[aiLmsux]/.test(this.ch(2))) {
      let j = 2;
      let f = 0;
      while (/[aiLmsux]/.test(this.ch(j))) f |= INLINE_FLAGS[this.ch(j++)];
      if (this.ch(j) !== ')') return;
      this.checkFlags(f);
      this.flags |= f;
      this.i += j + 1;
    }
  }

  private checkFlags(f: number): void {
    if (f & 4) this.err('bad inline flags: cannot use \'L\' flag with a str pattern');
    if (f & A && f & U) this.err("bad inline flags: flags 'a', 'u' and 'L' are incompatible");
  }

  private skipVerbose(): void {
    if (!(this.flags & X)) return;
    for (;;) {
      const c = this.ch();
      if (c === '#') {
        while (this.ch() !== '' && this.ch() !== '\n') this.i++;
      } else if (c !== '' && /\s/.test(c)) {
        this.i++;
      } else return;
    }
  }

  private alternation(): Node {
    const items = [this.sequence()];
    while (this.ch() === '|') {
      this.i++;
      items.push(this.sequence());
    }
    return items.length === 1 ? items[0] : { t: 'alt', items };
  }

  private sequence(): Node {
    const items: Node[] = [];
    for (;;) {
      this.skipVerbose();
      const c = this.ch();
      if (c === '' || c === '|' || c === ')') break;
      let atom = this.atom();
      this.skipVerbose();
      atom = this.quantifiers(atom);
      items.push(atom);
    }
    if (items.length === 0) return { t: 'empty' };
    return items.length === 1 ? items[0] : { t: 'seq', items };
  }

  private quantifiers(atom: Node): Node {
    let quantified = false;
    for (;;) {
      const c = this.ch();
      const at = this.i;
      let min: number;
      let max: number;
      if (c === '*') [min, max] = [0, Infinity];
      else if (c === '+') [min, max] = [1, Infinity];
      else if (c === '?') [min, max] = [0, 1];
      else if (c === '{') {
        const m = /^\{(\d*)(?:(,)(\d*))?\}/.exec(this.pattern.slice(this.offset()));
        if (!m || (m[1] === '' && m[2] === undefined)) return atom;
        min = m[1] === '' ? 0 : Number(m[1]);
        max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
        if (min > 4294967294 || (max !== Infinity && max > 4294967294)) this.err('the repetition number is too large', at + 1);
        if (max < min) this.err('min repeat greater than max repeat', at + 1);
        this.i += m[0].length - 1;
      } else return atom;
      if (quantified) this.err('multiple repeat', at);
      if (atom.t === 'assert') this.err('nothing to repeat', at);
      this.i++;
      if (this.ch() === '?') this.i++;
      else if (this.ch() === '+') this.refuse('possessive quantifiers (they change what matches)', this.i);
      atom = { t: 'repeat', node: atom, min, max };
      quantified = true;
      this.skipVerbose();
    }
  }

  /** Code-unit offset of the cursor in the pattern string. */
  private offset(): number {
    let o = 0;
    for (let k = 0; k < this.i; k++) o += this.cps[k] > 0xffff ? 2 : 1;
    return o;
  }

  private atom(): Node {
    const c = this.ch();
    const flags = this.flags;
    switch (c) {
      case '(':
        return this.group();
      case '[':
        return this.charClass();
      case '.':
        this.i++;
        return { t: 'char', test: flags & S ? () => true : (cp) => cp !== NL };
      case '^':
        this.i++;
        return { t: 'assert', kind: 'bol', flags };
      case '$':
        this.i++;
        return { t: 'assert', kind: 'eol', flags };
      case '\\':
        return this.escapeAtom();
      case '*':
      case '+':
      case '?':
        this.err('nothing to repeat');
        break;
      case '{': {
        const m = /^\{(\d*)(,\d*)?\}/.exec(this.pattern.slice(this.offset()));
        if (m && !(m[1] === '' && m[2] === undefined)) this.err('nothing to repeat');
        break;
      }
    }
    const cp = this.peek()!;
    this.i++;
    return { t: 'char', test: caseless((x) => x === cp, flags) };
  }

  private group(): Node {
    const open = this.i;
    this.i++;
    const saved = this.flags;
    let node: Node;
    if (this.ch() !== '?') {
      this.groups++;
      node = this.alternation();
    } else {
      this.i++;
      const c = this.ch();
      if (c === ':') {
        this.i++;
        node = this.alternation();
      } else if (c === 'P' && this.ch(1) === '<') {
        const m = /^P<([^>]*)>/.exec(this.pattern.slice(this.offset()));
        if (!m) this.err('missing >, unterminated name', this.i + 2);
        if (!/^[\p{L}\p{Nl}_][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}]*$/u.test(m[1])) this.err(`bad character in group name '${m[1]}'`, this.i + 2);
        this.i += Array.from(m[0]).length;
        this.groups++;
        node = this.alternation();
      } else if (c === 'P' && this.ch(1) === '=') {
        this.refuse('backreferences (they are not regular)', open);
      } else if (c === '=' || c === '!') {
        this.i++;
        node = { t: 'look', behind: false, negate: c === '!', node: this.alternation() };
      } else if (c === '<' && (this.ch(1) === '=' || this.ch(1) === '!')) {
        const negate = this.ch(1) === '!';
        this.i += 2;
        const inner = this.alternation();
        if (fixedWidth(inner) === null) throw new RegexError('look-behind requires fixed-width pattern', null);
        node = { t: 'look', behind: true, negate, node: inner };
      } else if (c === '>') {
        if (!this.atomicAsGroup) this.refuse('atomic groups (they change what matches)', open);
        this.i++;
        node = this.alternation();
      } else if (c === '(') {
        this.refuse('conditional groups (they are not regular)', open);
      } else if (c === '#') {
        while (this.ch() !== ')' && this.ch() !== '') this.i++;
        if (this.ch() === '') this.err('missing ), unterminated comment', open);
        this.i++;
        return { t: 'empty' };
      } else if (/[aiLmsux-]/.test(c)) {
        let on = 0;
        let off = 0;
        while (/[aiLmsux]/.test(this.ch())) {
          on |= INLINE_FLAGS[this.ch()] ?? 0;
          this.i++;
        }
        if (this.ch() === '-') {
          this.i++;
          while (/[imsx]/.test(this.ch())) {
            off |= INLINE_FLAGS[this.ch()];
            this.i++;
          }
        }
        if (this.ch() === ')') this.err('global flags not at the start of the expression', open);
        if (this.ch() !== ':') this.err('missing :', this.i);
        this.checkFlags(on);
        this.i++;
        this.flags = (this.flags | on) & ~off;
        node = this.alternation();
      } else {
        this.err(`unknown extension ?${c}`, open + 1);
      }
    }
    this.flags = saved;
    if (this.ch() !== ')') this.err('missing ), unterminated subpattern', open);
    this.i++;
    return node;
  }

  /** An escape outside a class: a class, an anchor or one code point. */
  private escapeAtom(): Node {
    const at = this.i;
    const e = this.ch(1);
    const flags = this.flags;
    if (e === '') this.err('bad escape (end of pattern)', at);
    const anchors: Record<string, 'start' | 'end' | 'word' | 'nonword'> = { A: 'start', Z: 'end', b: 'word', B: 'nonword' };
    if (e in anchors) {
      this.i += 2;
      return { t: 'assert', kind: anchors[e], flags };
    }
    if (/[1-9]/.test(e)) {
      // \1–\99 are backreferences; \1 followed by 2 more octal digits is an octal escape.
      if (!(/[0-7]/.test(e) && /[0-7]/.test(this.ch(2)) && /[0-7]/.test(this.ch(3)))) {
        this.refuse('backreferences (they are not regular)', at);
      }
    }
    const cls = this.classEscape(at, false);
    return { t: 'char', test: cls };
  }

  /**
   * An escape as a character test, after the backslash at `at`: \d \w \s
   * and their negations, or one code point (\n, \x41, \u00e9, \., …).
   */
  private classEscape(at: number, inClass: boolean): CharTest {
    this.i = at + 1;
    const e = this.ch();
    const flags = this.flags;
    this.i++;
    switch (e) {
      case 'd':
        return (cp) => isDigit(cp, flags);
      case 'D':
        return (cp) => !isDigit(cp, flags);
      case 'w':
        return (cp) => isWordChar(cp, flags);
      case 'W':
        return (cp) => !isWordChar(cp, flags);
      case 's':
        return (cp) => isSpace(cp, flags);
      case 'S':
        return (cp) => !isSpace(cp, flags);
    }
    const cp = this.escapeCodePoint(e, at, inClass);
    return caseless((x) => x === cp, flags);
  }

  /** The code point an escape stands for (the letter after the backslash is consumed). */
  private escapeCodePoint(e: string, at: number, inClass: boolean): number {
    const simple: Record<string, number> = { a: 7, f: 12, n: 10, r: 13, t: 9, v: 11, '\\': 92 };
    if (inClass && e === 'b') return 8;
    if (e in simple) return simple[e];
    const hex = (n: number): number => {
      const digits = this.pattern.slice(this.offset(), this.offset() + n);
      if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(digits)) this.err(`incomplete escape \\${e}${digits.replace(/[^0-9a-fA-F].*$/, '')}`, at);
      this.i += n;
      const v = parseInt(digits, 16);
      if (v > 0x10ffff) this.err(`bad escape \\${e}${digits}`, at);
      return v;
    };
    if (e === 'x') return hex(2);
    if (e === 'u') return hex(4);
    if (e === 'U') return hex(8);
    if (e === 'N') this.refuse('\\N{…} escapes', at);
    if (/[0-7]/.test(e)) {
      let digits = e;
      while (digits.length < 3 && /[0-7]/.test(this.ch())) {
        digits += this.ch();
        this.i++;
      }
      const v = parseInt(digits, 8);
      if (v > 0o377) this.err(`octal escape value \\${digits} outside of range 0-0o377`, at);
      return v;
    }
    if (/[A-Za-z0-9]/.test(e)) this.err(`bad escape \\${e}`, at);
    return e.codePointAt(0)!;
  }

  private charClass(): Node {
    const open = this.i;
    this.i++;
    const flags = this.flags;
    let negate = false;
    if (this.ch() === '^') {
      negate = true;
      this.i++;
    }
    const tests: CharTest[] = [];
    let first = true;
    for (;;) {
      const c = this.ch();
      if (c === '') this.err('unterminated character set', open);
      if (c === ']' && !first) break;
      first = false;
      const itemAt = this.i;
      let lo: number | null;
      if (c === '\\') {
        const t = this.classEscape(this.i, true);
        const single = this.singleCodePoint(itemAt);
        if (single === null) {
          tests.push(t);
          continue;
        }
        lo = single;
      } else {
        lo = this.peek()!;
        this.i++;
      }
      if (this.ch() === '-' && this.ch(1) !== ']' && this.ch(1) !== '') {
        this.i++;
        const hiAt = this.i;
        let hi: number;
        if (this.ch() === '\\') {
          this.classEscape(this.i, true);
          const single = this.singleCodePoint(hiAt);
          if (single === null) this.err(`bad character range ${this.pattern.slice(this.offsetOf(itemAt), this.offset())}`, itemAt);
          hi = single;
        } else {
          hi = this.peek()!;
          this.i++;
        }
        if (hi < lo) this.err(`bad character range ${String.fromCodePoint(lo)}-${String.fromCodePoint(hi)}`, itemAt);
        const [a, b] = [lo, hi];
        tests.push((cp) => cp >= a && cp <= b);
      } else {
        const v = lo;
        tests.push((cp) => cp === v);
      }
    }
    this.i++;
    const member = caseless((cp) => tests.some((t) => t(cp)), flags);
    return { t: 'char', test: negate ? (cp) => !member(cp) : member };
  }

  private offsetOf(index: number): number {
    let o = 0;
    for (let k = 0; k < index; k++) o += this.cps[k] > 0xffff ? 2 : 1;
    return o;
  }

  /** The code point of the escape that started at `at`, or null for \d-like classes. */
  private singleCodePoint(at: number): number | null {
    const e = String.fromCodePoint(this.cps[at + 1]);
    if ('dDwWsS'.includes(e)) return null;
    const save = this.i;
    this.i = at + 2;
    const cp = this.escapeCodePoint(e, at, true);
    this.i = save;
    return cp;
  }
}

function fixedWidth(n: Node): number | null {
  switch (n.t) {
    case 'empty':
    case 'assert':
    case 'look':
      return 0;
    case 'char':
      return 1;
    case 'seq': {
      let w = 0;
      for (const x of n.items) {
        const v = fixedWidth(x);
        if (v === null) return null;
        w += v;
      }
      return w;
    }
    case 'alt': {
      const ws = n.items.map(fixedWidth);
      return ws.every((w) => w !== null && w === ws[0]) ? ws[0] : null;
    }
    case 'repeat': {
      const w = fixedWidth(n.node);
      return w !== null && n.min === n.max ? w * n.min : null;
    }
  }
}

// ---- program ---------------------------------------------------------------------

type Instr =
  | { op: 'char'; test: CharTest }
  | { op: 'split'; x: number; y: number }
  | { op: 'jmp'; x: number }
  | { op: 'assert'; kind: 'bol' | 'eol' | 'start' | 'end' | 'word' | 'nonword'; flags: number }
  | { op: 'look'; behind: boolean; negate: boolean; prog: Instr[]; width: number }
  | { op: 'match' };

class Compiler {
  readonly prog: Instr[] = [];

  private emit(i: Instr): number {
    if (this.prog.length >= MAX_PROGRAM) throw new RegexError(`patterns this large (over ${MAX_PROGRAM} steps once repeats are expanded) are not supported by the sandbox`, null, true);
    this.prog.push(i);
    return this.prog.length - 1;
  }

  compile(n: Node): void {
    switch (n.t) {
      case 'empty':
        return;
      case 'char':
        this.emit({ op: 'char', test: n.test });
        return;
      case 'seq':
        for (const x of n.items) this.compile(x);
        return;
      case 'alt': {
        const jumps: number[] = [];
        for (let k = 0; k < n.items.length - 1; k++) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.compile(n.items[k]);
          jumps.push(this.emit({ op: 'jmp', x: 0 }));
          (this.prog[split] as { y: number }).y = this.prog.length;
        }
        this.compile(n.items[n.items.length - 1]);
        for (const j of jumps) (this.prog[j] as { x: number }).x = this.prog.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.compile(n.node);
        if (n.max === Infinity) {
          const split = this.emit({ op: 'split', x: 0, y: 0 });
          (this.prog[split] as { x: number }).x = this.prog.length;
          this.compile(n.node);
          this.emit({ op: 'jmp', x: split });
          (this.prog[split] as { y: number }).y = this.prog.length;
        } else {
          const splits: number[] = [];
          for (let k = n.min; k < n.max; k++) {
            const split = this.emit({ op: 'split', x: 0, y: 0 });
            (this.prog[split] as { x: number }).x = this.prog.length;
            splits.push(split);
            this.compile(n.node);
          }
          for (const s of splits) (this.prog[s] as { y: number }).y = this.prog.length;
        }
        return;
      }
      case 'assert':
        this.emit({ op: 'assert', kind: n.kind, flags: n.flags });
        return;
      case 'look': {
        const sub = new Compiler();
        sub.compile(n.node);
        sub.emit({ op: 'match' });
        if (this.prog.length + sub.prog.length > MAX_PROGRAM) throw new RegexError(`patterns this large (over ${MAX_PROGRAM} steps) are not supported by the sandbox`, null, true);
        this.emit({ op: 'look', behind: n.behind, negate: n.negate, prog: sub.prog, width: fixedWidth(n.node) ?? 0 });
        return;
      }
    }
  }
}

// ---- simulation --------------------------------------------------------------------

function assertHolds(kind: string, flags: number, input: number[], i: number): boolean {
  const n = input.length;
  switch (kind) {
    case 'start':
      return i === 0;
    case 'end':
      return i === n;
    case 'bol':
      return i === 0 || (!!(flags & M) && input[i - 1] === NL);
    case 'eol':
      return i === n || (i === n - 1 && input[i] === NL) || (!!(flags & M) && input[i] === NL);
    default: {
      const before = i > 0 && isWordChar(input[i - 1], flags);
      const after = i < n && isWordChar(input[i], flags);
      return kind === 'word' ? before !== after : before === after;
    }
  }
}

/**
 * Runs `prog` over `input` from `start`. `accept` says which end positions
 * count; with `unanchored`, a thread also starts at every later position.
 */
function run(prog: Instr[], input: number[], start: number, accept: (pos: number) => boolean, unanchored = false): boolean {
  const mark = new Int32Array(prog.length).fill(-1);
  const lookCache = new Map<string, boolean>();
  let found = false;
  let gen = 0;

  const add = (list: number[], pc0: number, i: number): void => {
    const stack = [pc0];
    while (stack.length) {
      const pc = stack.pop()!;
      if (mark[pc] === gen) continue;
      mark[pc] = gen;
      const ins = prog[pc];
      switch (ins.op) {
        case 'jmp':
          stack.push(ins.x);
          break;
        case 'split':
          stack.push(ins.y, ins.x);
          break;
        case 'assert':
          if (assertHolds(ins.kind, ins.flags, input, i)) stack.push(pc + 1);
          break;
        case 'look': {
          const key = `${pc}:${i}`;
          let ok = lookCache.get(key);
          if (ok === undefined) {
            ok = ins.behind
              ? i >= ins.width && run(ins.prog, input, i - ins.width, (p) => p === i)
              : run(ins.prog, input, i, () => true);
            lookCache.set(key, ok);
          }
          if (ok !== ins.negate) stack.push(pc + 1);
          break;
        }
        case 'match':
          if (accept(i)) found = true;
          break;
        case 'char':
          list.push(pc);
          break;
      }
    }
  };

  let list: number[] = [];
  add(list, 0, start);
  for (let i = start; i < input.length; i++) {
    if (found) return true;
    if (!list.length && !unanchored) return false;
    gen++;
    const next: number[] = [];
    const cp = input[i];
    for (const pc of list) {
      const ins = prog[pc] as { op: 'char'; test: CharTest };
      if (ins.test(cp)) add(next, pc + 1, i + 1);
    }
    if (unanchored) add(next, 0, i + 1);
    list = next;
  }
  return found;
}

export interface CompiledRegex {
  readonly pattern: string;
  /** Python's flags value (re.UNICODE added for str patterns, as Python does). */
  readonly flags: number;
  /** re.match: a match starting at the beginning. */
  match(s: string): boolean;
  /** re.fullmatch. */
  fullmatch(s: string): boolean;
  /** re.search: a match anywhere. */
  search(s: string): boolean;
}

export function compileRegex(pattern: string, flags = 0, options: { atomicAsGroup?: boolean } = {}): CompiledRegex {
  if (flags & 4) throw new RegexError('cannot use LOCALE flag with a str pattern', null);
  if (flags & A && flags & U) throw new RegexError('ASCII and UNICODE flags are incompatible', null);
  const parser = new RegexParser(pattern, flags, options.atomicAsGroup ?? false);
  const tree = parser.parse();
  const compiler = new Compiler();
  compiler.compile(tree);
  compiler.prog.push({ op: 'match' });
  const prog = compiler.prog;
  let finalFlags = parser.finalFlags;
  if (!(finalFlags & A)) finalFlags |= U;
  const codePoints = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);
  return {
    pattern,
    flags: finalFlags,
    match: (s) => run(prog, codePoints(s), 0, () => true),
    fullmatch: (s) => {
      const input = codePoints(s);
      return run(prog, input, 0, (p) => p === input.length);
    },
    search: (s) => run(prog, codePoints(s), 0, () => true, true),
  };
}

/** `re.escape` as Python 3.7+ escapes: only regex-special characters. */
export function reEscape(s: string): string {
  return s.replace(/[()[\]{}?*+\-|^$\\.&~# \t\n\r\v\f]/g, (c) => `\\${c}`);
}
