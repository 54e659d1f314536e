/**
 * The sandbox page under load, in Debian's headless Chromium (never a
 * downloaded browser): `node --import tsx bench/ui.ts`.
 *
 *   1. Frame rate with ~1,000 messages in flight at once: a fanout exchange
 *      to four queues, each with an auto-ack consumer, and a producer whose
 *      rate keeps ~1,000 flights on the canvas. Frames are the page's own
 *      requestAnimationFrame callbacks, counted in the page over 5 s.
 *      Target: ≥ 60 fps.
 *   2. The longest main-thread task while 10,000 messages are published in
 *      one burst (a producer with interval 0), and in the frames that
 *      animate them afterwards. 'longtask' entries (≥ 50 ms only), the
 *      burst call's own duration, and every task from a Chrome trace, with
 *      its main-thread CPU time (what the page spent, preemption left out)
 *      and, for those over 16 ms, their largest activities.
 *      Target: no task over 16 ms.
 *
 * The page is built by `vite build` into a temporary directory (not
 * minified, with source maps, so that a profile names the functions of
 * src/ui and src/core) and served by `vite preview` on a free loopback
 * port. When a target is missed, the run profiles the same scenario (CDP
 * Profiler + a trace, and timers wrapped around the sandbox's methods) and
 * prints where the time goes.
 *
 *   --profile      profile even when every target is met
 *   --no-profile   never profile
 *   --keep         keep the build directory (its path is printed)
 *   --strict       exit with 1 when a target is missed
 *   --burst-only   skip the idle page and the ~1,000-in-flight measurement
 *   --save-trace F write the measured burst's Chrome trace to F (open it in
 *                  DevTools' Performance panel); it then carries V8's
 *                  sampling profiler and layout invalidation tracking
 *                  too, which cost the page some CPU
 *
 * WARREN_CHROMIUM overrides /usr/bin/chromium.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, preview, type PreviewServer } from 'vite';
import type { Sandbox } from '../src/ui/sandbox.svelte.ts';
import { fixed, int, textTable, type Cell } from './lib/table.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.WARREN_CHROMIUM || '/usr/bin/chromium';
const argv = process.argv.slice(2);
const PROFILE: 'auto' | 'always' | 'never' = argv.includes('--no-profile') ? 'never' : argv.includes('--profile') ? 'always' : 'auto';
const KEEP = argv.includes('--keep');
const STRICT = argv.includes('--strict');
const BURST_ONLY = argv.includes('--burst-only');
const SAVE_TRACE = argv.includes('--save-trace') ? argv[argv.indexOf('--save-trace') + 1] : null;
if (SAVE_TRACE !== null && (!SAVE_TRACE || SAVE_TRACE.startsWith('--'))) {
  console.error('bench/ui.ts: --save-trace needs a file name, e.g. --save-trace /tmp/burst.json');
  process.exit(2);
}

/** Scenario sizes. */
const FLIGHTS = 1000;
const QUEUES = 4;
const WARMUP_MS = 3000;
const MEASURE_MS = 5000;
const BURST = 10_000;
/** Real time the burst's messages take to fly and land (4 hops of 600 ms at 1×, and margin). */
const DRAIN_MS = 3500;
/** A burst still running after this long is abandoned (and reported as longer), so the run ends in time. */
const BURST_CAP_MS = 30_000;
const FPS_TARGET = 60;
const TASK_TARGET = 16;
/** A 60 Hz frame clock measured over 5 s lands within a few tenths of 60: this much below still counts as 60. */
const FPS_SLACK = 0.98;

const started = performance.now();
/** What is printed after the figures (profiles are taken before the last measurement). */
const findings: string[] = [];
const say = (s = '') => findings.push(s);
const log = (s: string) => process.stderr.write(`  … ${s} (${fixed((performance.now() - started) / 1000, 1)} s)\n`);

// ---- what runs in the page --------------------------------------------------

/** The page's globals this benchmark reads. */
interface BenchState {
  recording: boolean;
  /** Per rAF callback: frame timestamp, callback ms, callback + microtasks (Svelte's flush) ms. */
  frames: number[];
  /** Per rAF callback: flights drawn (t0 ≤ now < t1) and projection.flights.length. */
  flights: number[];
  longtasks: Array<{ start: number; duration: number }>;
  /** Wrapped methods' total ms and calls (profiling runs). */
  timers: Record<string, { ms: number; calls: number; max: number }>;
}
type PageWindow = Window & typeof globalThis & { warren: Sandbox; __bench: BenchState };

/**
 * Installed before the page's scripts: wraps requestAnimationFrame to time
 * every callback (and the microtasks it queued, where Svelte flushes its
 * effects), samples the flights after each, and observes long tasks.
 * A string, so that no transpiler helper leaks into the page.
 */
