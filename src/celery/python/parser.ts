/**
 * A recursive-descent parser for the Python subset a Celery configuration
 * needs: imports, assignments, `def` with if / elif / else and return,
 * decorators, and expressions (literals, names, attributes, subscripts,
 * calls, boolean and comparison operators, arithmetic, conditional
 * expressions). Valid Python outside the subset is refused as
 * `Unsupported`, invalid Python as Python refuses it, both with a place.
 *
 * Bounded: sources over MAX_SOURCE_CHARS are refused before lexing, and
 * expressions may nest MAX_EXPR_DEPTH deep, so no input can exhaust the
 * stack or hang the parser.
 */
import type { Alias, BinOperator, CompareOperator, Constant, Expr, Keyword, Module, Param, Params, Stmt } from './ast.ts';
import { ConfigError, lineOf, type Pos } from './errors.ts';
import { normalizeSource, tokenize, type Token } from './lexer.ts';

/** Configurations are a few kilobytes; this leaves a wide margin. */
export const MAX_SOURCE_CHARS = 256 * 1024;
/** Brackets alone may nest 200 deep (as in CPython); this leaves room for operators. */
export const MAX_EXPR_DEPTH = 300;

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif',
  'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or',
  'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]);

const UNSUPPORTED_STATEMENTS: Record<string, string> = {
  for: "'for' loops",
  while: "'while' loops",
  class: 'class definitions',
  with: "'with' statements",
  try: "'try' statements",
  async: "'async' code",
  del: "'del' statements",
  global: "'global' statements",
  nonlocal: "'nonlocal' statements",
  assert: "'assert' statements",
  raise: "'raise' statements",
  break: "'break' statements",
  continue: "'continue' statements",
  yield: "'yield'",
  await: "'await'",
  lambda: 'lambda expressions',
};

const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '**=', '>>=', '<<=', '&=', '^=', '|=', '@=']);

const BINARY: Array<[number, BinOperator[]]> = [
  [1, ['|']],
  [2, ['^']],
  [3, ['&']],
  [4, ['<<', '>>']],
  [5, ['+', '-']],
  [6, ['*', '/', '//', '%']],
];
const PRECEDENCE = new Map<string, number>();
for (const [prec, ops] of BINARY) for (const op of ops) PRECEDENCE.set(op, prec);

export function subsetNote(what: string): string {
  return `${what} ${what.endsWith('s') ? 'are' : 'is'} outside the sandbox's Python subset`;
}

class Parser {
  private p = 0;
  private depth = 0;
  private functionDepth = 0;

  constructor(
    private readonly tokens: Token[],
    private readonly source: string,
  ) {}

  // ---- token helpers ---------------------------------------------------------

  private peek(k = 0): Token {
    return this.tokens[Math.min(this.p + k, this.tokens.length - 1)];
  }

  private next(): Token {
    const t = this.tokens[this.p];
    if (this.p < this.tokens.length - 1) this.p++;
    return t;
  }

  private isOp(text: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'op' && t.text === text;
  }

  private isKeyword(word: string, k = 0): boolean {
    const t = this.peek(k);
    return t.type === 'name' && t.text === word;
  }

  private error(detail: string, at: Pos | Token = this.peek(), type = 'SyntaxError'): ConfigError {
    const line = at.line;
    const col = at.col;
    return new ConfigError(type, detail, line, col, lineOf(this.source, line));
  }

  private unsupported(what: string, at: Pos | Token = this.peek()): ConfigError {
    return this.error(subsetNote(what), at, 'Unsupported');
  }

  private expectOp(text: string, message = 'invalid syntax'): Token {
    if (!this.isOp(text)) throw this.error(message);
    return this.next();
  }

  private pos(t: Token): Pos {
    return { line: t.line, col: t.col };
  }

