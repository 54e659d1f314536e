/**
 * The translations, as a translator edits them: one flat JSON file per area
 * and language, `strings/<area>.<lang>.json`, keys dotted ("controls.play").
 * Every file found is merged here; nothing has to be registered in code.
 */
export const LANGS = ['en', 'zh'] as const;
export type Lang = (typeof LANGS)[number];

/** One area's strings, per language (as read from its files). */
export type Area = Partial<Record<Lang, Record<string, string>>>;

const files = import.meta.glob<Record<string, string>>('./strings/*.json', { eager: true, import: 'default' });

export const isLang = (x: unknown): x is Lang => typeof x === 'string' && (LANGS as readonly string[]).includes(x);

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

export { interpolate, placeholders } from './interpolate.ts';
