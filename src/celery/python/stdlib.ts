/**
 * The few standard-library modules configurations import: `re` (compile,
 * match, search, fullmatch, escape and the flags), `datetime.timedelta`
 * (beat schedules) and `os.environ` / `os.getenv` (always empty: the
 * sandbox has no environment, so defaults apply).
 */
import { pyError } from './errors.ts';
import { compileGlob, fnmatchTranslate } from './fnmatch.ts';
import { RE_FLAGS, RegexError, compileRegex, reEscape, type CompiledRegex } from './regex.ts';
import { PyBuiltin, PyDict, PyFloat, PyModule, PyObject, bindArguments, numberOf, repr, typeName, type PyValue } from './values.ts';

const FLAG_NAMES: Array<[number, string]> = [
  [2, 're.IGNORECASE'],
  [4, 're.LOCALE'],
  [8, 're.MULTILINE'],
  [16, 're.DOTALL'],
  [64, 're.VERBOSE'],
  [256, 're.ASCII'],
];

/** A compiled pattern (`re.Pattern`): equal when pattern and flags are, as in Python. */
export class PyPattern extends PyObject {
  readonly typeName = 're.Pattern';
  constructor(readonly regex: CompiledRegex) {
    super();
  }

  get pattern(): string {
    return this.regex.pattern;
  }

  override getAttr(name: string): PyValue | undefined {
    switch (name) {
      case 'pattern':
        return this.regex.pattern;
      case 'flags':
        return this.regex.flags;
      case 'match':
      case 'search':
      case 'fullmatch':
        return new PyBuiltin(name, (args, kwargs) => {
          const { values } = bindArguments(name, [{ name: 'string' }], args, kwargs);
          const s = values.get('string')!;
          if (typeof s !== 'string') throw pyError('TypeError', `expected string or bytes-like object, got '${typeName(s)}'`);
          return this.regex[name](s) ? new PyMatch(s) : null;
        });
    }
    return undefined;
  }

  override repr(): string {
    const flags = FLAG_NAMES.filter(([bit]) => this.regex.flags & bit).map(([, n]) => n);
    return flags.length ? `re.compile(${repr(this.regex.pattern)}, ${flags.join('|')})` : `re.compile(${repr(this.regex.pattern)})`;
  }

  override hashKey(): string {
    return `re${this.regex.flags}:${this.regex.pattern}`;
  }

  override equals(other: PyValue): boolean {
    return other instanceof PyPattern && other.regex.pattern === this.regex.pattern && other.regex.flags === this.regex.flags;
  }
}

/** The result of a successful match: truthy; the sandbox answers only whether it matched. */
export class PyMatch extends PyObject {
  readonly typeName = 're.Match';
  constructor(readonly string: string) {
    super();
  }

  override getAttr(name: string): PyValue | undefined {
    if (name === 'string') return this.string;
    throw pyError('Unsupported', `re.Match.${name} is outside the sandbox's Python subset (only whether a pattern matches is known)`);
  }

  override repr(): string {
    return '<re.Match object>';
  }
}

export function compilePattern(pattern: PyValue, flags: PyValue = 0): PyPattern {
  if (pattern instanceof PyPattern) {
    if (flags !== 0) throw pyError('ValueError', 'cannot process flags argument with a compiled pattern');
    return pattern;
  }
  if (typeof pattern !== 'string') throw pyError('TypeError', `first argument must be string or compiled pattern`);
  const f = numberOf(flags);
  if (f === undefined || flags instanceof PyFloat) throw pyError('TypeError', `unsupported operand type(s) for &: '${typeName(flags)}' and 'int'`);
  try {
    return new PyPattern(compileRegex(pattern, f));
  } catch (e) {
    if (e instanceof RegexError) throw pyError(e.unsupported ? 'Unsupported' : 're.error', e.message);
    throw e;
  }
}

function reModule(): PyModule {
  const attrs = new Map<string, PyValue>();
  for (const [name, bit] of Object.entries(RE_FLAGS)) attrs.set(name, bit);
  attrs.set('compile', new PyBuiltin('compile', (args, kwargs) => {
    const { values } = bindArguments('compile', [{ name: 'pattern' }, { name: 'flags', default: 0 }], args, kwargs);
    return compilePattern(values.get('pattern')!, values.get('flags')!);
  }));
  for (const name of ['match', 'search', 'fullmatch'] as const) {
    attrs.set(name, new PyBuiltin(name, (args, kwargs) => {
      const { values } = bindArguments(name, [{ name: 'pattern' }, { name: 'string' }, { name: 'flags', default: 0 }], args, kwargs);
      const p = compilePattern(values.get('pattern')!, values.get('flags')!);
      const s = values.get('string')!;
      if (typeof s !== 'string') throw pyError('TypeError', `expected string or bytes-like object, got '${typeName(s)}'`);
      return p.regex[name](s) ? new PyMatch(s) : null;
    }));
  }
  attrs.set('escape', new PyBuiltin('escape', (args, kwargs) => {
    const { values } = bindArguments('escape', [{ name: 'pattern' }], args, kwargs);
    const s = values.get('pattern')!;
    if (typeof s !== 'string') throw pyError('TypeError', `expected str, got ${typeName(s)}`);
    return reEscape(s);
  }));
  return new PyModule('re', attrs);
}

