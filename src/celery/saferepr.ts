/**
 * celery.utils.saferepr.saferepr, which writes a task message's argsrepr
 * and kwargsrepr headers. It is not repr(): strings are always in single
 * quotes with only ' escaped, containers deeper than `maxlevels` become
 * [...], and output stops after `maxlen` characters with ', ...'.
 */
import { MAX_VALUE_DEPTH, PyDict, PyFloat, PyList, PyTuple, repr, type PyValue } from './python/values.ts';

type Token = { lit: string; role: 'start' | 'end' | 'sep' } | { key: PyValue } | { quoted: string } | { text: string };

const chars = (s: string) => Array.from(s);

/** celery.utils.text.truncate */
function truncate(s: string, maxlen: number | null): string {
  const cs = chars(s);
  if (maxlen && cs.length >= maxlen) {
    const head = cs.slice(0, maxlen).join('');
    const cut = head.lastIndexOf(' ');
    return (cut >= 0 ? head.slice(0, cut) : head) + '...';
  }
  return s;
}

/** Past this many tokens the output is long truncated anyway (maxlen is 1024 for argsrepr). */
const MAX_TOKENS = 100_000;

function tokens(v: PyValue, level: number, maxlevels: number, seen: Set<object>, out: Token[], depth = 0): void {
  if (out.length > MAX_TOKENS) return;
  if (depth > MAX_VALUE_DEPTH) {
    out.push({ text: '...' });
    return;
  }
  if (typeof v === 'string') {
    out.push({ quoted: v });
    return;
  }
  if (typeof v === 'number' || typeof v === 'boolean') {
    out.push({ text: typeof v === 'boolean' ? (v ? 'True' : 'False') : String(v) });
    return;
  }
  if (v instanceof PyFloat || v === null) {
    out.push({ text: repr(v) });
    return;
  }
  let start: string;
  let end: string;
  if (v instanceof PyTuple) [start, end] = ['(', v.items.length === 1 ? ',)' : ')'];
  else if (v instanceof PyList) [start, end] = ['[', ']'];
  else if (v instanceof PyDict) [start, end] = ['{', '}'];
  else {
    out.push({ text: repr(v) });
    return;
  }
  if (maxlevels && level >= maxlevels) {
    out.push({ text: `${start}...${end}` });
    return;
  }
  if (seen.has(v)) {
    out.push({ text: `<Recursion on ${v instanceof PyDict ? 'dict' : v instanceof PyList ? 'list' : 'tuple'}>` });
    return;
  }
  seen.add(v);
  out.push({ lit: start, role: 'start' });
  if (v instanceof PyDict) {
    const items = v.items();
    items.forEach(([k, x], i) => {
      out.push({ key: k }, { lit: ': ', role: 'sep' });
      tokens(x, level + 1, maxlevels, seen, out, depth + 1);
      if (i < items.length - 1) out.push({ lit: ', ', role: 'sep' });
    });
  } else {
    v.items.forEach((x, i) => {
      tokens(x, level + 1, maxlevels, seen, out, depth + 1);
      if (i < v.items.length - 1) out.push({ lit: ', ', role: 'sep' });
    });
  }
  out.push({ lit: end, role: 'end' });
  seen.delete(v);
}

export function celerySaferepr(v: PyValue, maxlen: number | null = null, maxlevels = 3): string {
  const toks: Token[] = [];
  tokens(v, 0, maxlevels, new Set(), toks);
  let budget = maxlen;
  let out = '';
  for (let k = 0; k < toks.length; k++) {
    const t = toks[k];
    if (budget !== null && budget <= 0) {
      out += ', ...';
      // Python then writes the closing brackets of the containers it had
      // opened; those it had not reached yet are skipped whole.
      let unopened = 0;
      for (const rest of toks.slice(k + 1)) {
        if (!('lit' in rest)) continue;
        if (rest.role === 'start') unopened++;
        else if (rest.role === 'end') {
          if (unopened) unopened--;
          else out += rest.lit;
        }
      }
      break;
    }
    let val: string;
    if ('lit' in t) val = t.lit;
    else if ('key' in t) val = celerySaferepr(t.key, budget, maxlevels);
    else if ('quoted' in t) val = `'${truncate(t.quoted, budget).replace(/'/g, "\\'")}'`;
    else val = truncate(t.text, budget);
    out += val;
    if (budget !== null) budget -= chars(val).length;
  }
  return out;
}
