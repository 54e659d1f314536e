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