const INIT = `(() => {
  globalThis.__name = (f) => f;
  const B = (window.__bench = { recording: false, frames: [], flights: [], longtasks: [], timers: {} });
  const raf = window.requestAnimationFrame.bind(window);
  window.requestAnimationFrame = (cb) =>
    raf((ts) => {
      if (!B.recording) return cb(ts);
      const s = performance.now();
      let done = 0;
      try {
        cb(ts);
      } finally {
        done = performance.now();
        const i = B.frames.length;
        B.frames.push(ts, done - s, done - s);
        queueMicrotask(() => (B.frames[i + 2] = performance.now() - s));
        const w = window.warren;
        if (w) {
          const now = w.time;
          const fl = w.projection.flights;
          let n = 0;
          for (let k = 0; k < fl.length; k++) if (fl[k].t0 <= now && fl[k].t1 > now) n++;
          B.flights.push(n, fl.length);
        }
      }
    });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (B.recording) B.longtasks.push({ start: e.startTime, duration: e.duration });
    }).observe({ type: 'longtask', buffered: false });
  } catch {}
})();`;

async function openPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 720 }, deviceScaleFactor: 1 });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  await page.addInitScript({ content: INIT });
  await page.goto(url);
  await page.waitForFunction(() => {
    const w = window as PageWindow;
    return !!w.warren && w.warren.broker.connections.size > 0 && !!document.querySelector('#shell-input');
  });
  return page;
}

/** A fanout exchange `name` to `queues` queues (`name`-q1, -q2, …), with an auto-ack consumer on each if `consumers`. */
async function fanout(page: Page, name: string, queues: number, consumers: boolean): Promise<void> {
  await page.evaluate(
    async ({ name, queues, consumers }) => {
      const w = (window as PageWindow).warren;
      await w.run(`exchange.declare ${name} fanout`);
      for (let i = 1; i <= queues; i++) {
        await w.run(`queue.declare ${name}-q${i}`);
        await w.run(`queue.bind ${name}-q${i} ${name}`);
        if (consumers) w.agents.addConsumer({ queue: `${name}-q${i}`, prefetch: 0, autoAck: true, processing: null });
      }
      w.touch();
    },
    { name, queues, consumers },
  );
}

async function record(page: Page, on: boolean): Promise<void> {
  await page.evaluate((on) => {
    const B = (window as PageWindow).__bench;
    if (on) {
      B.frames = [];
      B.flights = [];
      B.longtasks = [];
    }
    B.recording = on;
  }, on);
}

async function readBench(page: Page): Promise<BenchState> {
  return page.evaluate(() => {
    const B = (window as PageWindow).__bench;
    return { recording: B.recording, frames: B.frames, flights: B.flights, longtasks: B.longtasks, timers: B.timers };
  });
}

// ---- frames -----------------------------------------------------------------

interface FrameFigures {
  frames: number;
  fps: number;
  p50: number;
  p95: number;
  max: number;
  /** Script per frame: the rAF callback plus the microtasks it queued. */
  scriptMean: number;
  scriptMax: number;
  /** Of which Svelte's flush (the microtasks after the callback). */
  flushMean: number;
  inFlightMean: number;
  inFlightMin: number;
  inFlightMax: number;
  arrayMean: number;
}

const quantile = (sorted: number[], q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] : NaN);
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

function frameFigures(b: BenchState): FrameFigures {
  // One entry per rAF callback; frames are distinct timestamps.
  const ts: number[] = [];
  const script = new Map<number, number>();
  const flush: number[] = [];
  for (let i = 0; i < b.frames.length; i += 3) {
    const t = b.frames[i];
    if (ts.at(-1) !== t) ts.push(t);
    script.set(t, (script.get(t) ?? 0) + b.frames[i + 2]);
    flush.push(b.frames[i + 2] - b.frames[i + 1]);
  }
  const gaps = ts.slice(1).map((t, i) => t - ts[i]);
  const sorted = [...gaps].sort((x, y) => x - y);
  const drawn: number[] = [];
  const array: number[] = [];
  for (let i = 0; i < b.flights.length; i += 2) {
    drawn.push(b.flights[i]);
    array.push(b.flights[i + 1]);
  }
  const span = ts.length > 1 ? ts.at(-1)! - ts[0] : NaN;
  return {
    frames: ts.length,
    fps: ((ts.length - 1) / span) * 1000,
    p50: quantile(sorted, 0.5),
    p95: quantile(sorted, 0.95),
    max: sorted.at(-1) ?? NaN,
    scriptMean: mean([...script.values()]),
    scriptMax: Math.max(...script.values()),
    flushMean: flush.length ? flush.reduce((a, x) => a + x, 0) / Math.max(1, ts.length) : NaN,
    inFlightMean: mean(drawn),
    inFlightMin: Math.min(...drawn),
    inFlightMax: Math.max(...drawn),
    arrayMean: mean(array),
  };
}

// ---- Chrome traces ----------------------------------------------------------

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time of a complete event, µs: its duration without the time the thread was preempted. */
  tdur?: number;
  pid: number;
  tid: number;
  args?: { name?: string; data?: Record<string, unknown> };
}

const TRACE_CATEGORIES = ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'blink.user_timing', 'v8'];

