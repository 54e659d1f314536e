/**
 * The page's language: `i18n.lang` is reactive state, so a template that
 * calls `t()` re-renders when `setLang()` changes it. Works in Node and in
 * tests too (no window: English, nothing persisted).
 */
import { LANGS, STRINGS, isLang, type Lang } from './catalog.ts';
import { lookup } from './lang.ts';
import { setPageTranslate } from './locale.svelte.ts';

export { LANGS, type Lang };

/** How each language names itself on the switcher. */
export const LANG_NAMES: Record<Lang, string> = { en: 'EN', zh: '中文' };

const STORAGE_KEY = 'warren.lang';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // e.g. storage disabled for the site
  }
}

/** The saved choice, else the browser's language, else English. */
export function initialLang(): Lang {
  const saved = storage()?.getItem(STORAGE_KEY);
  if (isLang(saved)) return saved;
  const wanted = typeof navigator === 'undefined' ? [] : (navigator.languages ?? [navigator.language]);
  for (const tag of wanted) {
    const base = tag?.toLowerCase().split('-')[0];
    if (isLang(base)) return base;
  }
  return 'en';
}

const HTML_LANG: Record<Lang, string> = { en: 'en', zh: 'zh-CN' };

class I18n {
  lang = $state<Lang>(initialLang());
}

export const i18n = new I18n();

function markDocument(lang: Lang): void {
  if (typeof document !== 'undefined') document.documentElement.lang = HTML_LANG[lang];
}
markDocument(i18n.lang);

/** Switches the language everywhere at once, and remembers it in this browser. */
export function setLang(lang: Lang): void {
  if (!isLang(lang)) throw new Error(`i18n: unknown language '${String(lang)}' (one of ${LANGS.join(', ')})`);
  i18n.lang = lang;
  markDocument(lang);
  try {
    storage()?.setItem(STORAGE_KEY, lang);
  } catch {
    // Full or forbidden storage: the choice lasts for this page only.
  }
}

/** Whether a key exists (in every language, which the tests guarantee). */
export const has = (key: string): boolean => key in STRINGS.en;

/**
 * The text for `key` in the page's language, `{name}` placeholders filled
 * from `params` (errors as `lookup` in lang.ts says).
 */
export function t(key: string, params?: Record<string, string | number>): string {
  return lookup(STRINGS[i18n.lang], i18n.lang, key, params);
}

setPageTranslate(t);
