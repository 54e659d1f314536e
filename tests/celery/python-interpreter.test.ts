import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/celery/python/errors.ts';
import { Interpreter, MAX_STEPS } from '../../src/celery/python/interpreter.ts';
import { parseModule } from '../../src/celery/python/parser.ts';
import { standardModules } from '../../src/celery/python/stdlib.ts';
import { PyDict, repr, type PyValue } from '../../src/celery/python/values.ts';
import subset from './fixtures/python-subset.json' with { type: 'json' };

function run(source: string): Interpreter {
  const it = new Interpreter({ modules: standardModules(), moduleName: 'tasks' });
  it.run(parseModule(source));
  return it;
}

function value(source: string, name = 'x'): string {
  return repr(run(source).globals.get(name)!);
}

function failure(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('expressions evaluate as CPython 3.11 evaluates them', () => {
  it.each(subset.exprs.map((c) => [c.expr, c] as const))('%s', (expr, c) => {
    const it = new Interpreter();
    let got: { value?: string; error?: string; message?: string };
    try {
      it.run(parseModule(`x = ${expr}\n`));
      got = { value: repr(it.globals.get('x')!) };
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      got = { error: e.type, message: e.detail };
    }
    if ('value' in c) expect(got).toEqual({ value: c.value });
    else expect(got).toEqual({ error: c.error, message: c.message });
  });
});

describe('statements', () => {
  it('binds module names top to bottom; later assignments win', () => {
    expect(value("x = 'a'\ny = x\nx = 'b'\n", 'y')).toBe("'a'");
    expect(value("x = 'a'\ny = x\nx = 'b'\n")).toBe("'b'");
  });

  it('assigns to subscripts, chains and tuple targets', () => {
    const it = run("d = {}\nd['k'] = [0, 1]\nd['k'][1] = 5\na = b = 3\np, q = 'pq'\n");
    expect(['d', 'a', 'b', 'p', 'q'].map((n) => repr(it.globals.get(n)!))).toEqual(["{'k': [0, 5]}", '3', '3', "'p'", "'q'"]);
  });

  it('runs if / elif / else at module level', () => {
    expect(value("n = 2\nif n == 1:\n    x = 'one'\nelif n == 2:\n    x = 'two'\nelse:\n    x = 'many'\n")).toBe("'two'");
  });

  it('calls functions with defaults, keywords, *args, **kwargs and keyword-only parameters', () => {
    const src = 'def f(a, b=2, *rest, c=3, **kw):\n    return (a, b, rest, c, kw)\nx = f(1, 9, 8, 7, c=0, z=1)\ny = f(a=1)\n';
    const it = run(src);
    expect(repr(it.globals.get('x')!)).toBe("(1, 9, (8, 7), 0, {'z': 1})");
    expect(repr(it.globals.get('y')!)).toBe('(1, 2, (), 3, {})');
  });

  it("calls the seed's router verbatim and returns its dict, or None when nothing matches", () => {
    const src = [
      'def route_task(name, args, kwargs, options, task=None, **kw):',
      "        if name == 'myapp.tasks.compress_video':",
      "            return {'exchange': 'video',",
      "                    'exchange_type': 'topic',",
      "                    'routing_key': 'video.compress'}",
      '',
    ].join('\n');
    const it = run(src);
    const router = it.globals.get('route_task')!;
    const call = (name: string) => repr(it.callOutside(router, [name, [] as unknown as PyValue, new PyDict(), new PyDict()], new Map([['task', null]])));
    expect(call('myapp.tasks.compress_video')).toBe("{'exchange': 'video', 'exchange_type': 'topic', 'routing_key': 'video.compress'}");
    expect(call('myapp.tasks.other')).toBe('None');
  });

  it('gives nested functions their enclosing variables (closures)', () => {
    expect(value("def outer(p):\n    def inner(n):\n        return p + n\n    return inner\nx = outer('a.')('b')\n")).toBe("'a.b'");
  });

  it('applies decorators bottom-up', () => {
    expect(value("def tag(t):\n    def deco(f):\n        return t\n    return deco\n@tag('outer')\n@tag('inner')\ndef g():\n    pass\nx = g\n")).toBe("'outer'");
  });

  it('imports from the modules it is given, and nothing else', () => {
    expect(value("import re\nfrom re import compile as c\nx = c('a') == re.compile('a')\n")).toBe('True');
    const e = failure(() => run('import socket\n'));
    expect([e.type, e.line, e.column]).toEqual(['ModuleNotFoundError', 1, 8]);
    expect(e.detail).toMatch(/^No module named 'socket'/);
    const f = failure(() => run('from re import nothing\n'));
    expect([f.type, f.line, f.column]).toEqual(['ImportError', 1, 16]);
  });

  it('reads os.environ as empty, so defaults apply', () => {
    expect(value("import os\nx = (os.environ.get('BROKER', 'amqp://'), os.getenv('Q', 'celery'))\n")).toBe("('amqp://', 'celery')");
  });

  it('collects what print writes', () => {
    expect(run("print('a', 1, None, sep='-')\n").output).toEqual(['a-1-None']);
  });
});

describe('runtime errors carry the place where they happened', () => {
  it('names an unknown name at its column', () => {
    const e = failure(() => run("task_routes = {\n    'a': {'queue': missing_queue},\n}\n"));
    expect(e.message).toBe("line 2, column 20: NameError: name 'missing_queue' is not defined");
  });

  it('points inside a router when Celery calls it and it fails', () => {
    const it = run("def route(name, args, kwargs, options, task=None, **kw):\n    if name.startswith('x'):\n        return kwargs['queue']\n");
    const e = failure(() => it.callOutside(it.globals.get('route')!, ['x.y', null, new PyDict(), new PyDict()]));
    expect([e.type, e.detail, e.line, e.column]).toEqual(['KeyError', "'queue'", 3, 16]);
  });

  it("reports reading a local before it is assigned as Python 3.11 does", () => {
    const it = run('def f():\n    if False:\n        y = 1\n    return y\n');
    const e = failure(() => it.callOutside(it.globals.get('f')!, []));
    expect([e.type, e.detail, e.line]).toEqual(['UnboundLocalError', "cannot access local variable 'y' where it is not associated with a value", 4]);
  });

  it('refuses wrong call signatures with Python’s TypeError texts', () => {
    expect(failure(() => run('def f(a, b):\n    pass\nf(1)\n')).detail).toBe("f() missing 1 required positional argument: 'b'");
    expect(failure(() => run('def f(a):\n    pass\nf(1, 2)\n')).detail).toBe('f() takes 1 positional argument but 2 were given');
    expect(failure(() => run('def f(a):\n    pass\nf(b=1)\n')).detail).toBe("f() got an unexpected keyword argument 'b'");
    expect(failure(() => run("x = 'a'\nx()\n")).detail).toBe("'str' object is not callable");
  });

  it('stops infinite recursion with a RecursionError, not a crash', () => {
    const it = run('def loop(n):\n    return loop(n + 1)\n');
    const e = failure(() => it.callOutside(it.globals.get('loop')!, [0]));
    expect([e.type, e.detail, e.line]).toEqual(['RecursionError', 'maximum recursion depth exceeded', 2]);
  });

  it('stops exponential recursion at the step budget instead of hanging', () => {
    const it = run('def f(n):\n    return 1 if n == 0 else f(n - 1) + f(n - 1)\n');
    expect(repr(it.callOutside(it.globals.get('f')!, [10]))).toBe('1024');
    const e = failure(() => it.callOutside(it.globals.get('f')!, [60]));
    expect(e.type).toBe('LimitExceeded');
    expect(e.detail).toBe(`the configuration ran more than ${MAX_STEPS} steps; the sandbox stopped it here`);
    expect(e.line).toBe(2);
  });

  it('refuses to build a string or list beyond a megabyte', () => {
    expect(failure(() => run("x = 'a' * 10 ** 9\n")).type).toBe('MemoryError');
    expect(failure(() => run('x = [0] * 10 ** 7\n')).type).toBe('MemoryError');
  });

  it('refuses integers beyond 2**53 rather than losing digits', () => {
    expect(failure(() => run('x = 2 ** 64\n')).type).toBe('OverflowError');
  });

  it('stops walking values nested deeper than Python could print', () => {
    const e = failure(() => run(`a = []\n${'a = [a]\n'.repeat(600)}s = repr(a)\n`));
    expect([e.type, e.line]).toEqual(['RecursionError', 602]);
  });

  it('stops walking a value whose shared parts multiply (a = [a, a], forty times) instead of hanging', () => {
    const e = failure(() => run(`a = 1\n${'a = [a, a]\n'.repeat(40)}s = repr(a)\n`));
    expect([e.type, e.line]).toEqual(['MemoryError', 42]);
    expect(e.detail).toBe('the value is too large to finish its repr (more than 1000000 parts)');
  });

  it('stops a configuration that builds too much in total, even one megabyte at a time', () => {
    const e = failure(() => run(Array.from({ length: 40 }, (_, i) => `s${i} = 'x' * 1000000\n`).join('')));
    expect([e.type, e.line]).toEqual(['MemoryError', 17]);
  });

  it('prints self-containing lists as Python does', () => {
    expect(value('x = [1]\nx.append(x)\n')).toBe('[1, [...]]');
  });
});
