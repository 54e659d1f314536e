import { describe, expect, it } from 'vitest';
import type { Expr, Stmt } from '../../src/celery/python/ast.ts';
import { ConfigError } from '../../src/celery/python/errors.ts';
import { tokenize } from '../../src/celery/python/lexer.ts';
import { MAX_SOURCE_CHARS, parseModule } from '../../src/celery/python/parser.ts';
import subset from './fixtures/python-subset.json' with { type: 'json' };

function parseError(source: string): ConfigError {
  try {
    parseModule(source);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error(`parsed without error: ${JSON.stringify(source.slice(0, 80))}`);
}

function onlyExpr(source: string): Expr {
  const [s] = parseModule(source).body;
  if (s.kind !== 'Assign') throw new Error(`not an assignment: ${s.kind}`);
  return s.value;
}

describe('lexer', () => {
  it('emits NEWLINE, INDENT and DEDENT for blocks, and joins lines inside brackets and after a backslash', () => {
    const types = tokenize('if x:\n    y = (1,\n  2)\n\n    # c\nz = 1 + \\\n 2\n').map((t) => (t.type === 'op' || t.type === 'name' || t.type === 'number' ? t.text : t.type));
    expect(types).toEqual(['if', 'x', ':', 'newline', 'indent', 'y', '=', '(', '1', ',', '2', ')', 'newline', 'dedent', 'z', '=', '1', '+', '2', 'newline', 'eof']);
  });

  it('decodes string literals: escapes, raw strings, triple quotes and implicit concatenation', () => {
    const e = onlyExpr("x = 'a\\tb\\x41\\u00e9\\101\\\\' r'\\d+\\.' '''l1\nl2''' \"q'\"\n");
    expect(e).toMatchObject({ kind: 'Constant', value: "a\tbAéA\\\\d+\\.l1\nl2q'" });
  });

  it('reads every number form Python has: ints, hex, octal, binary, underscores, floats and exponents', () => {
    const e = onlyExpr('x = (10, 0x1F, 0o17, 0b101, 1_000, 1.5, .5, 1., 1e3, 2.5E-2)\n');
    expect(e.kind === 'Tuple' && e.elts.map((x) => (x.kind === 'Constant' ? x.value : null))).toEqual([
      { int: 10 }, { int: 31 }, { int: 15 }, { int: 5 }, { int: 1000 }, { float: 1.5 }, { float: 0.5 }, { float: 1 }, { float: 1000 }, { float: 0.025 },
    ]);
  });

  it('places tokens by 1-based line and code-point column, as Python does', () => {
    const toks = tokenize("é = 'ü'\nx = 1\n");
    expect(toks.filter((t) => t.type !== 'newline' && t.type !== 'eof').map((t) => [t.text, t.line, t.col])).toEqual([
      ['é', 1, 1], ['=', 1, 3], ["'ü'", 1, 5], ['x', 2, 1], ['=', 2, 3], ['1', 2, 5],
    ]);
  });
});

describe('parser: every supported construct', () => {
  const seedRouter = [
    'def route_task(name, args, kwargs, options, task=None, **kw):',
    "        if name == 'myapp.tasks.compress_video':",
    "            return {'exchange': 'video',",
    "                    'exchange_type': 'topic',",
    "                    'routing_key': 'video.compress'}",
    '',
  ].join('\n');

  it("reads the seed's router verbatim: def with defaults and **kw, if, comparison, return of a dict", () => {
    const [def] = parseModule(seedRouter).body;
    expect(def.kind).toBe('FunctionDef');
    if (def.kind !== 'FunctionDef') return;
    expect(def.params.positional.map((p) => [p.name, p.default !== null])).toEqual([
      ['name', false], ['args', false], ['kwargs', false], ['options', false], ['task', true],
    ]);
    expect(def.params.kwarg).toBe('kw');
    const [ifs] = def.body;
    expect(ifs).toMatchObject({ kind: 'If', test: { kind: 'Compare', ops: ['=='] }, body: [{ kind: 'Return', value: { kind: 'Dict' } }], orelse: [] });
  });

  it('reads if / elif / else chains as nested If nodes', () => {
    const [s] = parseModule('if a:\n    x = 1\nelif b:\n    x = 2\nelse:\n    x = 3\n').body;
    expect(s).toMatchObject({ kind: 'If', orelse: [{ kind: 'If', orelse: [{ kind: 'Assign' }] }] });
  });

  it('reads imports, from-imports with aliases and parentheses', () => {
    const body = parseModule('import re\nimport os.path as p\nfrom kombu import (Exchange,\n    Queue as Q,)\nfrom kombu.common import Broadcast\n').body;
    expect(body.map((s) => (s.kind === 'Import' || s.kind === 'ImportFrom' ? s.names.map((a) => [a.name, a.asname]) : null))).toEqual([
      [['re', null]],
      [['os.path', 'p']],
      [['Exchange', null], ['Queue', 'Q']],
      [['Broadcast', null]],
    ]);
  });

  it('reads assignments to names, attributes, subscripts, chains and tuples', () => {
    const body = parseModule("app.conf.task_default_queue = 'default'\nd['k'] = 1\na = b = 2\nx, y = 1, 2\n").body;
    expect(body.map((s) => (s.kind === 'Assign' ? s.targets.map((t) => t.kind) : s.kind))).toEqual([['Attribute'], ['Subscript'], ['Name', 'Name'], ['Tuple']]);
  });

  it('reads operators with Python precedence: or < and < not < comparison < | < ^ < & < shifts < + < * < unary < **', () => {
    const e = onlyExpr('x = not a or b and c == d | e ^ f & g << h + i * -j ** k\n');
    expect(e).toMatchObject({
      kind: 'BoolOp',
      op: 'or',
      values: [
        { kind: 'UnaryOp', op: 'not' },
        {
          kind: 'BoolOp',
          op: 'and',
          values: [
            { kind: 'Name', id: 'b' },
            {
              kind: 'Compare',
              comparators: [
                {
                  kind: 'BinOp',
                  op: '|',
                  right: { op: '^', right: { op: '&', right: { op: '<<', right: { op: '+', right: { op: '*', right: { kind: 'UnaryOp', op: '-', operand: { op: '**' } } } } } } },
                },
              ],
            },
          ],
        },
      ],
    });
  });

  it('reads comparison chains with in, not in, is and is not', () => {
    expect(onlyExpr('x = a < b <= c in d not in e is f is not g\n')).toMatchObject({ ops: ['<', '<=', 'in', 'not in', 'is', 'is not'] });
  });

  it('reads calls with positional and keyword arguments, attributes, subscripts and slices', () => {
    const e = onlyExpr("x = Queue('media', [binding(ex, routing_key='a')], queue_arguments={'x-max-priority': 10}).name[1:-1:2]\n");
    expect(e).toMatchObject({
      kind: 'Subscript',
      index: { kind: 'Slice', lower: { kind: 'Constant' }, upper: { kind: 'UnaryOp' }, step: { kind: 'Constant' } },
      value: { kind: 'Attribute', attr: 'name', value: { kind: 'Call', args: [{ kind: 'Constant' }, { kind: 'List' }], keywords: [{ name: 'queue_arguments' }] } },
    });
  });

  it('reads tuples with and without parentheses, one-element tuples and trailing commas', () => {
    expect(onlyExpr('x = (route_task,)\n')).toMatchObject({ kind: 'Tuple', elts: [{ kind: 'Name' }] });
    expect(onlyExpr('x = 1, 2,\n')).toMatchObject({ kind: 'Tuple', elts: [{}, {}] });
    expect(onlyExpr('x = (1)\n')).toMatchObject({ kind: 'Constant', value: { int: 1 } });
    expect(onlyExpr('x = ()\n')).toMatchObject({ kind: 'Tuple', elts: [] });
  });

  it('reads conditional expressions, decorators, pass and semicolons', () => {
    expect(onlyExpr("x = 'a' if c else 'b'\n")).toMatchObject({ kind: 'IfExp' });
    const [def] = parseModule("@app.task(queue='q')\n@other\ndef add(x, y):\n    pass; return x\n").body as Stmt[];
    expect(def).toMatchObject({ kind: 'FunctionDef', decorators: [{ kind: 'Call' }, { kind: 'Name' }], body: [{ kind: 'Pass' }, { kind: 'Return' }] });
  });

  it('reads keyword-only parameters and *args', () => {
    const [def] = parseModule('def f(a, *rest, b=1, **kw):\n    return a\n').body;
    expect(def).toMatchObject({ params: { positional: [{ name: 'a' }], vararg: 'rest', keywordOnly: [{ name: 'b' }], kwarg: 'kw' } });
  });
});

describe('parser: invalid Python is refused as Python refuses it', () => {
  const refused = subset.syntax.filter((c) => !c.ok && c.type !== 'RecursionError');
  it.each(refused.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const e = parseError(c.source);
    expect(e.type).toBe(c.type);
    expect(e.detail).toBe(c.message);
    expect(e.line).toBe(c.line);
  });

  it('agrees with Python on the column too, except where Python points past the offending token', () => {
    const differing = refused.filter((c) => parseError(c.source).column !== c.offset).map((c) => c.name);
    expect(differing).toEqual(['unindent mismatch', 'unexpected indent', 'positional after keyword']);
  });

  it('accepts what Python accepts', () => {
    for (const c of subset.syntax.filter((x) => x.ok)) expect(() => parseModule(c.source), c.name).not.toThrow();
  });

  it("names the seed's multi-router example's missing '}' at the ']' that does not match, as Python does", () => {
    const c = subset.syntax.find((x) => x.name.startsWith('seed multi-router'))!;
    const e = parseError(c.source);
    expect(e.message).toBe("line 8, column 1: SyntaxError: closing parenthesis ']' does not match opening parenthesis '{' on line 3");
    expect(e.pretty()).toBe(["  File \"config.py\", line 8, column 1", '    ]', '    ^', "SyntaxError: closing parenthesis ']' does not match opening parenthesis '{' on line 3"].join('\n'));
  });
});