/** The renderer main thread's complete events, in time order (the trace is the browser's: the renderer is the one with animation frames). */
function mainThread(buffer: Buffer): TraceEvent[] {
  const parsed = JSON.parse(buffer.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : parsed.traceEvents;
  const mains = events.filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  let best: TraceEvent[] = [];
  let bestFrames = -1;
  for (const m of mains) {
    const own = events.filter((e) => e.pid === m.pid && e.tid === m.tid);
    const frames = own.filter((e) => e.name === 'FireAnimationFrame').length;
    if (frames > bestFrames) {
      bestFrames = frames;
      best = own;
    }
  }
  return best.filter((e) => e.ph === 'X' || e.ph === 'R' || e.ph === 'I' || e.ph === 'n').sort((a, b) => a.ts - b.ts || (b.dur ?? 0) - (a.dur ?? 0));
}

interface Task {
  start: number;
  ms: number;
  /** The main thread's CPU time in it (NaN when the trace has none): on a busy machine, what the page itself spent. */
  cpuMs: number;
  kind: string;
}

/**
 * Every top-level task on the main thread from the burst call on (tasks
 * that ended before it, such as starting the tracing's own sampler, are
 * not the burst's), classified: an animation frame, the burst call, or
 * something else.
 */
function tasks(events: TraceEvent[], burst: { from: number; to: number } | null): Task[] {
  const out: Task[] = [];
  const runs = events.filter((e) => e.ph === 'X' && e.name === 'RunTask' && e.dur !== undefined);
  const rafs = events.filter((e) => e.name === 'FireAnimationFrame').map((e) => e.ts);
  let r = 0;
  let lastEnd = -Infinity;
  for (const t of runs) {
    if (t.ts < lastEnd) continue; // nested
    lastEnd = t.ts + t.dur!;
    if (burst && lastEnd < burst.from) continue;
    while (r < rafs.length && rafs[r] < t.ts) r++;
    const frame = r < rafs.length && rafs[r] <= lastEnd;
    const isBurst = burst && burst.from >= t.ts && burst.from <= lastEnd;
    out.push({ start: t.ts, ms: t.dur! / 1000, cpuMs: t.tdur === undefined ? NaN : t.tdur / 1000, kind: isBurst ? 'burst call' : frame ? 'frame' : 'other' });
  }
  return out;
}

const ACTIVITY: Array<[RegExp, string]> = [
  [/^(FireAnimationFrame|FunctionCall|EvaluateScript|v8\.|V8\.Execute|TimerFire|RunMicrotasks|EventDispatch|v8\.run|V8\.Run)/, 'script'],
  [/(GC|gc|Scavenge|MarkCompact|Sweep)/, 'garbage collection'],
  [/^(UpdateLayoutTree|RecalculateStyles|ParseAuthorStyleSheet|Layout|InvalidateLayout|ScheduleStyleRecalculation|UpdateLayerTree|IntersectionObserverController)/, 'style & layout'],
  [/^(Paint|PrePaint|Layerize|PaintImage|Commit|CompositeLayers|UpdateLayer|Decode|Rasterize|RasterTask|Draw)/, 'paint & commit'],
];

/** Main-thread self time per activity (DevTools' summary) within [from, to] µs. */
function activities(events: TraceEvent[], from: number, to: number): Map<string, number> {
  const sums = new Map<string, number>();
  const complete = events.filter((e) => e.ph === 'X' && e.dur !== undefined && e.ts >= from && e.ts + e.dur! <= to);
  const stack: Array<{ e: TraceEvent; self: number; end: number }> = [];
  const close = (upTo: number) => {
    while (stack.length && stack.at(-1)!.end <= upTo) {
      const top = stack.pop()!;
      const kind = top.e.name === 'RunTask' || top.e.name === 'ThreadControllerImpl::RunTask' ? 'other' : (ACTIVITY.find(([re]) => re.test(top.e.name))?.[1] ?? 'other');
      const label = `${kind}: ${top.e.name === 'RunTask' ? 'RunTask (outside any traced event)' : top.e.name}`;
      sums.set(label, (sums.get(label) ?? 0) + Math.max(0, top.self) / 1000);
    }
  };
  for (const e of complete) {
    close(e.ts);
    if (stack.length) stack.at(-1)!.self -= e.dur!;
    stack.push({ e, self: e.dur!, end: e.ts + e.dur! });
  }
  close(Infinity);
  return sums;
}

function markTime(events: TraceEvent[], name: string): number | null {
  return events.find((e) => e.name === name)?.ts ?? null;
}

// ---- CPU profiles -----------------------------------------------------------

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

type Resolve = (f: CallFrame) => { key: string; file: string };

/** Names call frames by their place in src/ (through the build's source maps). */
async function resolver(outDir: string): Promise<Resolve> {
  type TM = typeof import('@jridgewell/trace-mapping');
  let tm: TM | null = null;
  try {
    tm = await import('@jridgewell/trace-mapping');
  } catch {
    tm = null;
  }
  const maps = new Map<string, InstanceType<TM['TraceMap']> | null>();
  const cache = new Map<string, { key: string; file: string }>();
  return (f) => {
    const id = `${f.functionName}|${f.url}|${f.lineNumber}|${f.columnNumber}`;
    const hit = cache.get(id);
    if (hit) return hit;
    let file = f.url ? f.url.replace(/^https?:\/\/[^/]+\//, '') : '';
    let line = f.lineNumber + 1;
    let name = f.functionName || '(anonymous)';
    if (tm && file.startsWith('assets/') && file.endsWith('.js')) {
      if (!maps.has(file)) {
        const path = join(outDir, `${file}.map`);
        maps.set(file, existsSync(path) ? new tm.TraceMap(readFileSync(path, 'utf8')) : null);
      }
      const map = maps.get(file);
      if (map && f.lineNumber >= 0) {
        const pos = tm.originalPositionFor(map, { line: f.lineNumber + 1, column: Math.max(0, f.columnNumber) });
        if (pos.source) {
          file = relative(ROOT, resolve(join(outDir, 'assets'), pos.source)).replace(/^(\.\.\/)+/, '');
          line = pos.line ?? line;
          if (!f.functionName && pos.name) name = pos.name;
        }
      }
    }
    file = file.replace(/^.*node_modules\//, '');
    const out = { key: file ? `${name}  ${file}:${line}` : name, file: file || name };
    cache.set(id, out);
    return out;
  };
}

interface ProfileSummary {
  totalMs: number;
  self: Array<[string, number]>;
  inclusive: Array<[string, number]>;
  files: Array<[string, number]>;
}

/** Self and inclusive time by function; `window` (trace µs, the same clock as the profile's) keeps only the samples in it. */
function summarize(p: CpuProfile, name: Resolve, window?: { from: number; to: number }): ProfileSummary {
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  // Sample i stands for the time from its timestamp to the next one's (clipped to the window).
  const times: number[] = [];
  let at = p.startTime;
  for (let i = 0; i < p.samples.length; i++) times.push((at += p.timeDeltas[i] ?? 0));
  const from = window?.from ?? -Infinity;
  const to = window?.to ?? Infinity;
  for (let i = 0; i < p.samples.length; i++) {
    const dt = Math.min(times[i + 1] ?? p.endTime, to) - Math.max(times[i], from);
    if (dt > 0) selfUs.set(p.samples[i], (selfUs.get(p.samples[i]) ?? 0) + dt);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const files = new Map<string, number>();
  const root = p.nodes[0];
  const walk = (node: ProfileNode, path: string[]) => {
    const { key, file } = name(node.callFrame);
    const ms = (selfUs.get(node.id) ?? 0) / 1000;
    const here = path.includes(key) ? path : [...path, key];
    if (ms) {
      self.set(key, (self.get(key) ?? 0) + ms);
      files.set(file, (files.get(file) ?? 0) + ms);
      for (const k of here) inclusive.set(k, (inclusive.get(k) ?? 0) + ms);
    }
    for (const c of node.children ?? []) walk(byId.get(c)!, here);
  };
  walk(root, []);
  const busy = [...self.entries()].filter(([k]) => k !== '(idle)' && k !== '(root)').reduce((a, [, v]) => a + v, 0);
  const sort = (m: Map<string, number>) => [...m.entries()].filter(([k]) => !/^\((root|idle)\)/.test(k)).sort((a, b) => b[1] - a[1]);
  return { totalMs: busy, self: sort(self), inclusive: sort(inclusive).filter(([k]) => !/^\((program|garbage collector)\)|^\(anonymous\)$|^o\.<computed>$|^evaluate$/.test(k)), files: sort(files) };
}

function printProfile(title: string, s: ProfileSummary, per: { label: string; n: number } | null, top = 14): void {
  const scale = (ms: number) => (per ? ms / per.n : ms);
  const unit = per ? `ms/${per.label}` : 'ms';
  const share = (ms: number) => `${Math.round((ms / s.totalMs) * 100)}%`;
  say(`\n${title} — ${fixed(scale(s.totalMs), 1)} ${unit} busy on the main thread (CPU profile)\n`);
  say(textTable(['self time, by function', unit, 'share'], s.self.slice(0, top).map(([k, v]) => [k, fixed(scale(v), 2), share(v)])));
  say('');
  say(textTable(['inclusive time, by function', unit, 'share'], s.inclusive.slice(0, top).map(([k, v]) => [k, fixed(scale(v), 2), share(v)])));
  say('');
  say(textTable(['self time, by source file', unit, 'share'], s.files.slice(0, 8).map(([k, v]) => [k, fixed(scale(v), 2), share(v)])));
}

// ---- the performance.now() instrumentation ----------------------------------

/** Wraps the sandbox's, projection's and agents' methods with timers (profiling runs only). */
async function instrument(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as PageWindow;
    const B = w.__bench;
    const wrap = (obj: object, method: string, label: string) => {
      const o = obj as Record<string, (...a: unknown[]) => unknown>;
      const fn = o[method];
      if (typeof fn !== 'function') return;
      const t = (B.timers[label] = { ms: 0, calls: 0, max: 0 });
      o[method] = function (this: unknown, ...args: unknown[]) {
        const s = performance.now();
        try {
          return fn.apply(this, args);
        } finally {
          const d = performance.now() - s;
          t.ms += d;
          t.calls++;
          if (d > t.max) t.max = d;
        }
      };
    };
    const sb = w.warren;
    wrap(sb, 'tick', 'Sandbox.tick');
    wrap(sb.broker, 'advance', 'Broker.advance (fires timers: agents, engine)');
    wrap(sb.agents, 'publishDue', 'Agents.publishDue');
    wrap(sb.broker.events, 'emit', 'EventStream.emit (calls the listeners below)');
    wrap(sb.projection, 'apply', 'Projection.apply');
    wrap(sb, 'tellStory', 'Sandbox.tellStory');
    wrap(sb.projection, 'advanceTo', 'Projection.advanceTo');
    wrap(sb, 'checkpoint', 'Sandbox.checkpoint (broker.snapshot)');
  });
}

function printTimers(title: string, timers: BenchState['timers'], per: { label: string; n: number } | null): void {
  const rows: Cell[][] = Object.entries(timers)
    .filter(([, t]) => t.calls)
    .map(([k, t]) => [k, int(t.calls), fixed(t.ms, 1), ...(per ? [fixed(t.ms / Math.max(1, per.n), 2)] : []), fixed(t.max, 2)]);
  say(`\n${title} (performance.now() around the methods; a row includes the calls it makes)\n`);
  say(textTable(['method', 'calls', 'total ms', ...(per ? [`ms/${per.label}`] : []), 'longest call, ms'], rows));
}

// ---- the scenarios ----------------------------------------------------------

/** Producer interval (virtual ms) that keeps `n` flights on screen: each message makes 1 publish hop, Q route and Q deliver hops, and Q half-hop ack fades. */
function intervalFor(n: number, queues: number, hop = 600): number {
  return (hop * (1 + 2 * queues) + (queues * hop) / 2) / n;
}

async function startSteadyProducer(page: Page): Promise<void> {
  await fanout(page, 'fan', QUEUES, true);
  await page.evaluate(
    ({ interval }) => {
      const w = (window as PageWindow).warren;
      const name = w.agents.addProducer({ exchange: 'fan', routingKeys: [''], body: 'm{n}', mandatory: false, count: Infinity, interval });
      w.agents.start(name);
      w.touch();
    },
    { interval: intervalFor(FLIGHTS, QUEUES) },
  );
}

async function burst(page: Page, count = BURST): Promise<number> {
  return page.evaluate(
    ({ count }) => {
      const w = (window as PageWindow).warren;
      const name = w.agents.addProducer({ exchange: 'burst', routingKeys: [''], body: 'b{n}', mandatory: false, count, interval: 0 });
      performance.mark('warren-burst-start');
      const s = performance.now();
      w.agents.start(name);
      w.touch();
      const ms = performance.now() - s;
      performance.mark('warren-burst-end');
      return ms;
    },
    { count },
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const withTimeout = <T>(p: Promise<T>, ms: number): Promise<T | 'timeout'> => Promise.race([p, sleep(ms).then(() => 'timeout' as const)]);

async function burstPage(browser: Browser, url: string, errors: string[]): Promise<Page> {
  const page = await openPage(browser, url, errors);
  // A fanout exchange to two queues: one with an auto-ack consumer, one that keeps every message ready.
  await fanout(page, 'burst', 2, false);
  await page.evaluate(() => {
    const w = (window as PageWindow).warren;
    w.agents.addConsumer({ queue: 'burst-q1', prefetch: 0, autoAck: true, processing: null });
    w.touch();
  });
  await sleep(300);
  return page;
}

async function cpuProfile<T>(page: Page, during: () => Promise<T>): Promise<{ result: T; profile: CpuProfile }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 250 });
  await cdp.send('Profiler.start');
  const result = await during();
  const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: CpuProfile };
  await cdp.detach();
  return { result, profile };
}