  private enter(at: Token): void {
    if (++this.depth > MAX_EXPR_DEPTH) {
      throw this.error(`maximum recursion depth exceeded during compilation (the sandbox allows ${MAX_EXPR_DEPTH} nested expressions)`, at, 'RecursionError');
    }
  }

  private leave(): void {
    this.depth--;
  }

  // ---- statements ------------------------------------------------------------

  parseModule(): Stmt[] {
    const body: Stmt[] = [];
    while (this.peek().type !== 'eof') {
      if (this.peek().type === 'indent') throw this.error('unexpected indent', this.peek(), 'IndentationError');
      body.push(...this.statement());
    }
    return body;
  }

  private statement(): Stmt[] {
    const t = this.peek();
    if (t.type === 'name') {
      switch (t.text) {
        case 'if':
          return [this.ifStatement()];
        case 'def':
          return [this.functionDef([])];
        case 'elif':
        case 'else':
          throw this.error('invalid syntax');
      }
      if (t.text in UNSUPPORTED_STATEMENTS && t.text !== 'lambda') throw this.unsupported(UNSUPPORTED_STATEMENTS[t.text]);
      if (t.text === 'match' && this.peek(1).type !== 'op') throw this.unsupported("'match' statements");
    }
    if (this.isOp('@')) return [this.decorated()];
    return this.simpleStatements();
  }

  private simpleStatements(): Stmt[] {
    const out: Stmt[] = [];
    for (;;) {
      out.push(this.smallStatement());
      if (this.isOp(';')) {
        this.next();
        if (this.peek().type === 'newline') break;
        continue;
      }
      break;
    }
    if (this.peek().type !== 'newline') throw this.error('invalid syntax');
    this.next();
    return out;
  }

  private smallStatement(): Stmt {
    const t = this.peek();
    const pos = this.pos(t);
    if (t.type === 'name') {
      if (t.text === 'pass') {
        this.next();
        return { kind: 'Pass', pos };
      }
      if (t.text === 'return') {
        if (this.functionDepth === 0) throw this.error("'return' outside function", t);
        this.next();
        const nt = this.peek();
        const value = nt.type === 'newline' || (nt.type === 'op' && nt.text === ';') ? null : this.starExpressions();
        return { kind: 'Return', value, pos };
      }
      if (t.text === 'import') return this.importStatement();
      if (t.text === 'from') return this.fromImport();
      if (t.text in UNSUPPORTED_STATEMENTS && t.text !== 'lambda') throw this.unsupported(UNSUPPORTED_STATEMENTS[t.text]);
      if (['if', 'def', 'elif', 'else'].includes(t.text)) throw this.error('invalid syntax');
    }
    const first = this.starExpressions();
    if (this.isOp('=')) {
      const targets: Expr[] = [first];
      let value: Expr = first;
      while (this.isOp('=')) {
        this.next();
        value = this.starExpressions();
        targets.push(value);
      }
      targets.pop();
      for (const target of targets) this.checkTarget(target, targets.length === 1);
      return { kind: 'Assign', targets, value, pos };
    }
    const op = this.peek();
    if (op.type === 'op' && AUGMENTED.has(op.text)) throw this.unsupported(`augmented assignment ('${op.text}')`, op);
    if (op.type === 'op' && op.text === ':') throw this.unsupported('annotated assignments', op);
    return { kind: 'Expr', value: first, pos };
  }

  private checkTarget(e: Expr, single: boolean): void {
    const hint = single ? " here. Maybe you meant '==' instead of '='?" : '';
    switch (e.kind) {
      case 'Name':
      case 'Attribute':
      case 'Subscript':
        return;
      case 'Tuple':
      case 'List':
        for (const x of e.elts) this.checkTarget(x, false);
        return;
      case 'Constant':
        if (e.value === null || typeof e.value === 'boolean') {
          throw this.error(`cannot assign to ${e.value === null ? 'None' : e.value ? 'True' : 'False'}`, e.pos);
        }
        throw this.error(`cannot assign to literal${hint}`, e.pos);
      case 'Call':
        throw this.error(`cannot assign to function call${hint}`, e.pos);
      case 'Compare':
        throw this.error('cannot assign to comparison', e.pos);
      case 'IfExp':
        throw this.error('cannot assign to conditional expression', e.pos);
      case 'Dict':
        throw this.error(`cannot assign to dict literal${hint}`, e.pos);
      default:
        throw this.error(`cannot assign to expression${hint}`, e.pos);
    }
  }

