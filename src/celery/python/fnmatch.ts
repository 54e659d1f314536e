/**
 * `fnmatch.translate` of CPython 3.11, line for line: Celery turns a
 * task_routes key containing '*' into `re.compile(fnmatch.translate(key))`.
 * The result is the same regular-expression text Python produces, so the
 * sandbox can show it; it is matched with regex.ts, where the atomic groups
 * this translation emits are read as plain groups (for these patterns both
 * accept the same names: every atomic group is followed by `.*` or the end).
 */
import { compileRegex, reEscape, type CompiledRegex } from './regex.ts';

const STAR = Symbol('STAR');

export function fnmatchTranslate(pat: string): string {
  const res: Array<string | typeof STAR> = [];
  const add = (x: string | typeof STAR) => res.push(x);
  const chars = Array.from(pat);
  const n = chars.length;
  let i = 0;
  const slice = (a: number, b: number) => chars.slice(a, b).join('');
  while (i < n) {
    const c = chars[i];
    i += 1;
    if (c === '*') {
      if (!res.length || res[res.length - 1] !== STAR) add(STAR);
    } else if (c === '?') {
      add('.');
    } else if (c === '[') {
      let j = i;
      if (j < n && chars[j] === '!') j += 1;
      if (j < n && chars[j] === ']') j += 1;
      while (j < n && chars[j] !== ']') j += 1;
      if (j >= n) {
        add('\\[');
      } else {
        let stuff = slice(i, j);
        if (!stuff.includes('-')) {
          stuff = stuff.replace(/\\/g, '\\\\');
        } else {
          const chunks: string[] = [];
          let k = chars[i] === '!' ? i + 2 : i + 1;
          for (;;) {
            k = indexOf(chars, '-', k, j);
            if (k < 0) break;
            chunks.push(slice(i, k));
            i = k + 1;
            k = k + 3;
          }
          const chunk = slice(i, j);
          if (chunk) chunks.push(chunk);
          else chunks[chunks.length - 1] += '-';
          for (let m = chunks.length - 1; m > 0; m--) {
            const prev = Array.from(chunks[m - 1]);
            const cur = Array.from(chunks[m]);
            if (prev[prev.length - 1] > cur[0]) {
              chunks[m - 1] = prev.slice(0, -1).join('') + cur.slice(1).join('');
              chunks.splice(m, 1);
            }
          }
          stuff = chunks.map((s) => s.replace(/\\/g, '\\\\').replace(/-/g, '\\-')).join('-');
        }
        stuff = stuff.replace(/([&~|])/g, '\\$1');
        i = j + 1;
        if (!stuff) add('(?!)');
        else if (stuff === '!') add('.');
        else {
          if (stuff[0] === '!') stuff = `^${stuff.slice(1)}`;
          else if (stuff[0] === '^' || stuff[0] === '[') stuff = `\\${stuff}`;
          add(`[${stuff}]`);
        }
      }
    } else {
      add(reEscape(c));
    }
  }

  const out: string[] = [];
  let k = 0;
  while (k < res.length && res[k] !== STAR) out.push(res[k++] as string);
  while (k < res.length) {
    k += 1;
    if (k === res.length) {
      out.push('.*');
      break;
    }
    const fixed: string[] = [];
    while (k < res.length && res[k] !== STAR) fixed.push(res[k++] as string);
    if (k === res.length) {
      out.push('.*', fixed.join(''));
    } else {
      out.push(`(?>.*?${fixed.join('')})`);
    }
  }
  return `(?s:${out.join('')})\\Z`;
}

function indexOf(chars: string[], c: string, from: number, to: number): number {
  for (let k = from; k < to; k++) if (chars[k] === c) return k;
  return -1;
}

/** The compiled form of a glob, as `re.compile(fnmatch.translate(pat))`. */
export function compileGlob(pat: string): CompiledRegex {
  return compileRegex(fnmatchTranslate(pat), 0, { atomicAsGroup: true });
}
