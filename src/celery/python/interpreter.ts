/**
 * A tree-walking interpreter for the Python subset: never eval, no access
 * to anything but the modules it is given. Module code runs top to bottom;
 * functions (routers) run when Celery's routing calls them.
 *
 * Every run is bounded: a step budget (no loops exist, but recursion does),
 * a call-depth limit, bounded value sizes (operators.ts) and a catch for
 * the host's own stack overflow. Every failure becomes a ConfigError with
 * Python's exception name, its text and the line and column where it
 * happened.
 */
import type { Expr, Module, Params, Stmt } from './ast.ts';
import { builtinAttribute, iterate, makeBuiltins, pyLen } from './builtins.ts';
import { ConfigError, PyException, lineOf, pyError, type Pos } from './errors.ts';
import { binaryOp, built, compare, unaryOp } from './operators.ts';
import {
  PyCallable,
  PyDict,
  PyFloat,
  PyList,
  PyModule,
  PyObject,
  PyTuple,
  hashKey,
  numberOf,
  repr,
  truthy,
  typeName,
  type CallContext,
  type Kwargs,
  type PyValue,
} from './values.ts';

export const MAX_STEPS = 1_000_000;
export const MAX_CALL_DEPTH = 100;

export interface InterpreterOptions {
  /** Importable modules by dotted name ('kombu', 'kombu.common', 're', …). */
  modules?: Map<string, PyModule>;
  /** Names defined before the module runs (e.g. `app`). */
  globals?: Iterable<[string, PyValue]>;
  /** The module's `__name__`. */
  moduleName?: string;
  maxSteps?: number;
}

class Scope {
  readonly vars = new Map<string, PyValue>();
  constructor(
    /** Names that are local to this function (null: module scope). */
    readonly locals: Set<string> | null,
    /** The enclosing function's scope, for closures. */
    readonly parent: Scope | null,
  ) {}
}

export class PyFunction extends PyCallable {
  readonly typeName = 'function';
  constructor(
    readonly name: string,
    readonly params: Params,
    readonly body: Stmt[],
    readonly defaults: Map<string, PyValue>,
    readonly closure: Scope | null,
    readonly localNames: Set<string>,
    readonly pos: Pos,
    readonly module: string,
    private readonly interp: Interpreter,
  ) {
    super();
  }

  call(args: PyValue[], kwargs: Kwargs): PyValue {
    return this.interp.invoke(this, args, kwargs);
  }

  override getAttr(name: string): PyValue | undefined {
    if (name === '__name__' || name === '__qualname__') return this.name;
    if (name === '__module__') return this.module;
    return undefined;
  }

  override repr(): string {
    return `<function ${this.name}>`;
  }
}

type Completion = { value: PyValue } | undefined;

/** The names a function body binds (its locals), not looking into nested defs. */
function assignedNames(body: Stmt[], out: Set<string>): Set<string> {
  const target = (e: Expr) => {
    if (e.kind === 'Name') out.add(e.id);
    else if (e.kind === 'Tuple' || e.kind === 'List') e.elts.forEach(target);
  };
  for (const s of body) {
    switch (s.kind) {
      case 'Assign':
        s.targets.forEach(target);
        break;
      case 'If':
        assignedNames(s.body, out);
        assignedNames(s.orelse, out);
        break;
      case 'FunctionDef':
        out.add(s.name);
        break;
      case 'Import':
        for (const a of s.names) out.add(a.asname ?? a.name.split('.')[0]);
        break;
      case 'ImportFrom':
        for (const a of s.names) out.add(a.asname ?? a.name);
        break;
    }
  }
  return out;
}

export class Interpreter implements CallContext {
  readonly globals = new Map<string, PyValue>();
  /** Where each module-level name was first assigned. */
  readonly globalPositions = new Map<string, Pos>();
  readonly builtins: Map<string, PyValue>;
  /** What `print` wrote, line by line. */
  readonly output: string[] = [];
  readonly moduleName: string;
  private readonly modules: Map<string, PyModule>;
  private readonly maxSteps: number;
  private source = '';
  private steps = 0;
  private depth = 0;
  private lastPos: Pos = { line: 1, col: 1 };

  constructor(options: InterpreterOptions = {}) {
    this.modules = options.modules ?? new Map();
    this.moduleName = options.moduleName ?? '__main__';
    this.maxSteps = options.maxSteps ?? MAX_STEPS;
    this.builtins = makeBuiltins((line) => this.output.push(line));
    for (const [k, v] of options.globals ?? []) this.globals.set(k, v);
    this.globals.set('__name__', this.moduleName);
  }