/** Every task over the target in the measured burst run, each with what took its time (trace self time): the long ones named without a profiler's overhead. */
function printLongTasks(events: TraceEvent[], all: Task[], burstAt: number | null): void {
  const long = all.filter((t) => t.ms > TASK_TARGET);
  if (!long.length) return;
  const rows: Cell[][] = long.map((t) => {
    const act = [...activities(events, t.start, t.start + t.ms * 1000).entries()].sort((x, y) => y[1] - x[1]).slice(0, 3);
    return [fixed((t.start - (burstAt ?? t.start)) / 1000, 0), fixed(t.ms, 1), fixed(t.cpuMs, 1), t.kind, act.map(([k, v]) => `${k.replace(/^[^:]*: /, '')} ${fixed(v, 1)}`).join(', ')];
  });
  say(`\nThe ${long.length} tasks over ${TASK_TARGET} ms in the measured burst run (trace, no profiler)\n`);
  say(textTable(['ms after the burst call', 'ms', 'CPU ms', 'task', 'its largest activities (self ms)'], rows));
}

function printActivities(title: string, events: TraceEvent[], from: number, to: number, frames: number): void {
  const act = activities(events, from, to);
  const kinds = new Map<string, number>();
  for (const [k, v] of act) kinds.set(k.split(':')[0], (kinds.get(k.split(':')[0]) ?? 0) + v);
  const total = [...kinds.values()].reduce((a, b) => a + b, 0);
  say(`\n${title}: ${fixed(total / frames, 1)} ms/frame on the main thread — ${[...kinds.entries()].sort((x, y) => y[1] - x[1]).map(([k, v]) => `${k} ${fixed(v / frames, 1)}`).join(', ')}\n`);
  say(textTable(['main-thread activity (trace, self time)', 'ms/frame'], [...act.entries()].filter(([, v]) => v / frames >= 0.05).sort((x, y) => y[1] - x[1]).slice(0, 12).map(([k, v]) => [k, fixed(v / frames, 2)])));
}

