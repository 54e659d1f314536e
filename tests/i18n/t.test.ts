import { afterEach, describe, expect, it, vi } from 'vitest';
import { LANGS, i18n, initialLang, setLang, t } from '../../src/i18n/index.svelte.ts';
import { interpolate } from '../../src/i18n/catalog.ts';

describe('t()', () => {
  afterEach(() => {
    setLang('en');
    vi.unstubAllGlobals();
  });

  it('is English in Node with no window, and switches language', () => {
    expect(LANGS).toEqual(['en', 'zh']);
    expect(initialLang()).toBe('en');
    expect(t('controls.play')).toBe('Play');
    setLang('zh');
    expect(i18n.lang).toBe('zh');
    expect(t('controls.play')).toBe('播放');
  });

  it('fills {name} placeholders, every occurrence', () => {
    expect(t('controls.seconds', { s: '1.5' })).toBe('1.5 s');
    expect(interpolate('{a} and {a} then {b}', { a: 1, b: 'x' }, 'k')).toBe('1 and 1 then x');
  });

  it('throws on an unknown key or a missing parameter instead of showing nothing', () => {
    expect(() => t('no.such.key')).toThrow("i18n: no string 'no.such.key' in 'en'");
    expect(() => t('controls.seconds')).toThrow("i18n: 'controls.seconds' needs the parameter {s}");
  });

  it('refuses an unknown language', () => {
    expect(() => setLang('fr' as never)).toThrow("unknown language 'fr'");
    expect(i18n.lang).toBe('en');
  });

  it('starts from the saved choice, else the browser language, and saves a switch', () => {
    const saved = new Map<string, string>();
    vi.stubGlobal('localStorage', { getItem: (k: string) => saved.get(k) ?? null, setItem: (k: string, v: string) => saved.set(k, v) });
    vi.stubGlobal('navigator', { languages: ['zh-CN', 'en'], language: 'zh-CN' });
    expect(initialLang()).toBe('zh');
    vi.stubGlobal('navigator', { languages: ['fr-FR'], language: 'fr-FR' });
    expect(initialLang()).toBe('en');
    setLang('zh');
    expect(saved.get('warren.lang')).toBe('zh');
    expect(initialLang()).toBe('zh');
  });
});