  /** Runs a parsed module. Throws ConfigError. */
  run(module: Module): void {
    this.source = module.source;
    this.guard(() => {
      const scope = new Scope(null, null);
      this.execBlock(module.body, scope);
    });
  }

  /** Calls a Python callable from outside (Celery calling a router). Throws ConfigError. */
  callOutside(fn: PyValue, args: PyValue[], kwargs: Kwargs = new Map()): PyValue {
    return this.guard(() => this.call(fn, args, kwargs), fn instanceof PyFunction ? fn.pos : undefined);
  }

  /** Runs `fn` with a fresh budget and turns every failure into a ConfigError. */
  guard<T>(fn: () => T, fallback?: Pos): T {
    const outer = this.depth === 0;
    if (outer) {
      this.steps = 0;
      built.items = 0;
    }
    try {
      return fn();
    } catch (e) {
      if (!outer) throw e;
      throw this.toConfigError(e, fallback);
    }
  }

  toConfigError(e: unknown, fallback?: Pos): ConfigError {
    if (e instanceof ConfigError) return e;
    if (e instanceof PyException) {
      const pos = e.pos ?? fallback ?? this.lastPos;
      return new ConfigError(e.type, e.detail, pos.line, pos.col, lineOf(this.source, pos.line));
    }
    if (e instanceof RangeError) {
      const pos = this.lastPos;
      this.depth = 0;
      return new ConfigError('RecursionError', 'maximum recursion depth exceeded', pos.line, pos.col, lineOf(this.source, pos.line));
    }
    throw e;
  }

  private tick(pos: Pos): void {
    if (++this.steps > this.maxSteps) {
      throw new PyException('LimitExceeded', `the configuration ran more than ${this.maxSteps} steps; the sandbox stopped it here`, pos);
    }
  }

  private at<T>(pos: Pos, fn: () => T): T {
    try {
      return fn();
    } catch (e) {
      if (e instanceof PyException && !e.pos) e.pos = pos;
      throw e;
    }
  }

  // ---- statements ------------------------------------------------------------

  private execBlock(body: Stmt[], scope: Scope): Completion {
    for (const s of body) {
      const c = this.exec(s, scope);
      if (c) return c;
    }
    return undefined;
  }

  private exec(s: Stmt, scope: Scope): Completion {
    this.tick(s.pos);
    this.lastPos = s.pos;
    switch (s.kind) {
      case 'Expr':
        this.eval(s.value, scope);
        return undefined;
      case 'Assign': {
        const value = this.eval(s.value, scope);
        for (const t of s.targets) this.assign(t, value, scope);
        return undefined;
      }
      case 'If':
        return truthy(this.eval(s.test, scope)) ? this.execBlock(s.body, scope) : this.execBlock(s.orelse, scope);
      case 'Return':
        return { value: s.value ? this.eval(s.value, scope) : null };
      case 'Pass':
        return undefined;
      case 'FunctionDef': {
        const decorators = s.decorators.map((d) => this.eval(d, scope));
        const defaults = new Map<string, PyValue>();
        for (const p of [...s.params.positional, ...s.params.keywordOnly]) if (p.default) defaults.set(p.name, this.eval(p.default, scope));
        const locals = assignedNames(s.body, new Set());
        for (const p of [...s.params.positional, ...s.params.keywordOnly]) locals.add(p.name);
        if (s.params.vararg) locals.add(s.params.vararg);
        if (s.params.kwarg) locals.add(s.params.kwarg);
        let fn: PyValue = new PyFunction(s.name, s.params, s.body, defaults, scope.locals ? scope : null, locals, s.pos, this.moduleName, this);
        for (let k = decorators.length - 1; k >= 0; k--) {
          const d = s.decorators[k];
          fn = this.at(d.pos, () => this.call(decorators[k], [fn]));
        }
        this.bind(s.name, fn, scope);
        return undefined;
      }
      case 'Import':
        for (const a of s.names) {
          const mod = this.at(a.pos, () => this.importModule(a.name));
          if (a.asname) this.bind(a.asname, mod, scope);
          else this.bind(a.name.split('.')[0], this.at(a.pos, () => this.importModule(a.name.split('.')[0])), scope);
        }
        return undefined;
      case 'ImportFrom': {
        const mod = this.at(s.pos, () => this.importModule(s.module));
        for (const a of s.names) {
          let v = mod.getAttr(a.name);
          if (v === undefined) v = this.modules.get(`${s.module}.${a.name}`);
          if (v === undefined) {
            throw new PyException('ImportError', `cannot import name '${a.name}' from '${s.module}' (the sandbox provides ${[...mod.attrs.keys()].map((k) => `'${k}'`).join(', ')})`, a.pos);
          }
          this.bind(a.asname ?? a.name, v, scope);
        }
        return undefined;
      }
    }
  }

