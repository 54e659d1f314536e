/**
 * Who speaks which language. The page has one language for everything
 * (src/i18n/index.svelte.ts registers it here as the page's translation);
 * an embedded playground has its own (`Locale`), given to the components
 * under it through Svelte context, so two playgrounds on one page can
 * speak two languages. Components ask with `useT()` when they are created.
 */
import { getContext, setContext } from 'svelte';
import { lookup, type Lang, type Translate } from './lang.ts';

export type { Translate };

const CONTEXT = Symbol('warren.translate');

let page: Translate = (key) => {
  throw new Error(`i18n: no page language set up (asked for '${key}'): import src/i18n/index.svelte.ts first`);
};

/** The page's translation (whatever language the page shows now). */
export const pageT: Translate = (key, params) => page(key, params);

/** Makes `t` the page's translation (src/i18n/index.svelte.ts does, once). */
export function setPageTranslate(t: Translate): void {
  page = t;
}

/** Gives the components created under the caller this translation (call while creating a component). */
export function provideT(t: Translate): void {
  setContext(CONTEXT, t);
}

/** The translation for the component being created: its playground's, else the page's. */
export function useT(): Translate {
  return getContext<Translate | undefined>(CONTEXT) ?? pageT;
}

/** Loads one language's strings (the areas a part of the page needs, merged). */
export type StringsLoader = (lang: Lang) => Promise<Record<string, string>>;

/**
 * A language of its own, with only the strings it loaded: `t` is reactive
 * (re-renders templates when `use()` switches), and switching waits for the
 * new language's strings, so nothing is ever shown as a bare key.
 */
export class Locale {
  lang = $state<Lang>('en');
  private strings = $state.raw<Partial<Record<Lang, Record<string, string>>>>({});
  private wanted: Lang | null = null;

  constructor(private readonly load: StringsLoader) {}

  /** Whether the current language's strings are here. */
  get ready(): boolean {
    return this.strings[this.lang] !== undefined;
  }

  /** Switches to `lang` once its strings are loaded (the latest call wins). */
  async use(lang: Lang): Promise<void> {
    this.wanted = lang;
    if (!this.strings[lang]) {
      const loaded = await this.load(lang);
      this.strings = { ...this.strings, [lang]: loaded };
    }
    if (this.wanted === lang) this.lang = lang;
  }

  t: Translate = (key, params) => lookup(this.strings[this.lang], this.lang, key, params);
}
