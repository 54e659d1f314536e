/**
 * The strings an embedded playground shows: the `ui`, `channel` and `embed`
 * areas (docs/i18n.md) of its one language, each file fetched when that
 * language is first shown on the page.
 */
import type { StringsLoader } from '../i18n/locale.svelte.ts';

const FILES = import.meta.glob<Record<string, string>>(['./ui.*.json', './channel.*.json', './embed.*.json'], { import: 'default', base: '../i18n/strings' });

export const AREAS = ['ui', 'channel', 'embed'];

export const loadStrings: StringsLoader = async (lang) => {
  const parts = await Promise.all(
    AREAS.map((area) => {
      const file = FILES[`./${area}.${lang}.json`];
      if (!file) throw new Error(`i18n: no strings file ${area}.${lang}.json`);
      return file();
    }),
  );
  return Object.assign({}, ...parts) as Record<string, string>;
};
