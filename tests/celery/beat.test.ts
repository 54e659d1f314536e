import { describe, expect, it } from 'vitest';
import { makeCrontab } from '../../src/celery/crontab.ts';
import { CelerySandbox, ConfigError } from '../../src/celery/index.ts';
import { PyException } from '../../src/celery/python/errors.ts';
import { RECORDINGS } from './replay.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');

describe('crontab', () => {
  it.each(RECORDINGS.crontab.map((c) => [c.repr, c] as const))('%s fires when Celery 5 says', (_r, c) => {
    const cron = makeCrontab([], new Map(Object.entries(c.crontab)));
    expect(cron.repr()).toBe(c.repr);
    const times: string[] = [];
    let last = Date.parse(c.after);
    for (let k = 0; k < c.next.length; k++) {
      last = cron.next(last)!;
      times.push(iso(last));
    }
    expect(times).toEqual(c.next);
  });

  it('requires day of month and day of week to match together (Celery, unlike cron)', () => {
    const cron = makeCrontab([], new Map<string, string | number>([['minute', 0], ['hour', 0], ['day_of_month', '13'], ['day_of_week', 'fri']]));
    expect(iso(cron.next(Date.UTC(2026, 0, 1))!)).toBe('2026-02-13T00:00:00Z');
  });

  it('answers impossible dates with null instead of searching for ever', () => {
    const cron = makeCrontab([], new Map<string, string | number>([['day_of_month', '31'], ['month_of_year', '2']]));
    expect(cron.next(Date.UTC(2026, 0, 1))).toBeNull();
  });

  it.each([
    [{ minute: '61' }, 'ValueError', 'Invalid end range: 61 > 59.'],
    [{ hour: '*/0' }, 'ValueError', 'slice step cannot be zero'],
    [{ day_of_week: 'funday' }, 'ValueError', "Invalid weekday literal 'funday'."],
    [{ minute: '1,,2' }, 'ParseException', 'empty part'],
    [{ minute: 60 }, 'ValueError', "Invalid crontab pattern.  Valid range is 0-59. '60' was found."],
  ])('refuses %j with Celery’s error', (fields, type, message) => {
    let err: unknown;
    try {
      makeCrontab([], new Map(Object.entries(fields)));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PyException);
    expect([(err as PyException).type, (err as PyException).detail]).toEqual([type, message]);
  });
});

const SEED_BEAT = [
  'from kombu.common import Broadcast',
  'from celery.schedules import crontab',
  '',
  "app.conf.task_queues = (Broadcast('broadcast_tasks'),)",
  '',
  'app.conf.beat_schedule = {',
  "    'test-task': {",
  "        'task': 'tasks.reload_cache',",
  "        'schedule': crontab(minute=0, hour='*/3'),",
  "        'options': {'exchange': 'broadcast_tasks'}",
  '    },',
  '}',
  '',
].join('\n');

describe('celery beat on the virtual clock', () => {
  it("sends the seed's entry every three hours — to the default queue, not the broadcast workers, as Celery does", () => {
    const celery = CelerySandbox.load(SEED_BEAT);
    const w1 = celery.startWorker({ name: 'w1', taskDuration: 10 });
    const w2 = celery.startWorker({ name: 'w2', taskDuration: 10 });
    const beat = celery.startBeat();
    expect(iso(beat.nextRun('test-task')!)).toBe('2026-01-01T03:00:00Z');
    celery.advance(9 * 3600_000 + 1000);
    expect(beat.sent.map((s) => iso(s.time))).toEqual(['2026-01-01T03:00:00Z', '2026-01-01T06:00:00Z', '2026-01-01T09:00:00Z']);
    expect(beat.sent.map((s) => [s.result.exchange, s.result.routing_key, s.result.queues])).toEqual(Array(3).fill(['', 'celery', ['celery']]));
    expect([w1.runs.length, w2.runs.length]).toEqual([0, 0]);
    expect(celery.broker.queues.get('celery')!.messageCount).toBe(3);
  });

  it("reaches every worker once the entry also names the broadcast queue", () => {
    const fixed = SEED_BEAT.replace("'options': {'exchange': 'broadcast_tasks'}", "'options': {'queue': 'broadcast_tasks', 'exchange': 'broadcast_tasks'}");
    const celery = CelerySandbox.load(fixed);
    const w1 = celery.startWorker({ name: 'w1', taskDuration: 10 });
    const w2 = celery.startWorker({ name: 'w2', taskDuration: 10 });
    celery.startBeat();
    celery.advance(3 * 3600_000 + 1000);
    expect([w1.runs.map((r) => r.task), w2.runs.map((r) => r.task)]).toEqual([['tasks.reload_cache'], ['tasks.reload_cache']]);
  });

  it('runs interval schedules (seconds or timedelta) and passes args, kwargs and options through apply_async', () => {
    const config = [
      'from datetime import timedelta',
      'beat_schedule = {',
      "    'often': {'task': 'tasks.add', 'schedule': 30.0, 'args': (16, 16)},",
      "    'defined': {'task': 'tasks.add2', 'schedule': timedelta(minutes=1), 'kwargs': {'x': 1}, 'options': {'priority': 7}},",
      '}',
      "@app.task(name='tasks.add2', queue='adds')",
      'def add2(x=0):',
      '    return x',
      '',
    ].join('\n');
    const celery = CelerySandbox.load(config);
    const beat = celery.startBeat();
    celery.advance(120_000);
    expect(beat.sent.map((s) => [s.entry, s.time - Date.UTC(2026, 0, 1)])).toEqual([
      ['often', 30_000],
      ['defined', 60_000],
      ['often', 60_000],
      ['often', 90_000],
      ['defined', 120_000],
      ['often', 120_000],
    ]);
    const defined = beat.sent.find((s) => s.entry === 'defined')!.result;
    expect([defined.via, defined.queues, defined.priority]).toEqual(['beat', ['adds'], 7]);
    const got = celery.broker.connect().openChannel().basicGet({ queue: 'celery', noAck: true })!;
    expect(got.message.properties.headers?.argsrepr).toBe('[16, 16]');
  });

  it('stops sending when stopped', () => {
    const celery = CelerySandbox.load("beat_schedule = {'e': {'task': 't', 'schedule': 10}}\n");
    const beat = celery.startBeat();
    celery.advance(25_000);
    celery.stopBeat();
    celery.advance(60_000);
    expect(beat.sent).toHaveLength(2);
  });

  it('refuses a malformed schedule with the line that set it', () => {
    const celery = CelerySandbox.load("x = 1\nbeat_schedule = {'e': {'task': 't', 'schedule': 'hourly'}}\n");
    let err: unknown;
    try {
      celery.startBeat();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).message).toBe('line 2, column 1: TypeError: a beat schedule must be a number of seconds, a timedelta, a crontab or a schedule, not str');
  });
});
