/**
 * Compiles src/core to plain ES2022 JavaScript with the TypeScript compiler
 * (type erasure only, as `vite build` ships it) into bench/.build/core, as
 * .mjs files so that no loader (tsx included) recompiles them. Done fresh
 * by bench/run.ts at the start of every run.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import ts from 'typescript';
import { BUILD_DIR, SOURCE_DIR } from './engine.ts';

function* walk(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(path);
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) yield path;
  }
}

/** Compiles the engine in `sourceDir` (default src/core) into `buildDir` (default bench/.build/core). */
export function buildCompiledEngine(sourceDir = SOURCE_DIR, buildDir = BUILD_DIR): void {
  rmSync(buildDir, { recursive: true, force: true });
  for (const file of walk(sourceDir)) {
    const { outputText } = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: {
        target: ts.ScriptTarget.ES2022,
        module: ts.ModuleKind.ESNext,
        verbatimModuleSyntax: true,
        sourceMap: false,
      },
    });
    // Relative imports name .ts files: point them at the .mjs outputs.
    const code = outputText.replace(/(from\s+|import\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\.ts\2/g, '$1$2$3.mjs$2');
    const target = join(buildDir, relative(sourceDir, file)).replace(/\.ts$/, '.mjs');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
}
