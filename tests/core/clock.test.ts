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