  private importModule(name: string): PyModule {
    const mod = this.modules.get(name);
    if (!mod) {
      const known = [...this.modules.keys()].map((k) => `'${k}'`).join(', ');
      throw pyError('ModuleNotFoundError', `No module named '${name}' (the sandbox provides ${known})`);
    }
    return mod;
  }

  private bind(name: string, value: PyValue, scope: Scope): void {
    if (scope.locals) {
      scope.vars.set(name, value);
      return;
    }
    this.globals.set(name, value);
    if (!this.globalPositions.has(name)) this.globalPositions.set(name, this.lastPos);
  }

  private assign(target: Expr, value: PyValue, scope: Scope): void {
    this.at(target.pos, () => {
      switch (target.kind) {
        case 'Name':
          this.bind(target.id, value, scope);
          return;
        case 'Attribute': {
          const obj = this.eval(target.value, scope);
          if (obj instanceof PyObject && obj.setAttr(target.attr, value)) return;
          throw new PyException('AttributeError', `'${typeName(obj)}' object has no attribute '${target.attr}' that can be set`, target.attrPos);
        }
        case 'Subscript': {
          const obj = this.eval(target.value, scope);
          const key = this.eval(target.index, scope);
          this.setItem(obj, key, value);
          return;
        }
        case 'Tuple':
        case 'List': {
          const items = iterate(value);
          const n = target.elts.length;
          if (items.length > n) throw pyError('ValueError', `too many values to unpack (expected ${n})`);
          if (items.length < n) throw pyError('ValueError', `not enough values to unpack (expected ${n}, got ${items.length})`);
          target.elts.forEach((t, i) => this.assign(t, items[i], scope));
          return;
        }
        default:
          throw pyError('SyntaxError', 'cannot assign');
      }
    });
  }

  private setItem(obj: PyValue, key: PyValue, value: PyValue): void {
    if (obj instanceof PyDict) {
      obj.set(key, value);
      return;
    }
    if (obj instanceof PyList) {
      const i = this.index(obj.items.length, key, 'list');
      if (i === null) throw pyError('IndexError', 'list assignment index out of range');
      obj.items[i] = value;
      return;
    }
    throw pyError('TypeError', `'${typeName(obj)}' object does not support item assignment`);
  }

  // ---- expressions -----------------------------------------------------------

  eval(e: Expr, scope: Scope): PyValue {
    this.tick(e.pos);
    try {
      return this.evalInner(e, scope);
    } catch (err) {
      if (err instanceof PyException && !err.pos) err.pos = e.kind === 'Attribute' ? e.attrPos : e.kind === 'BinOp' ? e.opPos : e.pos;
      throw err;
    }
  }

