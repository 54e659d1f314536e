/**
 * Every string exists in every language, filled in, with the same
 * placeholders; every literal key the code asks t() for exists.
 */
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AREAS, LANGS, STRINGS, placeholders } from '../../src/i18n/catalog.ts';

const SRC = join(import.meta.dirname, '../../src');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|svelte)$/.test(name) ? [path] : [];
  });
}

/** Keys passed to t() as a plain string literal, with the file they appear in. */
function literalKeys(): { key: string; file: string }[] {
  return sources(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?<![\w.$])t\(\s*(['"`])([\w.-]+)\1/g)].map((m) => ({ key: m[2], file: file.slice(SRC.length + 1) })),
  );
}

describe('the translations', () => {
  it('has a ui area, and every area has a file for every language', () => {
    expect(Object.keys(AREAS)).toContain('ui');
    for (const [area, byLang] of Object.entries(AREAS)) {
      for (const lang of LANGS) expect(byLang[lang], `${area}.${lang}.json`).toBeTypeOf('object');
    }
  });

  for (const [area, byLang] of Object.entries(AREAS)) {
    describe(`area ${area}`, () => {
      it('has the same keys in every language', () => {
        const keys = LANGS.map((lang) => Object.keys(byLang[lang] ?? {}).sort());
        for (let i = 1; i < LANGS.length; i++) {
          const missing = keys[0].filter((k) => !keys[i].includes(k)).map((k) => `${LANGS[i]} lacks ${k}`);
          const extra = keys[i].filter((k) => !keys[0].includes(k)).map((k) => `${LANGS[0]} lacks ${k}`);
          expect([...missing, ...extra]).toEqual([]);
        }
      });

      it('has no empty or non-string values', () => {
        const bad = LANGS.flatMap((lang) =>
          Object.entries(byLang[lang] ?? {})
            .filter(([, v]) => typeof v !== 'string' || v.trim() === '')
            .map(([k]) => `${lang}: ${k}`),
        );
        expect(bad).toEqual([]);
      });

      it('uses the same {placeholders} in every language', () => {
        const en = byLang.en ?? {};
        const bad = LANGS.slice(1).flatMap((lang) =>
          Object.entries(byLang[lang] ?? {})
            .filter(([k, v]) => k in en && placeholders(v).join() !== placeholders(en[k]).join())
            .map(([k, v]) => `${lang} ${k}: {${placeholders(v).join('}{')}} vs en {${placeholders(en[k]).join('}{')}}`),
        );
        expect(bad).toEqual([]);
      });
    });
  }

  it('defines each key in one area only', () => {
    const seen = new Map<string, string>();
    const twice: string[] = [];
    for (const [area, byLang] of Object.entries(AREAS)) {
      for (const key of Object.keys(byLang.en ?? {})) {
        if (seen.has(key)) twice.push(`${key} in ${seen.get(key)} and ${area}`);
        seen.set(key, area);
      }
    }
    expect(twice).toEqual([]);
  });

  it('has every key that the code passes to t() literally', () => {
    const used = literalKeys();
    expect(used.length).toBeGreaterThan(10);
    const missing = used.filter(({ key }) => !(key in STRINGS.en)).map(({ key, file }) => `${key} (${file})`);
    expect(missing).toEqual([]);
  });
});
