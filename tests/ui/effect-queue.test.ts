import { describe, expect, it } from 'vitest';
import { EffectQueue } from '../../src/ui/model/effect-queue.ts';

describe('EffectQueue', () => {
  it('runs effects in time order, ties in the order scheduled, only those due', () => {
    const q = new EffectQueue();
    const ran: string[] = [];
    const times = [50, 10, 30, 10, 70, 30, 10, 90, 20];
    times.forEach((at, i) => q.add(at, () => ran.push(`${at}#${i}`)));
    expect(q.runDue(30)).toBe(6);
    expect(ran).toEqual(['10#1', '10#3', '10#6', '20#8', '30#2', '30#5']);
    expect([q.size, q.nextAfter(30)]).toEqual([3, 50]);
    expect(q.runDue(100)).toBe(3);
    expect(ran.slice(6)).toEqual(['50#0', '70#4', '90#7']);
    expect(q.nextAfter(0)).toBe(Infinity);
  });

  it('keeps order over many effects scheduled out of order, and runs what an effect schedules for now', () => {
    const q = new EffectQueue();
    const ran: number[] = [];
    let x = 7;
    const ats: number[] = [];
    for (let i = 0; i < 5000; i++) {
      x = (x * 48271) % 2147483647;
      const at = x % 1000;
      ats.push(at);
      q.add(at, () => ran.push(at));
    }
    q.add(500, () => q.add(500, () => ran.push(-1)));
    q.runDue(999);
    expect(ran.filter((a) => a >= 0)).toEqual([...ats].sort((a, b) => a - b));
    expect(ran.indexOf(-1)).toBeGreaterThan(ran.lastIndexOf(500));
    expect(ran.indexOf(-1)).toBeLessThan(ran.indexOf(501) === -1 ? Infinity : ran.indexOf(501));
  });
});
