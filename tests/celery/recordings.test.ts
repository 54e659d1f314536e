/**
 * Warren's Celery layer against real Celery 5 on real RabbitMQ: every case
 * of fixtures/celery-recordings.json (made by fixtures/record_celery.py
 * with Debian's python3-celery) replayed on the sandbox. For each send:
 * the routing options Celery's router produced (keys in Celery's order),
 * the exception, every declare / bind / publish, and every message that
 * landed — queue, exchange, routing key, properties, headers, body bytes.
 */
import { describe, expect, it } from 'vitest';
import { SETTING_NAMES } from '../../src/celery/setting-names.ts';
import { RECORDINGS, recordedCalls, replay, type Recording } from './replay.ts';

/**
 * Queue.bindings is a set in kombu: a queue's extra bindings go out in no
 * particular order. Calls compare as the same sequence of methods and the
 * same calls.
 */
function sameCalls(ours: unknown[], recorded: unknown[]): void {
  const methods = (calls: unknown[]) => calls.map((c) => (c as { method: string }).method);
  expect(methods(ours)).toEqual(methods(recorded));
  const sorted = (calls: unknown[]) => calls.map((c) => JSON.stringify(c)).sort();
  expect(sorted(ours)).toEqual(sorted(recorded));
}

function keysDeep(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(keysDeep);
  if (v && typeof v === 'object') return Object.entries(v).map(([k, x]) => [k, keysDeep(x)]);
  return v;
}

describe('the recordings', () => {
  it('cover at least 40 configurations × tasks, including every kind the issue names', () => {
    const sends = RECORDINGS.cases.flatMap((c) => c.sends);
    expect(sends.length).toBeGreaterThanOrEqual(40);
    const ids = RECORDINGS.cases.map((c) => c.id);
    for (const kind of ['seed-', 'router-', 'routes-glob', 'routes-regex', 'options-', 'priority-', 'missing-queue', 'broadcast', 'beat']) {
      expect(ids.some((id) => id.includes(kind)), kind).toBe(true);
    }
    expect(RECORDINGS.celery).toBe('5.2.6');
  });

  it("hold Celery 5.2.6's table of setting names, which config.ts uses", () => {
    expect(SETTING_NAMES.map(([n, o]) => [n, o])).toEqual(RECORDINGS.settings);
  });
});

describe.each(RECORDINGS.cases.map((c) => [`${c.id}: ${c.title}`, c] as const))('%s', (_title, c: Recording) => {
  const ours = replay(c);

  it('loads, or fails to load, as Celery does', () => {
    expect(ours.load).toEqual(c.load);
  });

  if (!('ok' in c.load)) return;

  if (c.workers) {
    it('starts workers that declare what celery worker declares', () => {
      expect(ours.worker_amqp).toEqual(recordedCalls(c.worker_amqp ?? []));
    });
  }

  c.sends.forEach((s, i) => {
    const label = `${s.via} ${s.task}${Object.keys(s.options).length ? ` ${JSON.stringify(s.options)}` : ''}${s.beat ? ` (beat entry ${s.beat})` : ''}`;
    it(`send ${i}: ${label} — routes, declares, publishes${s.error ? ' and fails' : ''} as Celery did`, () => {
      const o = ours.sends[i];
      expect(o.via).toBe(s.via);
      expect(o.error).toEqual(s.error);
      expect(o.route).toEqual(s.route);
      expect(keysDeep(o.route)).toEqual(keysDeep(s.route));
      sameCalls(o.amqp, recordedCalls(s.amqp));
    });
  });

  it('leaves the same messages in the same queues, in the same order', () => {
    expect(ours.queues).toEqual(c.queues);
    expect(ours.landed).toEqual(c.landed);
  });
});