function fnmatchModule(): PyModule {
  const attrs = new Map<string, PyValue>();
  attrs.set('translate', new PyBuiltin('translate', (args, kwargs) => {
    const { values } = bindArguments('translate', [{ name: 'pat' }], args, kwargs);
    const s = values.get('pat')!;
    if (typeof s !== 'string') throw pyError('TypeError', `expected str, got ${typeName(s)}`);
    return fnmatchTranslate(s);
  }));
  attrs.set('fnmatchcase', new PyBuiltin('fnmatchcase', (args, kwargs) => {
    const { values } = bindArguments('fnmatchcase', [{ name: 'name' }, { name: 'pat' }], args, kwargs);
    const [n, p] = [values.get('name')!, values.get('pat')!];
    if (typeof n !== 'string' || typeof p !== 'string') throw pyError('TypeError', 'expected str arguments');
    return compileGlob(p).match(n);
  }));
  return new PyModule('fnmatch', attrs);
}

/** `datetime.timedelta`, normalised to seconds. */
export class PyTimedelta extends PyObject {
  readonly typeName = 'datetime.timedelta';
  constructor(readonly seconds: number) {
    super();
  }

  override getAttr(name: string): PyValue | undefined {
    if (name === 'total_seconds') return new PyBuiltin('total_seconds', () => new PyFloat(this.seconds));
    if (name === 'days') return Math.floor(this.seconds / 86400);
    if (name === 'seconds') return Math.floor(this.seconds - Math.floor(this.seconds / 86400) * 86400);
    return undefined;
  }

  override repr(): string {
    const days = Math.floor(this.seconds / 86400);
    const rest = this.seconds - days * 86400;
    const secs = Math.floor(rest);
    const micro = Math.round((rest - secs) * 1e6);
    const parts: string[] = [];
    if (days) parts.push(`days=${days}`);
    if (secs) parts.push(`seconds=${secs}`);
    if (micro) parts.push(`microseconds=${micro}`);
    return `datetime.timedelta(${parts.join(', ') || '0'})`;
  }

  override hashKey(): string {
    return `td${this.seconds}`;
  }

  override equals(other: PyValue): boolean {
    return other instanceof PyTimedelta && other.seconds === this.seconds;
  }

  override truthy(): boolean {
    return this.seconds !== 0;
  }
}

function datetimeModule(): PyModule {
  const units: Array<[string, number]> = [
    ['days', 86400],
    ['seconds', 1],
    ['microseconds', 1e-6],
    ['milliseconds', 1e-3],
    ['minutes', 60],
    ['hours', 3600],
    ['weeks', 604800],
  ];
  const timedelta = new PyBuiltin('timedelta', (args, kwargs) => {
    const { values } = bindArguments('timedelta', units.map(([name]) => ({ name, default: 0 })), args, kwargs);
    let total = 0;
    for (const [name, factor] of units) {
      const v = values.get(name)!;
      const n = numberOf(v);
      if (n === undefined) throw pyError('TypeError', `unsupported type for timedelta ${name} component: ${typeName(v)}`);
      total += n * factor;
    }
    return new PyTimedelta(Math.round(total * 1e6) / 1e6);
  });
  return new PyModule('datetime', new Map<string, PyValue>([['timedelta', timedelta]]));
}

function osModule(): PyModule {
  const environ = new PyDict();
  const getenv = new PyBuiltin('getenv', (args, kwargs) => {
    const { values } = bindArguments('getenv', [{ name: 'key' }, { name: 'default', default: null }], args, kwargs);
    return values.get('default')!;
  });
  return new PyModule('os', new Map<string, PyValue>([['environ', environ], ['getenv', getenv]]));
}

/** Fresh standard-library modules (os.environ is mutable, so one set per interpreter). */
export function standardModules(): Map<string, PyModule> {
  return new Map([
    ['re', reModule()],
    ['fnmatch', fnmatchModule()],
    ['datetime', datetimeModule()],
    ['os', osModule()],
  ]);
}
