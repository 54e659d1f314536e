/**
 * Why a binding matched a message or not, in words: for a topic pattern
 * word against word, for headers key against key. Words from the
 * message and the binding are quoted as they are, in every language.
 */
import { splitTopicKey } from '../../core/exchanges/index.ts';
import { headersMatch } from '../../core/exchanges/headers.ts';
import { tableKeys, valueOf, type FieldTable, type FieldValue } from '../../core/fields.ts';
import type { BindingRef } from '../../core/events.ts';
import { pageT, type Translate } from '../../i18n/locale.svelte.ts';

/** The translation of the explanation being made (`explain`'s last argument; the page's by default). */
let t: Translate = pageT;

export interface Explanation {
  matched: boolean;
  reason: string;
}

const show = (v: FieldValue | undefined) => (v === undefined ? t('explain.absent') : JSON.stringify(valueOf(v)));
const quote = (w: string) => `'${w}'`;

/** Explains one binding against a message's routing keys and headers. */
export function explain(exchangeType: string, b: BindingRef, routingKeys: readonly string[], headers: FieldTable | undefined, translate: Translate = pageT): Explanation {
  const outer = t;
  t = translate;
  try {
    return explainIn(exchangeType, b, routingKeys, headers);
  } finally {
    t = outer;
  }
}

function explainIn(exchangeType: string, b: BindingRef, routingKeys: readonly string[], headers: FieldTable | undefined): Explanation {
  switch (exchangeType) {
    case 'fanout':
      return { matched: true, reason: t('explain.fanout') };
    case 'direct': {
      const hit = routingKeys.find((k) => k === b.routingKey);
      return hit !== undefined
        ? { matched: true, reason: t('explain.direct.equal', { key: quote(hit), binding: quote(b.routingKey) }) }
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
        return `${k}: ${show(got)} ${ok ? '=' : '≠'} ${valueOf(want) === null ? t('explain.any-value') : show(want)}`;
      });
      const matched = headersMatch(args, headers);
      const rule = t(mode.startsWith('any') ? 'explain.headers.any' : 'explain.headers.all');
      return { matched, reason: `x-match=${mode} (${rule}): ${parts.length ? parts.join(', ') : t('explain.headers.none')}` };
    }
    default:
      return { matched: false, reason: t('explain.unknown-type', { type: exchangeType }) };
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
        return [taken.length ? t('explain.topic.hash', { words: taken.map(quote).join('.') }) : t('explain.topic.hash-none'), ...rest];
      }
    }
    return null;
  }
  if (j === words.length) return null;
  if (p === '*' || p === words[j]) {
    const rest = topicSteps(pattern, words, i + 1, j + 1);
    return rest ? [p === '*' ? t('explain.topic.star', { word: quote(words[j]) }) : `'${p}' = '${words[j]}'`, ...rest] : null;
  }
  return null;
}

function topicMiss(pattern: string, key: string): string {
  const p = splitTopicKey(pattern);
  const w = splitTopicKey(key);
  // Literal words before the first '#' line up from the left, after the last one from the right.
  for (let i = 0; i < Math.min(p.length, w.length) && p[i] !== '#'; i++) {
    if (p[i] !== '*' && p[i] !== w[i]) return t('explain.topic.word', { pattern: quote(p[i]), word: quote(w[i]), n: i + 1, key: quote(key) });
  }
  for (let i = 1; i <= Math.min(p.length, w.length) && p[p.length - i] !== '#'; i++) {
    const pw = p[p.length - i];
    const kw = w[w.length - i];
    if (pw !== '*' && pw !== kw) return t('explain.topic.word', { pattern: quote(pw), word: quote(kw), n: w.length - i + 1, key: quote(key) });
  }
  const fixed = p.filter((x) => x !== '#').length;
  const counts = { pattern: quote(pattern), key: quote(key), has: w.length };
  return p.includes('#') ? t('explain.topic.at-least', { ...counts, needs: fixed }) : t('explain.topic.exactly', { ...counts, needs: p.length });
}
