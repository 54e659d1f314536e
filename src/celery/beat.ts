/**
 * celery beat on the virtual clock: beat_schedule's entries (task,
 * schedule, args, kwargs, options), each sent when its schedule says, the
 * way celery.beat.Scheduler.apply_async sends it — through apply_async for
 * a task the configuration defines, app.send_task otherwise, with the
 * entry's options as the call's options (so an entry's 'exchange' alone
 * does not make a broadcast: the message still goes to the default
 * queue, exactly as in Celery).
 *
 * An entry first runs at the first scheduled time after beat starts (its
 * last run counts as "now", as a new entry's does in Celery), then after
 * each run. A crontab fires on whole minutes (crontab.ts), a number or a
 * timedelta every so many seconds.
 */
import type { Timer } from '../core/clock.ts';
import type { Broker } from '../core/broker.ts';
import type { CeleryApp } from './app.ts';
import { scheduleOf, type PyCrontab, type PyIntervalSchedule } from './crontab.ts';
import { iterate } from './python/builtins.ts';
import { PyException, pyError } from './python/errors.ts';
import { PyDict, PyList, repr, typeName, type PyValue } from './python/values.ts';
import type { CeleryProducer, SendResult } from './producer.ts';

export interface BeatEntry {
  readonly name: string;
  readonly task: string;
  readonly schedule: PyCrontab | PyIntervalSchedule;
  readonly args: PyList;
  readonly kwargs: PyDict;
  readonly options: PyDict;
}

export interface BeatSend {
  entry: string;
  time: number;
  result: SendResult;
}

/** beat_schedule as entries; a malformed entry raises with the setting's place. */
export function beatEntries(app: CeleryApp): BeatEntry[] {
  const schedule = app.config.get('beat_schedule');
  const pos = app.config.interpreter.globalPositions.get('beat_schedule');
  try {
    if (schedule === null) return [];
    if (!(schedule instanceof PyDict)) throw pyError('TypeError', `beat_schedule must be a dict, not ${typeName(schedule)}`);
    return schedule.items().map(([name, spec]) => {
      if (typeof name !== 'string') throw pyError('TypeError', `beat_schedule keys are entry names (str), not ${typeName(name)}`);
      if (!(spec instanceof PyDict)) throw pyError('TypeError', `beat_schedule[${repr(name)}] must be a dict, not ${typeName(spec)}`);
      const task = spec.get('task');
      if (typeof task !== 'string') throw pyError('KeyError', task === undefined ? `'task' (beat_schedule[${repr(name)}] has no task)` : `'task' must be a str in beat_schedule[${repr(name)}]`);
      const sched = spec.get('schedule');
      if (sched === undefined) throw pyError('KeyError', `'schedule' (beat_schedule[${repr(name)}] has no schedule)`);
      const args: PyValue = spec.get('args') ?? null;
      const kwargs: PyValue = spec.get('kwargs') ?? null;
      const options: PyValue = spec.get('options') ?? null;
      if (kwargs !== null && !(kwargs instanceof PyDict)) throw pyError('TypeError', `beat_schedule[${repr(name)}]['kwargs'] must be a dict`);
      if (options !== null && !(options instanceof PyDict)) throw pyError('TypeError', `beat_schedule[${repr(name)}]['options'] must be a dict`);
      return {
        name,
        task,
        schedule: scheduleOf(sched),
        // celery.beat._evaluate_entry_args: a list, whatever the entry held.
        args: new PyList(args === null ? [] : iterate(args)),
        kwargs: kwargs === null ? new PyDict() : kwargs,
        options: options === null ? new PyDict() : options,
      };
    });
  } catch (e) {
    if (e instanceof PyException && !e.pos && pos) e.pos = pos;
    throw e instanceof PyException ? app.config.interpreter.toConfigError(e, pos) : e;
  }
}

export class CeleryBeat {
  readonly entries: BeatEntry[];
  readonly sent: BeatSend[] = [];
  /** Called after every send. */
  onSend: ((s: BeatSend) => void) | null = null;
  private readonly timers = new Map<string, Timer>();
  private readonly lastRun = new Map<string, number>();
  private running = false;

  constructor(
    private readonly producer: CeleryProducer,
    private readonly broker: Broker,
  ) {
    this.entries = beatEntries(producer.app);
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Starts beat now: every entry's first run is its first scheduled time from now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const e of this.entries) {
      this.lastRun.set(e.name, this.broker.now);
      this.schedule(e);
    }
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers.values()) this.broker.clock.cancel(t);
    this.timers.clear();
  }

  /** When an entry runs next (ms), or null. */
  nextRun(name: string): number | null {
    const e = this.entries.find((x) => x.name === name);
    if (!e) return null;
    return e.schedule.next(this.lastRun.get(name) ?? this.broker.now);
  }

  private schedule(e: BeatEntry): void {
    const at = e.schedule.next(this.lastRun.get(e.name)!);
    if (at === null) return;
    this.timers.set(
      e.name,
      this.broker.clock.setTimer(at, () => {
        this.timers.delete(e.name);
        if (!this.running) return;
        this.lastRun.set(e.name, at);
        this.apply(e.name, at);
        this.schedule(e);
      }),
    );
  }

  /** Sends an entry's task now, as Scheduler.apply_async does. */
  apply(name: string, time = this.broker.now, taskId?: string): SendResult {
    const e = this.entries.find((x) => x.name === name);
    if (!e) throw new Error(`no beat_schedule entry named '${name}'`);
    const result = this.producer.send(e.task, { args: e.args, kwargs: e.kwargs, options: e.options.copy(), ...(taskId ? { taskId } : {}) }, 'beat');
    const s = { entry: name, time, result };
    this.sent.push(s);
    this.onSend?.(s);
    return result;
  }
}