  private block(what: string, header: Token): Stmt[] {
    if (this.peek().type !== 'newline') return this.simpleStatements();
    this.next();
    if (this.peek().type !== 'indent') {
      throw this.error(`expected an indented block after ${what} on line ${header.line}`, this.peek(), 'IndentationError');
    }
    this.next();
    const body: Stmt[] = [];
    while (this.peek().type !== 'dedent' && this.peek().type !== 'eof') {
      if (this.peek().type === 'indent') throw this.error('unexpected indent', this.peek(), 'IndentationError');
      body.push(...this.statement());
    }
    if (this.peek().type === 'dedent') this.next();
    return body;
  }

  private ifStatement(): Stmt {
    const head = this.next();
    const test = this.namedExpression();
    this.expectOp(':', "expected ':'");
    const body = this.block(`'${head.text}' statement`, head);
    let orelse: Stmt[] = [];
    if (this.isKeyword('elif')) {
      orelse = [this.ifStatement()];
    } else if (this.isKeyword('else')) {
      const e = this.next();
      this.expectOp(':', "expected ':'");
      orelse = this.block("'else' statement", e);
    }
    return { kind: 'If', test, body, orelse, pos: this.pos(head) };
  }

  private decorated(): Stmt {
    const decorators: Expr[] = [];
    while (this.isOp('@')) {
      this.next();
      decorators.push(this.namedExpression());
      if (this.peek().type !== 'newline') throw this.error('invalid syntax');
      this.next();
    }
    if (this.isKeyword('class')) throw this.unsupported('class definitions');
    if (!this.isKeyword('def')) throw this.error('invalid syntax');
    return this.functionDef(decorators);
  }

  private functionDef(decorators: Expr[]): Stmt {
    const head = this.next();
    const nameTok = this.peek();
    if (nameTok.type !== 'name' || KEYWORDS.has(nameTok.text)) throw this.error('invalid syntax');
    this.next();
    this.expectOp('(', "expected '('");
    const params = this.parameters();
    this.expectOp(')');
    if (this.isOp('->')) throw this.unsupported('return annotations');
    this.expectOp(':', "expected ':'");
    this.functionDepth++;
    const body = this.block('function definition', head);
    this.functionDepth--;
    return { kind: 'FunctionDef', name: nameTok.text, params, body, decorators, pos: this.pos(head) };
  }

  private parameters(): Params {
    const params: Params = { positional: [], vararg: null, keywordOnly: [], kwarg: null };
    const seen = new Set<string>();
    let sawDefault = false;
    let keywordOnly = false;
    const name = (): Token => {
      const t = this.peek();
      if (t.type !== 'name' || KEYWORDS.has(t.text)) throw this.error('invalid syntax');
      this.next();
      if (seen.has(t.text)) throw this.error(`duplicate argument '${t.text}' in function definition`, t);
      seen.add(t.text);
      if (this.isOp(':')) throw this.unsupported('parameter annotations');
      return t;
    };
    while (!this.isOp(')')) {
      if (params.kwarg !== null) throw this.error('arguments cannot follow var-keyword argument');
      if (this.isOp('**')) {
        this.next();
        params.kwarg = name().text;
      } else if (this.isOp('*')) {
        const star = this.next();
        if (keywordOnly) throw this.error('* argument may appear only once', star);
        keywordOnly = true;
        if (this.peek().type === 'name') params.vararg = name().text;
        else if (!this.isOp(',')) throw this.error('named arguments must follow bare *', star);
      } else if (this.isOp('/')) {
        if (keywordOnly || params.positional.length === 0) throw this.error('invalid syntax');
        this.next();
      } else {
        const t = name();
        let def: Expr | null = null;
        if (this.isOp('=')) {
          this.next();
          def = this.expression();
        }
        const param: Param = { name: t.text, default: def, pos: this.pos(t) };
        if (keywordOnly) params.keywordOnly.push(param);
        else {
          if (def) sawDefault = true;
          else if (sawDefault) throw this.error('non-default argument follows default argument', t);
          params.positional.push(param);
        }
      }
      if (!this.isOp(',')) break;
      this.next();
    }
    return params;
  }

