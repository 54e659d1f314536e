/**
 * The languages and the string format, without any strings: what both the
 * page (every string, at once) and an embed (one language, a few areas,
 * loaded when shown) need.
 */
import { interpolate } from './interpolate.ts';

export { interpolate, placeholders } from './interpolate.ts';

export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

export const isLang = (x: unknown): x is Lang => typeof x === 'string' && (LANGS as readonly string[]).includes(x);

/** A translation function: the text for a key, `{name}` placeholders filled. */
export type Translate = (key: string, params?: Record<string, string | number>) => string;

/**
 * Looks `key` up in `strings` (of `lang`) and fills it. An unknown key or a
 * missing parameter is a bug the tests catch: it throws in development and
 * tests, and in a built page shows the key (with the error in the console)
 * rather than breaking the view.
 */
export function lookup(strings: Record<string, string> | undefined, lang: Lang, key: string, params?: Record<string, string | number>): string {
  const text = strings?.[key];
  try {
    if (text === undefined) throw new Error(`i18n: no string '${key}' in '${lang}'`);
    return interpolate(text, params, key);
  } catch (e) {
    if (import.meta.env?.DEV || import.meta.env?.MODE === 'test') throw e;
    console.error(e);
    return key;
  }
}
