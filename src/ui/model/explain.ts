/**
 * Why a binding matched a message or not, in words: for a topic pattern
 * word against word, for headers key against key.
 */
import { splitTopicKey } from '../../core/exchanges/index.ts';
import { headersMatch } from '../../core/exchanges/headers.ts';
import { tableKeys, valueOf, type FieldTable, type FieldValue } from '../../core/fields.ts';
import type { BindingRef } from '../../core/events.ts';

export interface Explanation {
  matched: boolean;
  reason: string;
}

const show = (v: FieldValue | undefined) => (v === undefined ? 'absent' : JSON.stringify(valueOf(v)));

/** Explains one binding against a message's routing keys and headers. */
export function explain(exchangeType: string, b: BindingRef, routingKeys: readonly string[], headers: FieldTable | undefined): Explanation {
  switch (exchangeType) {
    case 'fanout':
      return { matched: true, reason: 'a fanout exchange sends to every binding' };
    case 'direct': {
      const hit = routingKeys.find((k) => k === b.routingKey);
      return hit !== undefined
        ? { matched: true, reason: `key '${hit}' equals '${b.routingKey}'` }
        : { matched: false, reason: `${routingKeys.map((k) => `'${k}'`).join(', ')} ≠ '${b.routingKey}'` };
    }
    case 'topic': {
      for (const key of routingKeys) {
        const steps = topicSteps(splitTopicKey(b.routingKey), splitTopicKey(key));
        if (steps) return { matched: true, reason: steps.length ? steps.join(', ') : `'' matches ''` };
      }
      return { matched: false, reason: routingKeys.map((k) => topicMiss(b.routingKey, k)).join('; ') };
    }
    case 'headers': {
      const args = b.arguments;
      const mode = String(valueOf(args['x-match'] ?? 'all'));
      const withX = mode.endsWith('-with-x');
      const pairs = tableKeys(args).filter((k) => k !== 'x-match' && (withX || !k.startsWith('x-')));
      const parts = pairs.map((k) => {
        const want = args[k] as FieldValue;
        const got = headers?.[k];
        const ok = got !== undefined && (valueOf(want) === null || headersMatch({ [k]: want }, { [k]: got }));
        return `${k}: ${show(got)} ${ok ? '=' : '≠'} ${valueOf(want) === null ? 'any value' : show(want)}`;
      });
      const matched = headersMatch(args, headers);
      const rule = mode.startsWith('any') ? 'any one must match' : 'all must match';
      return { matched, reason: `x-match=${mode} (${rule}): ${parts.length ? parts.join(', ') : 'no keys to compare'}` };
    }
    default:
      return { matched: false, reason: `unknown exchange type ${exchangeType}` };
  }
}

/** The word-by-word story of a topic match, or null when it does not match. */
function topicSteps(pattern: string[], words: string[], i = 0, j = 0): string[] | null {
  if (i === pattern.length) return j === words.length ? [] : null;
  const p = pattern[i];
  if (p === '#') {
    for (let k = j; k <= words.length; k++) {
      const rest = topicSteps(pattern, words, i + 1, k);
      if (rest) {
        const taken = words.slice(j, k);
        return [`'#' takes ${taken.length ? taken.map((w) => `'${w}'`).join('.') : 'no words'}`, ...rest];
      }
    }
    return null;
  }
  if (j === words.length) return null;
  if (p === '*' || p === words[j]) {
    const rest = topicSteps(pattern, words, i + 1, j + 1);
    return rest ? [p === '*' ? `'*' takes '${words[j]}'` : `'${p}' = '${words[j]}'`, ...rest] : null;
  }
  return null;
}

function topicMiss(pattern: string, key: string): string {
  const p = splitTopicKey(pattern);
  const w = splitTopicKey(key);
  // Literal words before the first '#' line up from the left, after the last one from the right.
  for (let i = 0; i < Math.min(p.length, w.length) && p[i] !== '#'; i++) {
    if (p[i] !== '*' && p[i] !== w[i]) return `'${p[i]}' ≠ '${w[i]}' (word ${i + 1} of '${key}')`;
  }
  for (let i = 1; i <= Math.min(p.length, w.length) && p[p.length - i] !== '#'; i++) {
    const pw = p[p.length - i];
    const kw = w[w.length - i];
    if (pw !== '*' && pw !== kw) return `'${pw}' ≠ '${kw}' (word ${w.length - i + 1} of '${key}')`;
  }
  const fixed = p.filter((x) => x !== '#').length;
  return p.includes('#') ? `'${pattern}' needs at least ${fixed} words, '${key}' has ${w.length}` : `'${pattern}' needs ${p.length} words, '${key}' has ${w.length}`;
}