  private dottedName(): { name: string; at: Token } {
    const at = this.peek();
    if (at.type !== 'name' || KEYWORDS.has(at.text)) throw this.error('invalid syntax');
    let name = this.next().text;
    while (this.isOp('.')) {
      this.next();
      const t = this.peek();
      if (t.type !== 'name' || KEYWORDS.has(t.text)) throw this.error('invalid syntax');
      name += `.${this.next().text}`;
    }
    return { name, at };
  }

  private asName(): string | null {
    if (!this.isKeyword('as')) return null;
    this.next();
    const t = this.peek();
    if (t.type !== 'name' || KEYWORDS.has(t.text)) throw this.error('invalid syntax');
    return this.next().text;
  }

  private importStatement(): Stmt {
    const head = this.next();
    const names: Alias[] = [];
    do {
      if (names.length) this.next();
      const { name, at } = this.dottedName();
      names.push({ name, asname: this.asName(), pos: this.pos(at) });
    } while (this.isOp(','));
    return { kind: 'Import', names, pos: this.pos(head) };
  }

  private fromImport(): Stmt {
    const head = this.next();
    if (this.isOp('.') || this.isOp('...')) throw this.unsupported('relative imports');
    const { name: module } = this.dottedName();
    if (!this.isKeyword('import')) throw this.error('invalid syntax');
    this.next();
    if (this.isOp('*')) throw this.unsupported("'import *'");
    const parens = this.isOp('(');
    if (parens) this.next();
    const names: Alias[] = [];
    for (;;) {
      const t = this.peek();
      if (t.type !== 'name' || KEYWORDS.has(t.text)) throw this.error(names.length && parens ? 'invalid syntax' : 'invalid syntax');
      this.next();
      names.push({ name: t.text, asname: this.asName(), pos: this.pos(t) });
      if (!this.isOp(',')) break;
      this.next();
      if (parens && this.isOp(')')) break;
    }
    if (parens) this.expectOp(')');
    return { kind: 'ImportFrom', module, names, pos: this.pos(head) };
  }

  // ---- expressions -----------------------------------------------------------

  /** A comma list: one expression, or a tuple of several. */
  private starExpressions(): Expr {
    const first = this.expression();
    if (!this.isOp(',')) return first;
    const elts = [first];
    while (this.isOp(',')) {
      this.next();
      if (!this.startsExpression()) break;
      elts.push(this.expression());
    }
    return { kind: 'Tuple', elts, pos: first.pos };
  }

  private namedExpression(): Expr {
    const e = this.expression();
    if (this.isOp(':=')) throw this.unsupported("assignment expressions (':=')");
    return e;
  }

  private startsExpression(k = 0): boolean {
    const t = this.peek(k);
    if (t.type === 'name') return !KEYWORDS.has(t.text) || ['None', 'True', 'False', 'not', 'lambda', 'await'].includes(t.text);
    if (t.type === 'number' || t.type === 'string') return true;
    return t.type === 'op' && ['(', '[', '{', '-', '+', '~', '*', '...'].includes(t.text);
  }

