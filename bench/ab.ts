/**
 * A/B: the engine at a git revision (A) against the working tree (B), on a
 * shared machine. `npm run bench:ab -- [--base <rev>] [--runs <n>] <case id>…`
 * (case ids: bench/cases.ts; the base defaults to main).
 *
 * Both engines are compiled as bench/lib/build.ts does; then, for each case,
 * processes of A and B alternate (A B A B …, `runs` of each), every round
 * timed in the process's CPU time (WARREN_BENCH_CLOCK=cpu), so that other
 * jobs competing for the cores slow both sides alike and inflate neither.
 * Prints each process's figure, the median per side and B ÷ A.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { buildCompiledEngine } from './lib/build.ts';
import { median } from './lib/measure.ts';
import { fixed } from './lib/table.ts';
import { CASES } from './cases.ts';
import type { Figure } from './workloads/types.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const AB_DIR = join(ROOT, 'bench/.build/ab');
const CASE_SCRIPT = fileURLToPath(new URL('./case.ts', import.meta.url));

const argv = process.argv.slice(2);
function option(name: string, fallback: string): string {
  const i = argv.indexOf(name);
  if (i < 0) return fallback;
  const [, value] = argv.splice(i, 2);
  if (value === undefined) throw new Error(`${name} needs a value`);
  return value;
}
const base = option('--base', 'main');
const runs = Number(option('--runs', '3'));
if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a whole number ≥ 1');
const ids = argv;
if (!ids.length) throw new Error(`name one or more cases: ${Object.keys(CASES).join(', ')}`);
for (const id of ids) if (!CASES[id]) throw new Error(`unknown case '${id}'; one of: ${Object.keys(CASES).join(', ')}`);

/** Compiles src/core as it is at `rev` into <AB_DIR>/a and the working tree's into <AB_DIR>/b. */
function buildBoth(rev: string): { a: string; b: string } {
  // The sources at `rev` go outside the repository, where no typecheck or lint finds them.
  const source = mkdtempSync(join(tmpdir(), 'warren-ab-'));
  try {
    const archive = execFileSync('git', ['archive', rev, 'src/core'], { cwd: ROOT, maxBuffer: 64 << 20 });
    execFileSync('tar', ['-x', '-C', source], { input: archive });
    const a = join(AB_DIR, 'a');
    const b = join(AB_DIR, 'b');
    buildCompiledEngine(join(source, 'src/core'), a);
    buildCompiledEngine(undefined, b);
    return { a, b };
  } finally {
    rmSync(source, { recursive: true, force: true });
  }
}

function runCase(id: string, engine: string): Figure {
  const child = spawnSync(process.execPath, [...process.execArgv, CASE_SCRIPT, id], {
    encoding: 'utf8',
    timeout: 300_000,
    env: { ...process.env, WARREN_BENCH_ENGINE: engine, WARREN_BENCH_CLOCK: 'cpu' },
  });
  const last = child.stdout?.trim().split('\n').pop() ?? '';
  if (child.status !== 0 || !last.startsWith('{')) throw new Error(`${id} failed: ${(child.stderr || `exit ${child.status}`).trim().split('\n').slice(-3).join(' ')}`);
  return JSON.parse(last) as Figure;
}

const show = (v: number) => (v >= 1000 ? Math.round(v).toLocaleString('en-US') : fixed(v, 2));

const engines = buildBoth(base);
console.log(`A = ${base}, B = working tree; CPU time; ${runs} processes each, alternating; load average ${fixed(loadavg()[0], 1)} at the start`);
for (const id of ids) {
  const a: number[] = [];
  const b: number[] = [];
  for (let r = 0; r < runs; r++) {
    a.push(runCase(id, engines.a).value);
    b.push(runCase(id, engines.b).value);
  }
  const ma = median(a);
  const mb = median(b);
  console.log(`${id}: A ${a.map(show).join(' ')} | B ${b.map(show).join(' ')} | median A ${show(ma)}, B ${show(mb)}, B ÷ A ${fixed(mb / ma, 2)}`);
}