describe('parser: valid Python outside the subset is refused as Unsupported, with its place', () => {
  it.each([
    ['for x in y:\n    pass\n', 1, 1, "'for' loops"],
    ['while True:\n    pass\n', 1, 1, "'while' loops"],
    ['class R:\n    pass\n', 1, 1, 'class definitions'],
    ['with x:\n    pass\n', 1, 1, "'with' statements"],
    ['try:\n    pass\nexcept E:\n    pass\n', 1, 1, "'try' statements"],
    ['x = 1\nx += 1\n', 2, 3, "augmented assignment ('+=')"],
    ['x: int = 1\n', 1, 2, 'annotated assignments'],
    ['f = lambda n: n\n', 1, 5, 'lambda expressions'],
    ['x = [a for a in b]\n', 1, 8, 'list comprehensions'],
    ['x = {a: 1 for a in b}\n', 1, 11, 'dict comprehensions'],
    ["x = f'{a}'\n", 1, 5, 'f-strings'],
    ["x = b'a'\n", 1, 5, 'bytes literals'],
    ['x = {1, 2}\n', 1, 5, 'set displays'],
    ['f(*args)\n', 1, 3, "'*' unpacking in calls"],
    ['x = {**d}\n', 1, 6, "'**' unpacking in dict displays"],
    ['x = 1j\n', 1, 5, 'complex numbers'],
    ['from . import x\n', 1, 6, 'relative imports'],
    ['from kombu import *\n', 1, 19, "'import *'"],
    ['def f() -> int:\n    pass\n', 1, 9, 'return annotations'],
    ['if (n := 1):\n    pass\n', 1, 7, "assignment expressions (':=')"],
    ['x = ...\n', 1, 5, 'the Ellipsis literal'],
    ['x = 9007199254740993\n', 1, 5, 'integers beyond 2**53'],
  ])('%j', (source, line, column, what) => {
    const e = parseError(source);
    expect([e.type, e.line, e.column]).toEqual(['Unsupported', line, column]);
    expect(e.detail).toContain(what);
    expect(e.detail).toMatch(/outside the sandbox's Python subset$/);
  });
});

describe('parser: hostile input gets a clear error, never a hang or a crash', () => {
  it('refuses more than 200 nested brackets at the 201st, as CPython does', () => {
    const e = parseError(`x = ${'['.repeat(300)}${']'.repeat(300)}\n`);
    expect([e.type, e.detail, e.line, e.column]).toEqual(['SyntaxError', 'too many nested parentheses', 1, 205]);
  });

  it('accepts 200 nested brackets', () => {
    expect(() => parseModule(`x = ${'['.repeat(200)}${']'.repeat(200)}\n`)).not.toThrow();
  });

  it.each([
    ['not', `x = ${'not '.repeat(5000)}y\n`],
    ['unary minus', `x = ${'-'.repeat(5000)}1\n`],
    ['power', `x = ${'2 ** '.repeat(5000)}2\n`],
    ['conditional', `x = ${'a if b else '.repeat(5000)}c\n`],
  ])('refuses a 5000-deep %s chain at the first level past the limit', (_what, source) => {
    const e = parseError(source);
    expect(e.type).toBe('RecursionError');
    expect(e.line).toBe(1);
    expect(e.detail).toContain('nested expressions');
  });

  it('refuses 100 levels of indentation as CPython does', () => {
    const c = subset.syntax.find((x) => x.name === 'too many indentation levels')!;
    const e = parseError(c.source);
    expect([e.type, e.detail, e.line]).toEqual(['IndentationError', 'too many levels of indentation', 101]);
  });

  it('refuses a 1 MB file before reading it, naming the line and column where the limit falls', () => {
    const line = `task_default_queue = '${'x'.repeat(100)}'\n`;
    const source = line.repeat(Math.ceil((1 << 20) / line.length));
    const e = parseError(source);
    expect(e.type).toBe('ConfigTooLarge');
    expect(e.detail).toBe(`the configuration is ${source.length} characters long; the sandbox reads at most ${MAX_SOURCE_CHARS}`);
    const lineNo = Math.floor(MAX_SOURCE_CHARS / line.length) + 1;
    expect([e.line, e.column]).toEqual([lineNo, MAX_SOURCE_CHARS - (lineNo - 1) * line.length + 1]);
  });

  it('reads a large valid file (200 KB of settings and routers) completely', () => {
    const chunk = "task_routes = {'a.b': {'queue': 'q', 'routing_key': 'k'}}\ndef r(name, args, kwargs, options, task=None, **kw):\n    if name.startswith('x'):\n        return 'q'\n";
    const source = chunk.repeat(Math.floor((200 * 1024) / chunk.length));
    expect(parseModule(source).body.length).toBe(2 * Math.floor((200 * 1024) / chunk.length));
  });

  it('answers 200 KB of binary garbage with a SyntaxError at its first bad character', () => {
    let seed = 7;
    const garbage = Array.from({ length: 200 * 1024 }, () => String.fromCharCode((seed = (seed * 1103515245 + 12345) % 2147483648) % 256)).join('');
    const e = parseError(garbage);
    expect(['SyntaxError', 'IndentationError', 'TabError']).toContain(e.type);
    expect(e.line).toBeGreaterThanOrEqual(1);
    expect(e.column).toBeGreaterThanOrEqual(1);
  });

  it('names non-printable characters by code point', () => {
    expect(parseError('x = 1\u00002\n').detail).toBe('invalid non-printable character U+0000');
    expect(parseError('x = 1 \u200b\n').detail).toBe('invalid non-printable character U+200B');
  });

  it('refuses a statement that is only an unclosed string at the end of the file', () => {
    const e = parseError("x = 'abc");
    expect([e.detail, e.line, e.column]).toEqual(['unterminated string literal (detected at line 1)', 1, 5]);
  });
});