/** The idle page's frame clock, then ~1,000 messages in flight (profiled when the target is missed or asked). */
async function steadyScenario(browser: Browser, url: string, errors: string[], name: Resolve): Promise<{ idle: FrameFigures; steady: FrameFigures; fpsOk: boolean }> {
  // -- 0. the frame clock of an idle page, for reference
  const page = await openPage(browser, url, errors);
  await sleep(300);
  await record(page, true);
  await sleep(1000);
  await record(page, false);
  const idle = frameFigures(await readBench(page));
  log(`idle page: ${fixed(idle.fps, 1)} fps`);

  // -- 1. ~1,000 messages in flight
  await startSteadyProducer(page);
  await sleep(WARMUP_MS);
  await record(page, true);
  await sleep(MEASURE_MS);
  await record(page, false);
  const steady = frameFigures(await readBench(page));
  const fpsOk = steady.fps >= FPS_TARGET * FPS_SLACK;
  log(`1,000 in flight: ${fixed(steady.fps, 1)} fps, ${int(steady.inFlightMean)} flights drawn`);
  if (PROFILE === 'always' || (PROFILE === 'auto' && !fpsOk)) {
    // The same page, still at ~1,000 in flight.
    log('profiling ~1,000 in flight');
    await instrument(page);
    await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
    await record(page, true);
    const { profile } = await cpuProfile(page, () => sleep(2500));
    await record(page, false);
    const tr = mainThread(await browser.stopTracing());
    const b = await readBench(page);
    const ff = frameFigures(b);
    say(`\n=== Where the time goes: ~${int(ff.inFlightMean)} in flight (profiled for 2.5 s: ${ff.frames} frames at ${fixed(ff.fps, 1)} fps)`);
    printActivities('Main thread per frame', tr, tr[0]?.ts ?? 0, tr.at(-1)?.ts ?? 0, ff.frames);
    say(`\n  script per frame: ${fixed(ff.scriptMean, 2)} ms, of which Svelte's flush after the rAF callback ${fixed(ff.flushMean, 2)} ms`);
    printTimers('Per-frame work, instrumented', b.timers, { label: 'frame', n: ff.frames });
    printProfile('Frames with ~1,000 in flight', summarize(profile, name), { label: 'frame', n: ff.frames });
    const slow = tasks(tr, null)
      .filter((t) => t.kind === 'frame' && t.start >= profile.startTime && t.start + t.ms * 1000 <= profile.endTime)
      .sort((x, y) => y.ms - x.ms)[0];
    if (slow) {
      const w = { from: slow.start, to: slow.start + slow.ms * 1000 };
      printActivities(`The longest frame while profiled: ${fixed(slow.ms, 1)} ms`, tr, w.from, w.to, 1);
      printProfile('  the script in that frame', summarize(profile, name, w), null, 10);
    }
  }
  await page.close();
  return { idle, steady, fpsOk };
}

