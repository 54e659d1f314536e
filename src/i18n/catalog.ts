/**
 * The translations, as a translator edits them: one flat JSON file per area
 * and language, `strings/<area>.<lang>.json`, keys dotted ("controls.play").
 * Every file found is merged here; nothing has to be registered in code.
 * (This loads every file at once: the page does. An embed loads only what
 * it shows, through src/i18n/locale.svelte.ts.)
 */
import { LANGS, isLang, type Lang } from './lang.ts';

export { LANGS, interpolate, isLang, placeholders, type Lang } from './lang.ts';

/** One area's strings, per language (as read from its files). */
export type Area = Partial<Record<Lang, Record<string, string>>>;

const files = import.meta.glob<Record<string, string>>('./strings/*.json', { eager: true, import: 'default' });

/** Every area's strings by area name, e.g. AREAS.ui.zh['controls.play']. */
export const AREAS: Record<string, Area> = {};
for (const [path, strings] of Object.entries(files)) {
  const m = /\/([\w-]+)\.(\w+)\.json$/.exec(path);
  if (!m || !isLang(m[2])) throw new Error(`i18n: ${path} is not named <area>.<lang>.json with lang one of ${LANGS.join(', ')}`);
  (AREAS[m[1]] ??= {})[m[2]] = strings;
}

/** All areas merged, per language: what t() looks keys up in. */
export const STRINGS: Record<Lang, Record<string, string>> = Object.fromEntries(
  LANGS.map((lang) => [lang, Object.assign({}, ...Object.values(AREAS).map((a) => a[lang] ?? {})) as Record<string, string>]),
) as Record<Lang, Record<string, string>>;
