/**
 * The Warren engine under test, loaded one of two ways:
 *
 * - compiled: src/core as plain JavaScript (bench/lib/build.ts makes it in
 *   bench/.build/core). This is the engine as it ships, and the figures the
 *   targets are judged on.
 * - tsx: the TypeScript sources through the tsx loader that `npm run bench`
 *   runs under. tsx compiles with esbuild's `keepNames`, which wraps every
 *   function expression evaluated at run time in `__name(fn, "name")` (an
 *   Object.defineProperty call): any closure the engine makes per message
 *   costs much more there than in shipped code.
 */
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export type EngineModule = typeof import('../../src/core/broker.ts');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const SOURCE_DIR = join(ROOT, 'src/core');
export const BUILD_DIR = join(ROOT, 'bench/.build/core');
/** Where bench/ab.ts puts the engines it compares; a case loads the one WARREN_BENCH_ENGINE names. */
export const ENGINE_DIR = process.env.WARREN_BENCH_ENGINE ?? BUILD_DIR;

export async function importCompiledEngine(): Promise<EngineModule> {
  return (await import(pathToFileURL(join(ENGINE_DIR, 'broker.mjs')).href)) as EngineModule;
}

export async function importTsxEngine(): Promise<EngineModule> {
  return (await import('../../src/core/broker.ts')) as EngineModule;
}
