/** Deterministic data for the benchmarks: a seeded generator and topic patterns. */

/** mulberry32: small, fast, seeded. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Words of routing keys, as an application's events use them. */
const WORDS = [
  'orders', 'users', 'payments', 'invoices', 'shipments', 'stock', 'carts', 'reviews', 'refunds', 'accounts',
  'created', 'updated', 'deleted', 'failed', 'retried', 'shipped', 'cancelled', 'approved', 'rejected', 'expired',
  'eu', 'us', 'apac', 'latam', 'africa', 'web', 'mobile', 'batch', 'api', 'cli',
  'v1', 'v2', 'v3', 'internal', 'public', 'priority', 'debug', 'audit', 'metrics', 'alerts',
];

/** How a set of binding patterns is drawn. */
export interface TopicProfile {
  name: string;
  /** Words in the vocabulary (the first n of WORDS). */
  vocabulary: number;
  /** Chance that a word of a pattern is `#` (never two in a row). */
  hash: number;
  /** Chance that a word of a pattern is `*`. */
  star: number;
  /** Literal words a pattern of two or more words needs (one-word patterns need one). */
  minLiterals: number;
}

/**
 * Typical subscriptions: 40 words, a few wildcards, at least two literal
 * words (`orders.*.eu.#`, `#.payments.failed`): a route matches about 2 of
 * the 10,000 bindings.
 */
export const TYPICAL: TopicProfile = { name: 'typical', vocabulary: 40, hash: 0.08, star: 0.12, minLiterals: 2 };

/**
 * Broad subscriptions: 24 words, more wildcards, one literal is enough
 * (`#.eu`, `*.created.#`): a route matches about 24 of the 10,000 bindings.
 */
export const BROAD: TopicProfile = { name: 'broad', vocabulary: 24, hash: 0.1, star: 0.15, minLiterals: 1 };

/** Word count of patterns: 1 to 5, mostly 3 or 4. */
const LENGTHS = [1, 2, 2, 3, 3, 3, 3, 4, 4, 4, 5];

/** `count` distinct binding keys of 1–5 words drawn as the profile says. */
export function topicPatterns(count: number, profile: TopicProfile, seed = 42): string[] {
  const vocabulary = WORDS.slice(0, profile.vocabulary);
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const out = new Set<string>();
  while (out.size < count) {
    const length = pick(LENGTHS);
    const words: string[] = [];
    let literals = 0;
    for (let i = 0; i < length; i++) {
      const r = next();
      if (r < profile.hash && words[i - 1] !== '#') words.push('#');
      else if (r < profile.hash + profile.star) words.push('*');
      else {
        words.push(pick(vocabulary));
        literals++;
      }
    }
    if (literals >= Math.min(profile.minLiterals, length)) out.add(words.join('.'));
  }
  return [...out];
}

/**
 * `count` routing keys, each made from one of the patterns by filling its
 * wildcards with words (`*` one word, `#` zero to two), so every key is one
 * somebody subscribed to; it may match other patterns too.
 */
export function topicKeys(patterns: readonly string[], count: number, profile: TopicProfile, seed = 7): string[] {
  const vocabulary = WORDS.slice(0, profile.vocabulary);
  const next = rng(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
  const keys: string[] = [];
  for (let k = 0; k < count; k++) {
    const words: string[] = [];
    for (const w of pick(patterns).split('.')) {
      if (w === '*') words.push(pick(vocabulary));
      else if (w === '#') for (let n = Math.floor(next() * 3); n > 0; n--) words.push(pick(vocabulary));
      else words.push(w);
    }
    keys.push(words.length ? words.join('.') : pick(vocabulary));
  }
  return keys;
}
