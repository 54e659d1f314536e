import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without types
import { EMBED_BUDGET, initialFiles, report, weigh } from '../../scripts/check-embed-budget.mjs';

const manifest = {
  'src/embed/element.ts': { file: 'embed.js', isEntry: true, imports: ['_a.js', '_b.js'], dynamicImports: ['_lazy.js'] },
  '_a.js': { file: 'assets/a.js', imports: ['_c.js'] },
  '_b.js': { file: 'assets/b.js', imports: ['_c.js'] },
  '_c.js': { file: 'assets/c.js' },
  '_lazy.js': { file: 'assets/lazy.js', imports: ['_big.js'] },
  '_big.js': { file: 'assets/big.js' },
};

describe('the embed budget check', () => {
  it('counts the entry and its static imports, each once, never the dynamic ones', () => {
    expect(initialFiles(manifest)).toEqual(['embed.js', 'assets/a.js', 'assets/c.js', 'assets/b.js']);
    expect(() => initialFiles({})).toThrow('the manifest has no entry src/embed/element.ts');
    expect(() => initialFiles({ 'src/embed/element.ts': { file: 'embed.js', imports: ['_gone.js'] } })).toThrow('the manifest has no chunk _gone.js');
  });

  it('weighs gzipped bytes and fails past the budget', () => {
    // Random bytes barely compress: the gzip size tracks the raw size.
    const noise = (n: number) => randomBytes(n);
    const small = weigh(['embed.js'], () => noise(1000));
    expect(small.total).toBeGreaterThan(1000);
    expect(small.total).toBeLessThan(1100);
    expect(report(small).ok).toBe(true);
    const big = weigh(['embed.js', 'assets/a.js'], () => noise(EMBED_BUDGET / 2 + 10));
    const r = report(big);
    expect(r.ok).toBe(false);
    expect(r.lines.at(-1)).toMatch(/^embed initial JavaScript: 60\.\d kB gzipped of a 60\.0 kB budget — 0\.\d kB OVER$/);
    // Text compresses: the same size in text is far under.
    expect(report(weigh(['embed.js'], () => Buffer.from('a'.repeat(EMBED_BUDGET * 2)))).ok).toBe(true);
  });
});