/** The table's rows for the idle page and ~1,000 in flight. */
function steadyRows(idle: FrameFigures, steady: FrameFigures, fpsOk: boolean): Cell[][] {
  const pf = (ok: boolean) => (ok ? 'pass' : 'FAIL');
  return [
    ['idle page (reference): frames per second', fixed(idle.fps, 1), '', ''],
    [`1. ~${int(FLIGHTS)} in flight: frames per second over ${MEASURE_MS / 1000} s`, fixed(steady.fps, 1), `≥ ${FPS_TARGET}`, pf(fpsOk)],
    ['   frame time p50 / p95 / max, ms', `${fixed(steady.p50, 1)} / ${fixed(steady.p95, 1)} / ${fixed(steady.max, 1)}`, `p95 ≤ ${fixed(1000 / FPS_TARGET, 1)}`, pf(steady.p95 <= (1000 / FPS_TARGET) * 1.1)],
    ['   5th-percentile frames per second (1000 / p95 frame time)', fixed(1000 / steady.p95, 1), '', ''],
    ['   flights drawn per frame: mean (min–max)', `${int(steady.inFlightMean)} (${int(steady.inFlightMin)}–${int(steady.inFlightMax)})`, `~${int(FLIGHTS)}`, pf(steady.inFlightMean >= FLIGHTS * 0.8)],
    ['   projection.flights.length (incl. scheduled hops), mean', int(steady.arrayMean), '', ''],
    ['   script per frame: rAF callback + Svelte flush, mean / max, ms', `${fixed(steady.scriptMean, 2)} / ${fixed(steady.scriptMax, 2)}`, '', ''],
  ];
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set WARREN_CHROMIUM)`);
  const outDir = mkdtempSync(join(tmpdir(), 'warren-ui-bench-'));
  let server: PreviewServer | null = null;
  let browser: Browser | null = null;
  const errors: string[] = [];
  try {
    log('vite build');
    await build({ root: ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true, minify: false, sourcemap: true, reportCompressedSize: false } });
    server = await preview({ root: ROOT, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false } });
    const address = server.httpServer.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    const version = browser.version();
    log(`Chromium ${version} on ${url}`);
    const name = await resolver(outDir);

    const steadyRun = BURST_ONLY ? null : await steadyScenario(browser, url, errors, name);

    // -- 2. a burst of 10,000
    let page = await burstPage(browser, url, errors);
    await browser.startTracing(undefined, { categories: SAVE_TRACE ? [...TRACE_CATEGORIES, 'disabled-by-default-v8.cpu_profiler', 'disabled-by-default-devtools.timeline.invalidationTracking'] : TRACE_CATEGORIES });
    // Starting V8's sampler is a ~50 ms task of its own: let it pass before the page records.
    if (SAVE_TRACE) await sleep(500);
    await record(page, true);
    const call = await withTimeout(burst(page), BURST_CAP_MS);
    const burstMs = call === 'timeout' ? Infinity : call;
    let trace: TraceEvent[] = [];
    let after: BenchState = { recording: false, frames: [], flights: [], longtasks: [], timers: {} };
    if (call === 'timeout') {
      // The page is stuck in the burst: drop its context (and renderer) so that it stops using a CPU.
      log(`burst: still running after ${BURST_CAP_MS / 1000} s, abandoned`);
      await withTimeout(page.context().close().catch(() => {}), 5000);
      await withTimeout(browser.stopTracing().catch(() => Buffer.alloc(0)), 10_000);
    } else {
      await sleep(DRAIN_MS);
      await record(page, false);
      const raw = await browser.stopTracing();
      if (SAVE_TRACE) writeFileSync(SAVE_TRACE, raw);
      trace = mainThread(raw);
      after = await readBench(page);
      await page.close();
    }
    const afterFrames = frameFigures(after);
    const from = markTime(trace, 'warren-burst-start');
    const to = markTime(trace, 'warren-burst-end');
    const all = tasks(trace, from !== null && to !== null ? { from, to } : null);
    const longest = (kind?: string) => (call === 'timeout' && kind !== 'frame' ? Infinity : Math.max(0, ...all.filter((t) => !kind || t.kind === kind).map((t) => t.ms)));
    const over = all.filter((t) => t.ms > TASK_TARGET);
    const longtaskMax = Math.max(0, ...after.longtasks.map((l) => l.duration));
    const taskOk = longest() <= TASK_TARGET && burstMs <= TASK_TARGET;
    log(`burst: call ${fixed(burstMs, 0)} ms, longest task ${fixed(longest(), 0)} ms`);
    printLongTasks(trace, all, from);

    if (PROFILE === 'always' || (PROFILE === 'auto' && !taskOk)) {
      // A long burst costs the same per message: profile a smaller one then (the run stays short).
      const size = burstMs > 5000 ? 1000 : BURST;
      log(`profiling a burst of ${int(size)}`);
      page = await burstPage(browser, url, errors);
      await instrument(page);
      await browser.startTracing(undefined, { categories: TRACE_CATEGORIES });
      const { result, profile } = await cpuProfile(page, async () => {
        const ms = await burst(page, size);
        // The timers as the burst call left them (a frame may have run since: its tick is in them).
        const callTimers = (await readBench(page)).timers;
        await record(page, true);
        await sleep(DRAIN_MS);
        await record(page, false);
        return { ms, callTimers };
      });
      const ptrace = mainThread(await browser.stopTracing());
      const b = await readBench(page);
      await page.close();
      const ff = frameFigures(b);
      const pfrom = markTime(ptrace, 'warren-burst-start');
      const pto = markTime(ptrace, 'warren-burst-end');
      const ptasks = tasks(ptrace, pfrom !== null && pto !== null ? { from: pfrom, to: pto } : null);
      const callTask = ptasks.find((t) => t.kind === 'burst call');
      say(`\n=== Where the time goes: a burst of ${int(size)}${size !== BURST ? ` (profiled instead of ${int(BURST)}: past the first few hundred messages each costs the same)` : ''}, instrumented and profiled`);
      printTimers(`The burst call (${fixed(result.ms, 1)} ms; its task ${callTask ? fixed(callTask.ms, 1) : '?'} ms)`, result.callTimers, null);
      if (callTask) printProfile('The burst call', summarize(profile, name, { from: callTask.start, to: callTask.start + callTask.ms * 1000 }), null, 12);
      const frameTasks = ptasks.filter((t) => t.kind === 'frame' && t.start > (pto ?? 0));
      if (frameTasks.length) {
        const end = ptrace.at(-1)!.ts;
        printActivities(`The ${frameTasks.length} frames after the burst (trace; the longest ${fixed(Math.max(...frameTasks.map((t) => t.ms)), 1)} ms, ${frameTasks.filter((t) => t.ms > TASK_TARGET).length} over ${TASK_TARGET} ms)`, ptrace, pto ?? 0, end, frameTasks.length);
        for (const t of [...frameTasks].sort((x, y) => y.ms - x.ms).slice(0, 4)) {
          const w = { from: t.start, to: t.start + t.ms * 1000 };
          printActivities(`One frame of ${fixed(t.ms, 1)} ms, ${fixed((t.start - (pto ?? 0)) / 1000, 0)} ms after the burst call`, ptrace, w.from, w.to, 1);
          printProfile(`  the script in that frame`, summarize(profile, name, w), null, 10);
        }
      }
      for (const k of Object.keys(b.timers)) {
        const c = result.callTimers[k];
        if (c) b.timers[k] = { ms: b.timers[k].ms - c.ms, calls: b.timers[k].calls - c.calls, max: b.timers[k].max };
      }
      printTimers(`The ${ff.frames} frames after the burst (longest call may be the burst's)`, b.timers, { label: 'frame', n: ff.frames });
      say(`\n  script per frame: mean ${fixed(ff.scriptMean, 1)} ms (Svelte's flush ${fixed(ff.flushMean, 1)} ms), longest ${fixed(ff.scriptMax, 1)} ms; ${fixed(ff.fps, 1)} fps`);
      if (pto !== null) printProfile(`The ${fixed(DRAIN_MS / 1000, 1)} s after the burst`, summarize(profile, name, { from: pto, to: ptrace.at(-1)!.ts }), { label: 'frame', n: ff.frames });
    }

    // -- the figures
    const pf = (ok: boolean) => (ok ? 'pass' : 'FAIL');
    const ms = (x: number) => (Number.isFinite(x) ? `${fixed(x, 1)} ms` : `> ${int(BURST_CAP_MS)} ms`);
    const rows: Cell[][] = [
      ...(steadyRun ? steadyRows(steadyRun.idle, steadyRun.steady, steadyRun.fpsOk) : []),
      [`2. burst of ${int(BURST)}: the publishing call (agents.start)`, ms(burstMs), `≤ ${TASK_TARGET} ms`, pf(burstMs <= TASK_TARGET)],
      ['   the call per message', Number.isFinite(burstMs) ? `${fixed((burstMs / BURST) * 1000, 0)} µs` : `> ${int((BURST_CAP_MS / BURST) * 1000)} µs`, '', ''],
      ['   longest main-thread task (trace)', ms(longest()), `≤ ${TASK_TARGET} ms`, pf(longest() <= TASK_TARGET)],
      ...(call === 'timeout'
        ? [[`   (the page was abandoned after ${int(BURST_CAP_MS / 1000)} s: no figures for the frames after the burst)`, '', '', '']]
        : [
            ['   of which: the burst call / the longest animation frame', `${ms(longest('burst call'))} / ${ms(longest('frame'))}`, '', ''],
            [`   tasks over ${TASK_TARGET} ms / over 50 ms (burst + ${fixed(DRAIN_MS / 1000, 1)} s)`, `${over.length} / ${all.filter((t) => t.ms > 50).length}`, '0', pf(over.length === 0)],
            ["   'longtask' entries (≥ 50 ms): count / longest", `${after.longtasks.length} / ${ms(longtaskMax)}`, '', ''],
            [`   main-thread CPU time (no preemption): longest task / tasks over ${TASK_TARGET} ms`, `${ms(Math.max(0, ...all.map((t) => t.cpuMs).filter((x) => !Number.isNaN(x))))} / ${all.filter((t) => t.cpuMs > TASK_TARGET).length}`, '', ''],
            ['   frames per second while the burst flies', fixed(afterFrames.fps, 1), '', ''],
          ]),
    ];
    const load = loadavg()[0];
    console.log(`\nThe sandbox page in headless Chromium ${version} (1280×720, --disable-gpu), built by vite (not minified); load ${fixed(load, 1)} on ${cpus().length} CPUs${load > cpus().length ? ' (busy machine: figures are pessimistic)' : ''}\n`);
    console.log(textTable(['measurement', 'figure', 'target', ''], rows));
    if (findings.length) console.log(findings.join('\n'));
    if (errors.length) console.log(`\npage errors:\n${[...new Set(errors)].map((e) => `  ${e}`).join('\n')}`);
    log('done');
    if (STRICT && !((steadyRun?.fpsOk ?? true) && taskOk)) process.exitCode = 1;
  } finally {
    await browser?.close();
    await server?.close();
    if (KEEP) console.error(`build kept in ${outDir}`);
    else rmSync(outDir, { recursive: true, force: true });
  }
}

await main();
