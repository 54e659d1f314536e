/**
 * Warren vs smqp on the same workloads: `npm run bench`
 * (node --expose-gc --import tsx bench/run.ts). See docs/performance.md.
 *
 *   npm run bench                          every benchmark
 *   npm run bench -- direct topic          some: direct, backlog, topic, fanout, memory
 *   npm run bench -- --no-tsx              skip the rows that load Warren through tsx
 *   npm run bench -- --markdown            also print the tables as Markdown
 *
 * src/core is compiled to plain JavaScript first (bench/lib/build.ts); then
 * every measurement runs in its own node process (bench/case.ts).
 */
import { spawnSync } from 'node:child_process';
import { cpus, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { buildCompiledEngine } from './lib/build.ts';
import { hasGc, median } from './lib/measure.ts';
import { BROAD, TYPICAL } from './lib/random.ts';
import { fixed, int, markdownTable, spread, textTable, type Cell } from './lib/table.ts';
import { MESSAGES } from './workloads/memory.ts';
import { BINDINGS, type BindFigure, type TopicFigure } from './workloads/topic.ts';
import type { Figure } from './workloads/types.ts';

const SUITES = ['direct', 'backlog', 'topic', 'fanout', 'memory'] as const;
type Suite = (typeof SUITES)[number];

const argv = process.argv.slice(2);
const chosen = argv.filter((a) => !a.startsWith('--'));
for (const c of chosen) if (!SUITES.includes(c as Suite)) throw new Error(`unknown benchmark '${c}' (one of: ${SUITES.join(', ')})`);
const want = (s: Suite) => chosen.length === 0 || chosen.includes(s);
const withTsx = !argv.includes('--no-tsx');
const markdown = argv.includes('--markdown');

const CASE_SCRIPT = fileURLToPath(new URL('./case.ts', import.meta.url));
const failures: string[] = [];

/**
 * Runs a case in `processes` fresh node processes, one after the other, and
 * pools their rounds: the figure is the median of all rounds, min and max
 * the extremes. Null (and a note) when a process fails.
 */
function measure<F extends Figure = Figure>(id: string, what: string, processes = 1): F | null {
  const figures: F[] = [];
  for (let p = 0; p < processes; p++) {
    process.stderr.write(`  … ${what}${processes > 1 ? ` [${p + 1}/${processes}]` : ''}`);
    const t = performance.now();
    const child = spawnSync(process.execPath, [...process.execArgv, CASE_SCRIPT, id], { encoding: 'utf8', timeout: 180_000, maxBuffer: 16 << 20 });
    const secs = fixed((performance.now() - t) / 1000, 1);
    const last = child.stdout?.trim().split('\n').pop() ?? '';
    if (child.status !== 0 || !last.startsWith('{')) {
      const why = (child.stderr || child.error?.message || `exit ${child.status}`).trim().split('\n').slice(-3).join(' ');
      process.stderr.write(` FAILED (${secs} s): ${why}\n`);
      failures.push(`${id}: ${why}`);
      return null;
    }
    process.stderr.write(` (${secs} s)\n`);
    figures.push(JSON.parse(last) as F);
  }
  if (figures.length === 1) return figures[0];
  const samples = figures.flatMap((f) => f.samples ?? [f.value]);
  const details = figures.flatMap((f) => (f.detail ? [f.detail] : []));
  const pooled: Record<string, unknown> = { ...(figures[0] as object), value: median(samples), min: Math.min(...samples), max: Math.max(...samples), samples, detail: details.length ? details.join('; ') : undefined };
  // Other per-process numbers (a cold time, match counts): their median.
  for (const [k, v] of Object.entries(figures[0])) {
    if (typeof v === 'number' && !['value', 'min', 'max'].includes(k)) pooled[k] = median(figures.map((f) => (f as unknown as Record<string, number>)[k]));
  }
  return pooled as unknown as F;
}

/** Processes for the figures that carry a target (the JIT lands a little differently in each). */
const REPEAT = 3;

interface Target {
  text: string;
  pass: (warren: number) => boolean;
}

interface Row {
  label: string;
  format: (v: number) => string;
  warren: Figure | null;
  smqp: Figure | null;
  /** Printed in the smqp column instead of a figure. */
  smqpText?: string;
  target?: Target;
  /** Larger is better (rates) or smaller (times, bytes). */
  higherIsBetter: boolean;
}

const perSecond = (v: number) => `${int(v)}/s`;
const ms = (v: number) => `${fixed(v, 1)} ms`;
const bytes = (v: number) => `${int(v)} B`;
const ratio = (v: number) => `${fixed(v, 2)}×`;

const rows: Row[] = [];
const tsxRows: Row[] = [];
const notes: string[] = [];

function ratioOf(a: Figure | null, b: Figure | null): Figure | null {
  return a && b ? { value: a.value / b.value } : null;
}

const started = performance.now();
const load = loadavg()[0];
if (!hasGc()) process.stderr.write('warning: run with node --expose-gc (npm run bench does) for stable figures and the memory benchmark\n');
process.stderr.write('Compiling src/core to plain JavaScript (bench/.build)…\n');
buildCompiledEngine();

if (want('direct')) {
  process.stderr.write('direct exchange round trips (publish → route → deliver → ack)\n');
  const off = measure('direct.warren.off', 'warren, events off', REPEAT);
  const on = measure('direct.warren.on', 'warren, events on', REPEAT);
  const s = measure('direct.smqp', 'smqp');
  const offTarget = { text: '≥ 3,000,000/s', pass: (v: number) => v >= 3_000_000 };
  const onTarget = { text: '≥ 1,000,000/s', pass: (v: number) => v >= 1_000_000 };
  rows.push({ label: 'direct round trips, events off', format: perSecond, warren: off, smqp: s, target: offTarget, higherIsBetter: true });
  rows.push({ label: 'direct round trips, events on', format: perSecond, warren: on, smqp: null, smqpText: 'n/a (no event stream)', target: onTarget, higherIsBetter: true });
  if (on?.detail) notes.push(`direct, events on: ${on.detail}.`);
  if (withTsx) {
    const toff = measure('direct.tsx.off', 'warren via tsx, events off');
    const ton = measure('direct.tsx.on', 'warren via tsx, events on');
    tsxRows.push({ label: 'direct round trips, events off', format: perSecond, warren: toff, smqp: s, target: offTarget, higherIsBetter: true });
    tsxRows.push({ label: 'direct round trips, events on', format: perSecond, warren: ton, smqp: null, smqpText: 'n/a', target: onTarget, higherIsBetter: true });
  }
}

if (want('backlog')) {
  process.stderr.write('direct round trips with messages waiting (events off)\n');
  const same = { text: '≥ 0.90× (same rate)', pass: (v: number) => v >= 0.9 };
  for (const [kind, label] of [
    ['backlog', 'prefetch-1 consumer'],
    ['get', 'publish + get + ack'],
  ] as const) {
    const w10 = measure(`${kind}.warren.10`, `warren, 10 waiting, ${label}`, REPEAT);
    const w100k = measure(`${kind}.warren.100000`, `warren, 100,000 waiting, ${label}`, REPEAT);
    const wPaired = measure(`${kind}.warren.ratio`, `warren, 10 and 100,000 waiting in one process, ${label}`, REPEAT);
    const s10 = measure(`${kind}.smqp.10`, `smqp, 10 waiting, ${label}`);
    const s100k = measure(`${kind}.smqp.100000`, `smqp, 100,000 waiting, ${label}`);
    const sPaired = measure(`${kind}.smqp.ratio`, `smqp, 10 and 100,000 waiting in one process, ${label}`);
    rows.push({ label: `${label}, 10 waiting`, format: perSecond, warren: w10, smqp: s10, higherIsBetter: true });
    rows.push({ label: `${label}, 100,000 waiting`, format: perSecond, warren: w100k, smqp: s100k, higherIsBetter: true });
    rows.push({ label: `  rate at 100,000 ÷ rate at 10, the rows above`, format: ratio, warren: ratioOf(w100k, w10), smqp: ratioOf(s100k, s10), higherIsBetter: true });
    rows.push({ label: `  the same, paired rounds in one process`, format: ratio, warren: wPaired, smqp: sPaired, target: same, higherIsBetter: true });
    if (wPaired?.detail) notes.push(`${label}, paired rounds (medians per process): ${wPaired.detail}.`);
  }
}

if (want('topic')) {
  process.stderr.write(`topic exchange, ${int(BINDINGS)} bindings over 100 queues\n`);
  const target = { text: '≥ 500,000/s', pass: (v: number) => v >= 500_000 };
  for (const profile of [TYPICAL, BROAD]) {
    const w = measure<TopicFigure>(`topic.warren.${profile.name}`, `warren, routes, ${profile.name} patterns`, profile === TYPICAL ? REPEAT : 1);
    const s = measure<TopicFigure>(`topic.smqp.${profile.name}`, `smqp, routes, ${profile.name} patterns`);
    const matched = w ?? s;
    const label = `topic routes, ${profile.name} patterns${matched ? ` (${fixed(matched.matched, 1)} matches)` : ''}`;
    rows.push({ label, format: perSecond, warren: w, smqp: s, target: profile === TYPICAL ? target : undefined, higherIsBetter: true });
    if (w && s) {
      const same = Math.abs(w.matched - s.matched) < 1e-9 && Math.abs(w.queues - s.queues) < 1e-9;
      notes.push(
        `topic, ${profile.name} patterns: a route matches ${fixed(w.matched, 2)} of the ${int(BINDINGS)} bindings and reaches ${fixed(w.queues, 2)} queues ` +
          (same
            ? `(smqp agrees; it delivers ${fixed(s.matched, 2)} copies, one per matching binding, where AMQP gives each queue one).`
            : `in Warren, but smqp delivers ${fixed(s.matched, 2)} copies to ${fixed(s.queues, 2)} queues: the brokers DISAGREE on matches.`),
      );
    }
  }
  const wb = measure<BindFigure>('bind.warren', 'warren, creating the bindings', REPEAT);
  const sb = measure<BindFigure>('bind.smqp', 'smqp, creating the bindings');
  rows.push({ label: `create ${int(BINDINGS)} topic bindings`, format: ms, warren: wb, smqp: sb, target: { text: '< 20 ms', pass: (v) => v < 20 }, higherIsBetter: false });
  const cold = (f: BindFigure | null) => (f ? { value: f.cold } : null);
  rows.push({ label: `  the first time in a process (cold)`, format: ms, warren: cold(wb), smqp: cold(sb), higherIsBetter: false });
}

if (want('fanout')) {
  process.stderr.write('fanout to 100 queues\n');
  const w = measure('fanout.warren', 'warren');
  const s = measure('fanout.smqp', 'smqp');
  rows.push({ label: 'fanout to 100 queues (messages in)', format: perSecond, warren: w, smqp: s, higherIsBetter: true });
  if (w && s) notes.push(`fanout: deliveries are 100× that: Warren ${int(w.value * 100)}/s, smqp ${int(s.value * 100)}/s.`);
}

if (want('memory')) {
  process.stderr.write(`memory, ${int(MESSAGES)} queued messages\n`);
  const w = measure('memory.warren', 'warren');
  const s = measure('memory.smqp', 'smqp');
  rows.push({ label: 'heap per queued message, body excluded', format: bytes, warren: w, smqp: s, target: { text: '< 300 B', pass: (v) => v < 300 }, higherIsBetter: false });
  if (w?.detail) notes.push(`memory: ${w.detail}.`);
}

// ---- report --------------------------------------------------------------------

const HEADER = ['Benchmark', 'Warren', 'spread', 'smqp', 'Warren vs smqp', 'Target', ''];

function cells(r: Row): Cell[] {
  const w = r.warren;
  const s = r.smqp;
  let vs = '';
  if (w && s && r.format !== ratio) {
    const x = r.higherIsBetter ? w.value / s.value : s.value / w.value;
    vs = x >= 1 ? `${fixed(x, x < 10 ? 1 : 0)}× better` : `${fixed(1 / x, 1)}× worse`;
  }
  const mark = r.target ? (w ? (r.target.pass(w.value) ? '✓ pass' : '✗ MISS') : '? no figure') : '';
  return [
    r.label,
    w ? r.format(w.value) : 'failed',
    w && w.min !== undefined && w.max !== undefined ? spread(w.value, w.min, w.max) : '',
    s ? r.format(s.value) : (r.smqpText ?? 'failed'),
    vs,
    r.target?.text ?? '',
    mark,
  ];
}

const machine = `${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}, ${process.platform}/${process.arch}`;
const out: string[] = [''];
out.push(`Warren (src/core compiled to plain JS) vs smqp — ${machine}`);
out.push(`Each figure comes from fresh node processes: warm-up, then 5 rounds of ~250 ms; Warren's figures with a target pool`);
out.push(`the rounds of ${REPEAT} processes. Figure = median round; spread = half the min–max range of the rounds.`);
out.push('Backlog ratio with a target: 10 and 100,000 waiting in alternating rounds of one process (the same JIT state for both);');
out.push(`the median of the ${REPEAT} processes' round-pair ratios.`);
out.push('Memory: mean of 2 runs of 200,000 messages.');
if (load > cpus().length * 0.5) {
  out.push(`Note: load average was ${fixed(load, 1)} on ${cpus().length} cores when this started: other processes competed for the CPU, so figures are lower and noisier than on an idle machine.`);
}
out.push('');
out.push(textTable(HEADER, rows.map(cells)));
if (tsxRows.length) {
  out.push('');
  out.push('The same engine imported from its TypeScript sources through tsx, which compiles with esbuild keepNames');
  out.push('(each function expression evaluated at run time is wrapped in __name(), an Object.defineProperty call):');
  out.push('');
  out.push(textTable(HEADER, tsxRows.map(cells)));
}
if (notes.length) {
  out.push('');
  for (const n of notes) out.push(`• ${n}`);
}
const judged = rows.filter((r) => r.target);
const missed = judged.filter((r) => !r.warren || !r.target!.pass(r.warren.value));
out.push('');
if (judged.length === 0) out.push('No targets in this selection.');
else out.push(missed.length ? `Targets missed: ${missed.length} of ${judged.length} (${missed.map((r) => r.label.trim()).join('; ')}).` : `All ${judged.length} targets met.`);
if (failures.length) out.push(`Failed cases: ${failures.join(' | ')}`);
out.push(`Finished in ${fixed((performance.now() - started) / 1000, 1)} s.`);
console.log(out.join('\n'));

if (markdown) {
  const md = (r: Row) => cells(r).map((c) => String(c).replace('✓ pass', '✅ pass').replace('✗ MISS', '❌ miss'));
  console.log('\n' + markdownTable(HEADER, rows.map(md)));
  if (tsxRows.length) console.log('\n' + markdownTable(HEADER, tsxRows.map(md)));
}
if (failures.length) process.exitCode = 1;
