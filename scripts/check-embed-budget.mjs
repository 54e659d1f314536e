#!/usr/bin/env node
/**
 * The embed's budget: the JavaScript a page loads before the first
 * <amqp-playground> can draw (dist/embed.js and every chunk it imports
 * statically, transitively) must be at most EMBED_BUDGET bytes gzipped.
 * Run after `vite build` (npm run build chains it); exits 1 past the budget.
 * Dynamic imports (the shell, the inspector, goals, strings) are not counted.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

/** 60 kB, as the issue says: 60,000 bytes of gzip (level 9). */
export const EMBED_BUDGET = 60_000;
export const EMBED_ENTRY = 'src/embed/element.ts';

/**
 * The files of an entry and its static imports, from a Vite manifest
 * (`build.manifest: true`): each once, the entry first.
 */
export function initialFiles(manifest, entry = EMBED_ENTRY) {
  if (!manifest[entry]) throw new Error(`the manifest has no entry ${entry}`);
  const seen = new Set();
  const files = [];
  const visit = (key) => {
    if (seen.has(key)) return;
    seen.add(key);
    const chunk = manifest[key];
    if (!chunk) throw new Error(`the manifest has no chunk ${key} (imported from ${entry})`);
    files.push(chunk.file);
    for (const dep of chunk.imports ?? []) visit(dep);
  };
  visit(entry);
  return files;
}

/** Gzipped size of each file (read by `read(file)`), and their total. */
export function weigh(files, read) {
  const sizes = files.map((file) => {
    const bytes = read(file);
    return { file, raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
  });
  return { sizes, total: sizes.reduce((sum, s) => sum + s.gzip, 0) };
}

/** The report's lines, and whether it is within budget. */
export function report({ sizes, total }, budget = EMBED_BUDGET) {
  const kb = (n) => `${(n / 1000).toFixed(1)} kB`;
  const lines = sizes.map((s) => `  ${s.file.padEnd(44)} ${kb(s.raw).padStart(9)} raw ${kb(s.gzip).padStart(9)} gzip`);
  const ok = total <= budget;
  lines.push(`embed initial JavaScript: ${kb(total)} gzipped of a ${kb(budget)} budget${ok ? '' : ` — ${kb(total - budget)} OVER`}`);
  return { ok, lines };
}

function main() {
  const dist = fileURLToPath(new URL('../dist/', import.meta.url));
  const manifest = JSON.parse(readFileSync(join(dist, '.vite/embed-manifest.json'), 'utf8'));
  const { ok, lines } = report(weigh(initialFiles(manifest), (file) => readFileSync(join(dist, file))));
  for (const line of lines) (ok ? console.log : console.error)(line);
  if (!ok) process.exit(1);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
