import { describe, expect, it } from 'vitest';
import { compileGlob, fnmatchTranslate } from '../../src/celery/python/fnmatch.ts';
import { RegexError, compileRegex } from '../../src/celery/python/regex.ts';
import { PyPattern, compilePattern } from '../../src/celery/python/stdlib.ts';
import subset from './fixtures/python-subset.json' with { type: 'json' };

type RegexCase = (typeof subset.regex)[number];
/** Valid in Python, refused by the sandbox (see below). */
const REFUSED_BY_DESIGN = ['(a)\\1', 'x*+', '(?>a)'];
const compiled = subset.regex.filter((r): r is RegexCase & { subjects: unknown[] } => 'subjects' in r && !REFUSED_BY_DESIGN.includes(r.pattern));
const refused = subset.regex.filter((r) => 'error' in r) as Array<{ pattern: string; flags: number; error: string }>;

describe('re.match / re.fullmatch / re.search agree with CPython 3.11', () => {
  it.each(compiled.map((r) => [r.pattern, r] as const))('%s', (_p, r) => {
    const rx = compileRegex(r.pattern, r.flags);
    expect(rx.flags).toBe(r.compiledFlags);
    for (const s of r.subjects as Array<{ subject: string; match: boolean; fullmatch: boolean; search: boolean }>) {
      expect({ subject: s.subject, match: rx.match(s.subject), fullmatch: rx.fullmatch(s.subject), search: rx.search(s.subject) }).toEqual(s);
    }
  });

  it('shows compiled patterns as repr() does', () => {
    for (const r of compiled) expect(compilePattern(r.pattern, r.flags).repr()).toBe(r.repr);
  });
});

describe('bad patterns are refused with re.error’s text', () => {
  const python = refused;
  it.each(python.map((r) => [r.pattern, r] as const))('%s', (_p, r) => {
    expect(() => compileRegex(r.pattern, r.flags)).toThrow(r.error);
  });
});

describe('what the sandbox cannot match in linear time is refused as Unsupported', () => {
  it.each([
    ['(a)\\1', 'backreferences (they are not regular) are not supported by the sandbox at position 3'],
    ['x*+', 'possessive quantifiers (they change what matches) are not supported by the sandbox at position 2'],
    ['(?>a)', 'atomic groups (they change what matches) are not supported by the sandbox at position 0'],
    ['(?(1)a|b)', 'conditional groups (they are not regular) are not supported by the sandbox at position 0'],
  ])('%s', (pattern, message) => {
    let err: unknown;
    try {
      compileRegex(pattern);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RegexError);
    expect((err as RegexError).unsupported).toBe(true);
    expect((err as RegexError).message).toBe(message);
    expect(() => compilePattern(pattern)).toThrow(expect.objectContaining({ type: 'Unsupported' }));
  });

  it('refuses counted repeats that would expand past the program limit', () => {
    expect(() => compileRegex('(a{1000}){1000}')).toThrow(/not supported by the sandbox/);
  });
});

describe('matching is linear: patterns that make backtracking engines hang answer at once', () => {
  it.each([
    ['(a+)+$', `${'a'.repeat(5000)}b`],
    ['(a|aa)*c', 'a'.repeat(5000)],
    ['(x+x+)+y', 'x'.repeat(5000)],
    ['^(\\w+\\s?)*$', `${'word '.repeat(1000)}!`],
  ])('%s on %# thousands of characters', (pattern, subject) => {
    expect(compileRegex(pattern).match(subject)).toBe(false);
    expect(compileRegex(pattern).search(subject)).toBe(false);
  });
});

describe('fnmatch.translate, as Celery turns task_routes globs into patterns', () => {
  it.each(subset.fnmatch.map((g) => [g.glob, g] as const))('%s', (glob, g) => {
    expect(fnmatchTranslate(glob)).toBe(g.translate);
    const rx = compileGlob(glob);
    for (const [name, matches] of Object.entries(g.matches)) expect([name, rx.match(name)]).toEqual([name, matches]);
  });

  it('gives globs the pattern objects Python would put in a dict key', () => {
    const p = compilePattern(fnmatchTranslate('feed.tasks.*'));
    expect(p).toBeInstanceOf(PyPattern);
    expect(p.repr()).toBe("re.compile('(?s:feed\\\\.tasks\\\\..*)\\\\Z')");
  });
});
