import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.ts';

describe('VirtualClock', () => {
  it('fires timers in time order, ties in the order they were set, at their own time', () => {
    const clock = new VirtualClock(1000);
    const fired: Array<[string, number]> = [];
    clock.setTimer(1300, () => fired.push(['c', clock.now]));
    clock.setTimer(1100, () => fired.push(['a', clock.now]));
    clock.setTimer(1100, () => fired.push(['b', clock.now]));
    clock.advance(250);
    expect(fired).toEqual([
      ['a', 1100],
      ['b', 1100],
    ]);
    expect(clock.now).toBe(1250);
    clock.advance(100);
    expect(fired.at(-1)).toEqual(['c', 1300]);
  });

  it('runs timers that timers set, if they fall inside the advance', () => {
    const clock = new VirtualClock(0);
    const fired: number[] = [];
    clock.setTimer(10, () => {
      fired.push(clock.now);
      clock.setTimer(clock.now + 10, () => fired.push(clock.now));
    });
    clock.advance(25);
    expect(fired).toEqual([10, 20]);
  });

  it('never fires a cancelled timer and refuses to go backwards', () => {
    const clock = new VirtualClock(0);
    let fired = false;
    clock.cancel(clock.setTimer(5, () => (fired = true)));
    clock.advance(10);
    expect(fired).toBe(false);
    expect(() => clock.advance(-1)).toThrow(RangeError);
  });
});

describe('VirtualClock under a budget', () => {
  const schedule = (clock: VirtualClock, fired: Array<[string, number]>) => {
    clock.setTimer(10, () => fired.push(['a', clock.now]));
    clock.setTimer(10, () => {
      fired.push(['b', clock.now]);
      // Work at the same instant, set by a timer: it runs after what was already due.
      clock.setTimer(clock.now, () => fired.push(['b2', clock.now]));
    });
    clock.setTimer(20, () => fired.push(['c', clock.now]));
    clock.setTimer(40, () => fired.push(['d', clock.now]));
  };

  it('stops between timers when told to, stays at the last fired time, and goes on in the same order', () => {
    const whole = new VirtualClock(0);
    const all: Array<[string, number]> = [];
    schedule(whole, all);
    expect(whole.advance(30)).toBe(true);
    expect(whole.now).toBe(30);

    const sliced = new VirtualClock(0);
    const got: Array<[string, number]> = [];
    schedule(sliced, got);
    const calls: boolean[] = [];
    for (;;) {
      const done = sliced.advanceTo(30, () => true);
      calls.push(done);
      if (done) break;
      // Time stands at the timer that fired last, not at the target.
      expect(sliced.now).toBe(got.at(-1)![1]);
    }
    expect(calls).toEqual([false, false, false, true]);
    expect(got).toEqual(all);
    expect(got).toEqual([
      ['a', 10],
      ['b', 10],
      ['b2', 10],
      ['c', 20],
    ]);
    expect(sliced.now).toBe(30);
  });

  it('reports done when the last due timer fired, even if the budget is spent', () => {
    const clock = new VirtualClock(0);
    clock.setTimer(5, () => {});
    expect(clock.advance(10, () => true)).toBe(true);
    expect(clock.now).toBe(10);
    expect(clock.runDue(() => true)).toBe(true);
  });
});