  private evalInner(e: Expr, scope: Scope): PyValue {
    switch (e.kind) {
      case 'Constant': {
        const v = e.value;
        if (v === null || typeof v === 'boolean' || typeof v === 'string') return v;
        return 'int' in v ? v.int : new PyFloat(v.float);
      }
      case 'Name':
        return this.lookup(e.id, scope);
      case 'Tuple':
        return new PyTuple(e.elts.map((x) => this.eval(x, scope)));
      case 'List':
        return new PyList(e.elts.map((x) => this.eval(x, scope)));
      case 'Dict': {
        const d = new PyDict();
        e.keys.forEach((k, i) => {
          const key = this.eval(k, scope);
          const value = this.eval(e.values[i], scope);
          this.at(k.pos, () => d.set(key, value));
        });
        return d;
      }
      case 'Attribute':
        return this.getAttribute(this.eval(e.value, scope), e.attr);
      case 'Subscript': {
        const obj = this.eval(e.value, scope);
        if (e.index.kind === 'Slice') {
          const part = (x: Expr | null) => (x ? this.eval(x, scope) : null);
          return this.slice(obj, part(e.index.lower), part(e.index.upper), part(e.index.step));
        }
        return this.getItem(obj, this.eval(e.index, scope));
      }
      case 'Slice':
        throw pyError('SyntaxError', 'invalid syntax');
      case 'Call': {
        const fn = this.eval(e.func, scope);
        const args = e.args.map((a) => this.eval(a, scope));
        const kwargs: Kwargs = new Map();
        for (const k of e.keywords) kwargs.set(k.name, this.eval(k.value, scope));
        return this.call(fn, args, kwargs);
      }
      case 'BoolOp': {
        let v: PyValue = null;
        for (const x of e.values) {
          v = this.eval(x, scope);
          if (e.op === 'and' ? !truthy(v) : truthy(v)) return v;
        }
        return v;
      }
      case 'UnaryOp': {
        const v = this.eval(e.operand, scope);
        return e.op === 'not' ? !truthy(v) : unaryOp(e.op, v);
      }
      case 'BinOp':
        return binaryOp(e.op, this.eval(e.left, scope), this.eval(e.right, scope));
      case 'Compare': {
        let left = this.eval(e.left, scope);
        for (let k = 0; k < e.ops.length; k++) {
          const right = this.eval(e.comparators[k], scope);
          if (!compare(e.ops[k], left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'IfExp':
        return truthy(this.eval(e.test, scope)) ? this.eval(e.body, scope) : this.eval(e.orelse, scope);
    }
  }

  private lookup(name: string, scope: Scope): PyValue {
    if (scope.locals?.has(name)) {
      const v = scope.vars.get(name);
      if (v === undefined) throw pyError('UnboundLocalError', `cannot access local variable '${name}' where it is not associated with a value`);
      return v;
    }
    for (let s = scope.parent; s; s = s.parent) {
      if (s.locals?.has(name)) {
        const v = s.vars.get(name);
        if (v === undefined) throw pyError('NameError', `cannot access free variable '${name}' where it is not associated with a value in enclosing scope`);
        return v;
      }
    }
    const g = this.globals.get(name);
    if (g !== undefined) return g;
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    throw pyError('NameError', `name '${name}' is not defined`);
  }

  getAttribute(obj: PyValue, name: string): PyValue {
    if (obj instanceof PyObject) {
      const v = obj.getAttr(name);
      if (v !== undefined) return v;
      if (obj instanceof PyModule) throw pyError('AttributeError', `module '${obj.name}' has no attribute '${name}'`);
    } else {
      const v = builtinAttribute(obj, name);
      if (v !== undefined) return v;
    }
    throw pyError('AttributeError', `'${typeName(obj)}' object has no attribute '${name}'`);
  }

  private index(length: number, key: PyValue, what: string): number | null {
    if (typeof key !== 'number' && typeof key !== 'boolean') {
      const type = what === 'string' ? `'${typeName(key)}'` : typeName(key);
      throw pyError('TypeError', `${what} indices must be integers${what === 'string' ? '' : ' or slices'}, not ${type}`);
    }
    let i = numberOf(key)!;
    if (i < 0) i += length;
    return i < 0 || i >= length ? null : i;
  }

  private getItem(obj: PyValue, key: PyValue): PyValue {
    if (obj instanceof PyDict) {
      hashKey(key);
      const v = obj.get(key);
      if (v === undefined) throw pyError('KeyError', repr(key));
      return v;
    }
    if (obj instanceof PyList || obj instanceof PyTuple) {
      const what = obj instanceof PyList ? 'list' : 'tuple';
      const i = this.index(obj.items.length, key, what);
      if (i === null) throw pyError('IndexError', `${what} index out of range`);
      return obj.items[i];
    }
    if (typeof obj === 'string') {
      const chars = Array.from(obj);
      const i = this.index(chars.length, key, 'string');
      if (i === null) throw pyError('IndexError', 'string index out of range');
      return chars[i];
    }
    if (obj instanceof PyObject && 'getItem' in obj) return (obj as unknown as { getItem(k: PyValue): PyValue }).getItem(key);
    throw pyError('TypeError', `'${typeName(obj)}' object is not subscriptable`);
  }

  private slice(obj: PyValue, lower: PyValue, upper: PyValue, step: PyValue): PyValue {
    const items: readonly PyValue[] | null = typeof obj === 'string' ? Array.from(obj) : obj instanceof PyList || obj instanceof PyTuple ? obj.items : null;
    if (!items) throw pyError('TypeError', `'${typeName(obj)}' object is not subscriptable`);
    const num = (v: PyValue): number | null => {
      if (v === null) return null;
      if (typeof v !== 'number' && typeof v !== 'boolean') throw pyError('TypeError', 'slice indices must be integers or None or have an __index__ method');
      return numberOf(v)!;
    };
    const n = items.length;
    const st = num(step) ?? 1;
    if (st === 0) throw pyError('ValueError', 'slice step cannot be zero');
    const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
      if (v === null) return dflt;
      if (v < 0) v += n;
      return Math.min(Math.max(v, lo), hi);
    };
    const start = st > 0 ? clamp(num(lower), 0, 0, n) : clamp(num(lower), n - 1, -1, n - 1);
    const stop = st > 0 ? clamp(num(upper), n, 0, n) : clamp(num(upper), -1, -1, n - 1);
    const out: PyValue[] = [];
    for (let i = start; st > 0 ? i < stop : i > stop; i += st) out.push(items[i]);
    if (typeof obj === 'string') return (out as string[]).join('');
    return obj instanceof PyList ? new PyList(out) : new PyTuple(out);
  }

  // ---- calls -----------------------------------------------------------------

  call(fn: PyValue, args: PyValue[], kwargs: Kwargs = new Map()): PyValue {
    if (!(fn instanceof PyCallable)) throw pyError('TypeError', `'${typeName(fn)}' object is not callable`);
    return fn.call(args, kwargs, this);
  }

  /** Binds a call's arguments to fn's parameters without running it (Celery's signature check). Throws PyException. */
  checkCall(fn: PyFunction, args: PyValue[], kwargs: Kwargs): void {
    this.bindParameters(fn, args, kwargs, new Scope(fn.localNames, fn.closure));
  }

  invoke(fn: PyFunction, args: PyValue[], kwargs: Kwargs): PyValue {
    if (this.depth >= MAX_CALL_DEPTH) throw pyError('RecursionError', 'maximum recursion depth exceeded');
    const scope = new Scope(fn.localNames, fn.closure);
    this.bindParameters(fn, args, kwargs, scope);
    this.depth++;
    try {
      const c = this.execBlock(fn.body, scope);
      return c ? c.value : null;
    } finally {
      this.depth--;
    }
  }

  private bindParameters(fn: PyFunction, args: PyValue[], kwargs: Kwargs, scope: Scope): void {
    const { positional, vararg, keywordOnly, kwarg } = fn.params;
    const name = fn.name;
    if (args.length > positional.length && !vararg) {
      const required = positional.filter((p) => !fn.defaults.has(p.name)).length;
      const takes = required === positional.length ? `${positional.length}` : `from ${required} to ${positional.length}`;
      throw pyError('TypeError', `${name}() takes ${takes} positional argument${positional.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`);
    }
    positional.forEach((p, i) => {
      if (i < args.length) scope.vars.set(p.name, args[i]);
    });
    if (vararg) scope.vars.set(vararg, new PyTuple(args.slice(positional.length)));
    const extra = new PyDict();
    for (const [k, v] of kwargs) {
      const isParam = positional.some((p) => p.name === k) || keywordOnly.some((p) => p.name === k);
      if (!isParam) {
        if (!kwarg) throw pyError('TypeError', `${name}() got an unexpected keyword argument '${k}'`);
        extra.set(k, v);
        continue;
      }
      if (scope.vars.has(k)) throw pyError('TypeError', `${name}() got multiple values for argument '${k}'`);
      scope.vars.set(k, v);
    }
    if (kwarg) scope.vars.set(kwarg, extra);
    const missing = (params: typeof positional, kind: string) => {
      const names = params.filter((p) => !scope.vars.has(p.name) && !fn.defaults.has(p.name)).map((p) => `'${p.name}'`);
      if (!names.length) return;
      const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
      throw pyError('TypeError', `${name}() missing ${names.length} required ${kind} argument${names.length === 1 ? '' : 's'}: ${list}`);
    };
    missing(positional, 'positional');
    missing(keywordOnly, 'keyword-only');
    for (const p of [...positional, ...keywordOnly]) if (!scope.vars.has(p.name)) scope.vars.set(p.name, fn.defaults.get(p.name)!);
  }
}

export { pyLen };
