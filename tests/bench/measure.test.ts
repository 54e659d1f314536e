/**
 * The paired measurement behind the backlog ratio (bench/lib/measure.ts):
 * A and B alternate on fresh set-ups, one at a time, and the ratio is B's
 * rate over A's.
 */
import { describe, expect, it } from 'vitest';
import { measurePaired, type Runner } from '../../bench/lib/measure.ts';

/** A workload whose operations each spin for `cost` iterations; it records what was made and run. */
function workload(cost: number, log: string[], name: string) {
  let live = 0;
  let maxLive = 0;
  const make = (): Runner => {
    live++;
    maxLive = Math.max(maxLive, live);
    log.push(name);
    let ran = 0;
    return {
      trips: (n) => {
        let x = 0;
        for (let i = 0; i < n * cost; i++) x += i & 1;
        ran += n + (x < 0 ? 1 : 0);
      },
      verify: () => {
        expect(ran).toBeGreaterThan(0);
        live--;
      },
    };
  };
  return { make, maxLive: () => maxLive };
}

describe('measurePaired', () => {
  const fast = { rounds: 3, roundMs: 20, warmupMs: 20 };

  it('alternates A and B, each round on a fresh set-up, and pairs neighbouring rounds', () => {
    const log: string[] = [];
    const a = workload(200, log, 'A');
    const b = workload(200, log, 'B');
    const pair = measurePaired(a.make, b.make, fast);
    // Two warm-ups (A then B), then A B, B A, A B.
    expect(log).toEqual(['A', 'B', 'A', 'B', 'B', 'A', 'A', 'B']);
    expect(pair.ratios).toHaveLength(3);
    expect(pair.a.rounds).toHaveLength(3);
    expect(a.maxLive()).toBe(1);
    expect(b.maxLive()).toBe(1);
  });

  it('says how much slower B is than A', () => {
    const a = workload(200, [], 'A');
    const b = workload(3200, [], 'B');
    const pair = measurePaired(a.make, b.make, fast);
    // B costs 16 times as much per operation (a margin that no machine's noise closes).
    expect(pair.ratio).toBeGreaterThan(0);
    expect(pair.ratio).toBeLessThan(0.5);
    expect(pair.ratio).toBe([...pair.ratios].sort((x, y) => x - y)[1]);
  });
});