  expression(): Expr {
    const start = this.peek();
    this.enter(start);
    try {
      if (this.isKeyword('lambda')) throw this.unsupported('lambda expressions');
      const body = this.disjunction();
      if (!this.isKeyword('if')) return body;
      this.next();
      const test = this.disjunction();
      if (!this.isKeyword('else')) throw this.error("expected 'else' after 'if' expression");
      this.next();
      const orelse = this.expression();
      return { kind: 'IfExp', test, body, orelse, pos: body.pos };
    } finally {
      this.leave();
    }
  }

  private disjunction(): Expr {
    const first = this.conjunction();
    if (!this.isKeyword('or')) return first;
    const values = [first];
    while (this.isKeyword('or')) {
      this.next();
      values.push(this.conjunction());
    }
    return { kind: 'BoolOp', op: 'or', values, pos: first.pos };
  }

  private conjunction(): Expr {
    const first = this.inversion();
    if (!this.isKeyword('and')) return first;
    const values = [first];
    while (this.isKeyword('and')) {
      this.next();
      values.push(this.inversion());
    }
    return { kind: 'BoolOp', op: 'and', values, pos: first.pos };
  }

  private inversion(): Expr {
    if (!this.isKeyword('not')) return this.comparison();
    const t = this.next();
    this.enter(t);
    try {
      return { kind: 'UnaryOp', op: 'not', operand: this.inversion(), pos: this.pos(t) };
    } finally {
      this.leave();
    }
  }

