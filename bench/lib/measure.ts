/** Timing helpers: warm-up, fixed-length rounds, median. */
import { performance } from 'node:perf_hooks';

/**
 * The clock rounds are timed with, in ms: wall-clock time, or with
 * WARREN_BENCH_CLOCK=cpu (bench/ab.ts sets it) the process's CPU time, which
 * other processes' time slices on a shared machine do not inflate.
 */
export const now: () => number =
  process.env.WARREN_BENCH_CLOCK === 'cpu'
    ? () => {
        const u = process.cpuUsage();
        return (u.user + u.system) / 1000;
      }
    : () => performance.now();

export interface Rate {
  /** Median operations per second over the measured rounds. */
  median: number;
  min: number;
  max: number;
  rounds: number[];
  /** Operations per round. */
  batch: number;
}

export interface RateOptions {
  /** Measured rounds (default 5); the median is reported. */
  rounds?: number;
  /** Target length of one round in ms (default 250). */
  roundMs?: number;
  /** Minimum warm-up time in ms before measuring (default 300). */
  warmupMs?: number;
}

const gcFn: (() => void) | undefined = (globalThis as { gc?: () => void }).gc;

/** A full collection when node runs with --expose-gc (npm run bench does). */
export function collect(): void {
  if (gcFn) {
    gcFn();
    gcFn();
  }
}

export function hasGc(): boolean {
  return gcFn !== undefined;
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Runs `op(n)` (n operations) repeatedly: first a warm-up that also sizes
 * the batch so one round lasts about `roundMs`, then `rounds` timed rounds.
 */
export function measureRate(op: (n: number) => void, options: RateOptions = {}): Rate {
  const rounds = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 250;
  const warmupMs = options.warmupMs ?? 300;
  collect();
  const warmUntil = now() + warmupMs;
  let n = 16;
  let elapsed: number;
  for (;;) {
    const t = now();
    op(n);
    elapsed = now() - t;
    if (elapsed >= 40 && now() >= warmUntil) break;
    if (elapsed < 40) n *= 2;
  }
  const batch = Math.max(1, Math.round((n * roundMs) / elapsed));
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t = now();
    op(batch);
    const dt = now() - t;
    rates.push((batch * 1000) / dt);
  }
  return { median: median(rates), min: Math.min(...rates), max: Math.max(...rates), rounds: rates, batch };
}

/** Median duration in ms of `rounds` runs of `fn` (after `warmup` unmeasured runs). */
export function measureTime(fn: () => void, rounds = 5, warmup = 1): { median: number; min: number; max: number } {
  for (let i = 0; i < warmup; i++) fn();
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    collect();
    const t = now();
    fn();
    times.push(now() - t);
  }
  return { median: median(times), min: Math.min(...times), max: Math.max(...times) };
}

export interface Paired {
  a: Rate;
  b: Rate;
  /** b ÷ a for each pair of neighbouring rounds. */
  ratios: number[];
  /** The median of `ratios`. */
  ratio: number;
}

/** A workload set up and ready: `trips(n)` runs n operations, `verify()` checks it did what it claims. */
export interface Runner {
  trips: (n: number) => void;
  verify: () => void;
}

/**
 * Two set-ups of one workload compared in one process: A and B alternate
 * (A B, B A, A B…), each round on a fresh set-up made untimed after a full
 * collection, so only one of them holds memory at a time. Both run the same
 * compiled functions, so whatever mode the JIT landed in holds for both,
 * and the ratio says what B's set-up costs against A's. The batch of each
 * side is sized by a warm-up so that one of its rounds lasts about `roundMs`.
 */
export function measurePaired(makeA: () => Runner, makeB: () => Runner, options: RateOptions = {}): Paired {
  const pairs = options.rounds ?? 5;
  const roundMs = options.roundMs ?? 250;
  const warmupMs = options.warmupMs ?? 300;
  const batchOf = (make: () => Runner): number => {
    const run = make();
    collect();
    const warmUntil = now() + warmupMs;
    let n = 16;
    for (;;) {
      const t = now();
      run.trips(n);
      const elapsed = now() - t;
      if (elapsed >= 40 && now() >= warmUntil) {
        run.verify();
        return Math.max(1, Math.round((n * roundMs) / elapsed));
      }
      if (elapsed < 40) n *= 2;
    }
  };
  const batchA = batchOf(makeA);
  const batchB = batchOf(makeB);
  const round = (make: () => Runner, batch: number): number => {
    const run = make();
    collect();
    const t = now();
    run.trips(batch);
    const dt = now() - t;
    run.verify();
    return (batch * 1000) / dt;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let p = 0; p < pairs; p++) {
    if (p % 2 === 0) {
      a.push(round(makeA, batchA));
      b.push(round(makeB, batchB));
    } else {
      b.push(round(makeB, batchB));
      a.push(round(makeA, batchA));
    }
  }
  const rate = (rs: number[], batch: number): Rate => ({ median: median(rs), min: Math.min(...rs), max: Math.max(...rs), rounds: rs, batch });
  const ratios = a.map((x, i) => b[i] / x);
  return { a: rate(a, batchA), b: rate(b, batchB), ratios, ratio: median(ratios) };
}
