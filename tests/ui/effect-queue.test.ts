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

  it('runs an effect scheduled for an earlier time than the rest of its instant before them, as the order of times says', () => {
    const q = new EffectQueue();
    const ran: string[] = [];
    q.add(20, () => {
      ran.push('20a');
      q.add(10, () => ran.push('10 (late)'));
      q.add(20, () => ran.push('20c'));
    });
    q.add(20, () => ran.push('20b'));
    q.add(30, () => ran.push('30'));
    expect(q.runDue(20)).toBe(4);
    expect(ran).toEqual(['20a', '10 (late)', '20b', '20c']);
    expect([q.size, q.nextAfter(20)]).toEqual([1, 30]);
    q.add(20, () => ran.push('20d'));
    expect(q.runDue(25)).toBe(1);
    expect(ran.at(-1)).toBe('20d');
  });

  it('runs ten thousand effects of one instant in order', () => {
    const q = new EffectQueue();
    const ran: number[] = [];
    for (let i = 0; i < 10_000; i++) q.add(600, () => ran.push(i));
    q.add(300, () => ran.push(-1));
    expect(q.runDue(600)).toBe(10_001);
    expect(ran).toEqual([-1, ...Array.from({ length: 10_000 }, (_, i) => i)]);
    expect(q.size).toBe(0);
  });
});