  private compareOperator(): CompareOperator | null {
    const t = this.peek();
    if (t.type === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.text)) {
      this.next();
      return t.text as CompareOperator;
    }
    if (this.isKeyword('in')) {
      this.next();
      return 'in';
    }
    if (this.isKeyword('not') && this.isKeyword('in', 1)) {
      this.next();
      this.next();
      return 'not in';
    }
    if (this.isKeyword('is')) {
      this.next();
      if (this.isKeyword('not')) {
        this.next();
        return 'is not';
      }
      return 'is';
    }
    return null;
  }

  private comparison(): Expr {
    const left = this.binary(1);
    const ops: CompareOperator[] = [];
    const comparators: Expr[] = [];
    for (;;) {
      const op = this.compareOperator();
      if (!op) break;
      ops.push(op);
      comparators.push(this.binary(1));
    }
    return ops.length ? { kind: 'Compare', left, ops, comparators, pos: left.pos } : left;
  }

  /** Left-associative binary operators by precedence climbing. */
  private binary(minPrec: number): Expr {
    let left = this.factor();
    for (;;) {
      const t = this.peek();
      if (t.type === 'op' && t.text === '@') throw this.unsupported("the '@' operator", t);
      const prec = t.type === 'op' ? PRECEDENCE.get(t.text) : undefined;
      if (prec === undefined || prec < minPrec) return left;
      this.next();
      const right = this.binary(prec + 1);
      left = { kind: 'BinOp', op: t.text as BinOperator, left, right, pos: left.pos, opPos: this.pos(t) };
    }
  }

  private factor(): Expr {
    const t = this.peek();
    if (t.type === 'op' && (t.text === '-' || t.text === '+' || t.text === '~')) {
      this.next();
      this.enter(t);
      try {
        return { kind: 'UnaryOp', op: t.text as '-' | '+' | '~', operand: this.factor(), pos: this.pos(t) };
      } finally {
        this.leave();
      }
    }
    return this.power();
  }

  private power(): Expr {
    if (this.isKeyword('await')) throw this.unsupported("'await'");
    const base = this.primary();
    if (!this.isOp('**')) return base;
    const op = this.next();
    this.enter(op);
    try {
      const exponent = this.factor();
      return { kind: 'BinOp', op: '**', left: base, right: exponent, pos: base.pos, opPos: this.pos(op) };
    } finally {
      this.leave();
    }
  }

  private primary(): Expr {
    let e = this.atom();
    for (;;) {
      if (this.isOp('.')) {
        this.next();
        const t = this.peek();
        if (t.type !== 'name' || KEYWORDS.has(t.text)) throw this.error('invalid syntax');
        this.next();
        e = { kind: 'Attribute', value: e, attr: t.text, pos: e.pos, attrPos: this.pos(t) };
      } else if (this.isOp('(')) {
        e = this.call(e);
      } else if (this.isOp('[')) {
        this.next();
        const index = this.subscript();
        this.expectOp(']');
        e = { kind: 'Subscript', value: e, index, pos: e.pos };
      } else {
        return e;
      }
    }
  }

  private call(func: Expr): Expr {
    this.next();
    const args: Expr[] = [];
    const keywords: Keyword[] = [];
    const names = new Set<string>();
    let previous: Expr;
    while (!this.isOp(')')) {
      const t = this.peek();
      if (this.isOp('*') || this.isOp('**')) throw this.unsupported(`'${t.text}' unpacking in calls`);
      if (t.type === 'name' && !KEYWORDS.has(t.text) && this.isOp('=', 1)) {
        this.next();
        this.next();
        if (names.has(t.text)) throw this.error(`keyword argument repeated: ${t.text}`, t);
        names.add(t.text);
        const value = this.expression();
        keywords.push({ name: t.text, value, pos: this.pos(t) });
        previous = value;
      } else {
        const value = this.expression();
        if (this.isKeyword('for')) throw this.unsupported('generator expressions');
        if (keywords.length) throw this.error('positional argument follows keyword argument', value.pos);
        args.push(value);
        previous = value;
      }
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      if (!this.isOp(')')) this.missingComma(previous);
    }
    this.next();
    return { kind: 'Call', func, args, keywords, pos: func.pos };
  }

  private missingComma(previous: Expr | null): never {
    if (previous && this.startsExpression()) throw this.error('invalid syntax. Perhaps you forgot a comma?', previous.pos);
    throw this.error('invalid syntax');
  }

  private subscript(): Expr {
    const start = this.peek();
    const part = (): Expr | null => (this.isOp(':') || this.isOp(']') || this.isOp(',') ? null : this.expression());
    const lower = part();
    if (!this.isOp(':')) {
      if (!lower) throw this.error('invalid syntax');
      if (!this.isOp(',')) return lower;
      const elts = [lower];
      while (this.isOp(',')) {
        this.next();
        if (this.isOp(']')) break;
        elts.push(this.expression());
      }
      return { kind: 'Tuple', elts, pos: lower.pos };
    }
    this.next();
    const upper = part();
    let step: Expr | null = null;
    if (this.isOp(':')) {
      this.next();
      step = part();
    }
    return { kind: 'Slice', lower, upper, step, pos: this.pos(start) };
  }

  private atom(): Expr {
    const t = this.peek();
    const pos = this.pos(t);
    switch (t.type) {
      case 'name': {
        if (t.text === 'True' || t.text === 'False' || t.text === 'None') {
          this.next();
          return { kind: 'Constant', value: t.text === 'None' ? null : t.text === 'True', pos };
        }
        if (t.text in UNSUPPORTED_STATEMENTS) throw this.unsupported(UNSUPPORTED_STATEMENTS[t.text]);
        if (KEYWORDS.has(t.text)) throw this.error('invalid syntax');
        this.next();
        return { kind: 'Name', id: t.text, pos };
      }
      case 'number': {
        this.next();
        const value: Constant = t.num!.float ? { float: t.num!.value } : { int: t.num!.value };
        return { kind: 'Constant', value, pos };
      }
      case 'string':
        return this.strings();
      case 'op':
        return this.bracketed(t);
      default:
        throw this.error('invalid syntax');
    }
  }

  private strings(): Expr {
    const first = this.peek();
    let value = '';
    while (this.peek().type === 'string') {
      const t = this.next();
      if (t.str!.fstring) throw this.unsupported('f-strings', t);
      if (t.str!.bytes) throw this.unsupported('bytes literals', t);
      value += t.str!.value;
    }
    return { kind: 'Constant', value, pos: this.pos(first) };
  }

  private bracketed(t: Token): Expr {
    const pos = this.pos(t);
    if (t.text === '(') {
      this.next();
      if (this.isOp(')')) {
        this.next();
        return { kind: 'Tuple', elts: [], pos };
      }
      if (this.isOp('*')) throw this.unsupported("'*' unpacking");
      const first = this.namedExpression();
      if (this.isKeyword('for')) throw this.unsupported('generator expressions');
      if (this.isOp(')')) {
        this.next();
        return first;
      }
      if (!this.isOp(',')) this.missingComma(first);
      const elts = [first, ...this.sequenceRest(')')];
      return { kind: 'Tuple', elts, pos };
    }
    if (t.text === '[') {
      this.next();
      if (this.isOp(']')) {
        this.next();
        return { kind: 'List', elts: [], pos };
      }
      if (this.isOp('*')) throw this.unsupported("'*' unpacking");
      const first = this.namedExpression();
      if (this.isKeyword('for')) throw this.unsupported('list comprehensions');
      if (this.isOp(']')) {
        this.next();
        return { kind: 'List', elts: [first], pos };
      }
      if (!this.isOp(',')) this.missingComma(first);
      return { kind: 'List', elts: [first, ...this.sequenceRest(']')], pos };
    }
    if (t.text === '{') return this.dict(t);
    if (t.text === '...') throw this.unsupported('the Ellipsis literal');
    throw this.error('invalid syntax');
  }

  /** After the first element and a ',': the rest of a tuple or list, and the closer. */
  private sequenceRest(closer: string): Expr[] {
    const elts: Expr[] = [];
    while (this.isOp(',')) {
      this.next();
      if (this.isOp(closer)) break;
      if (this.isOp('*')) throw this.unsupported("'*' unpacking");
      const element = this.expression();
      elts.push(element);
      if (!this.isOp(',') && !this.isOp(closer)) this.missingComma(element);
    }
    this.expectOp(closer);
    return elts;
  }

  private dict(open: Token): Expr {
    const pos = this.pos(open);
    this.next();
    const keys: Expr[] = [];
    const values: Expr[] = [];
    while (!this.isOp('}')) {
      if (this.isOp('**')) throw this.unsupported("'**' unpacking in dict displays");
      const key = this.expression();
      if (!this.isOp(':')) {
        if (keys.length === 0 && (this.isOp(',') || this.isOp('}'))) throw this.unsupported('set displays', open);
        if (keys.length === 0 && this.isKeyword('for')) throw this.unsupported('set comprehensions', open);
        if (this.startsExpression()) this.missingComma(key);
        throw this.error("':' expected after dictionary key");
      }
      this.next();
      const value = this.expression();
      if (this.isKeyword('for')) throw this.unsupported('dict comprehensions');
      keys.push(key);
      values.push(value);
      if (this.isOp(',')) {
        this.next();
        continue;
      }
      if (!this.isOp('}')) this.missingComma(value);
    }
    this.next();
    return { kind: 'Dict', keys, values, pos };
  }
}

/** Parses a whole configuration file. Throws ConfigError with a place. */
export function parseModule(source: string): Module {
  const text = normalizeSource(source);
  if (text.length > MAX_SOURCE_CHARS) {
    const before = text.slice(0, MAX_SOURCE_CHARS);
    const line = before.split('\n').length;
    const col = Array.from(before.slice(before.lastIndexOf('\n') + 1)).length + 1;
    throw new ConfigError(
      'ConfigTooLarge',
      `the configuration is ${text.length} characters long; the sandbox reads at most ${MAX_SOURCE_CHARS}`,
      line,
      col,
      lineOf(text, line),
    );
  }
  const tokens = tokenize(text);
  return { body: new Parser(tokens, text).parseModule(), source: text };
}
