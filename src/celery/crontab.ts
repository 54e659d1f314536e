/**
 * celery.schedules.crontab and schedule, as Python values, and when they
 * fire next.
 *
 * Fields are parsed as Celery 5.2's crontab_parser parses them ('*', '*\/n',
 * 'a-b', 'a-b/n', lists, wrap-around ranges, weekday names anywhere an
 * int goes), with its error texts. The next run after a previous one is
 * the first whole minute after it whose month, day of month, day of week,
 * hour and minute all match — Celery requires the day of month AND the day
 * of week to match, unlike cron. Times are UTC (the virtual clock's).
 */
import { pyError } from './python/errors.ts';
import { PyFloat, PyList, PyObject, PyTuple, bindArguments, hashKey, numberOf, repr, typeName, type Kwargs, type PyValue } from './python/values.ts';
import { PyTimedelta } from './python/stdlib.ts';

const WEEKDAYS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS = [
  ['minute', 60, 0],
  ['hour', 24, 0],
  ['day_of_week', 7, 0],
  ['day_of_month', 31, 1],
  ['month_of_year', 12, 1],
] as const;

class CrontabParser {
  constructor(
    private readonly max: number,
    private readonly min: number,
  ) {}

  parse(spec: string): Set<number> {
    const acc = new Set<number>();
    for (const part of spec.split(',')) {
      if (!part) throw pyError('ParseException', 'empty part');
      for (const n of this.part(part)) acc.add(n);
    }
    return acc;
  }

  private part(part: string): number[] {
    let m = /^(\w+?)-(\w+)\/(\w+)?/.exec(part);
    if (m) {
      if (!m[3]) throw pyError('ParseException', 'empty filter');
      return step(this.range(m[1], m[2]), stepOf(m[3]));
    }
    m = /^(\w+?)-(\w+)/.exec(part);
    if (m) return this.range(m[1], m[2]);
    m = /^\*\/(\w+)?/.exec(part);
    if (m) {
      if (!m[1]) throw pyError('ParseException', 'empty filter');
      return step(this.star(), stepOf(m[1]));
    }
    if (/^\*$/.test(part)) return this.star();
    return this.range(part);
  }

  private range(a: string, b?: string): number[] {
    const from = this.number(a);
    if (b === undefined) return [from];
    const to = this.number(b);
    const out: number[] = [];
    if (to < from) {
      for (let i = from; i < this.min + this.max; i++) out.push(i);
      for (let i = this.min; i <= to; i++) out.push(i);
      return out;
    }
    for (let i = from; i <= to; i++) out.push(i);
    return out;
  }

  private star(): number[] {
    const out: number[] = [];
    for (let i = this.min; i < this.max + this.min; i++) out.push(i);
    return out;
  }

  private number(s: string): number {
    if (s[0] === '-') throw pyError('ParseException', 'negative numbers not supported');
    let i: number;
    if (/^\s*[-+]?\d+\s*$/.test(s)) i = Number(s);
    else {
      const day = WEEKDAYS[s.slice(0, 3).toLowerCase()];
      if (day === undefined) throw pyError('ValueError', `Invalid weekday literal ${repr(s)}.`);
      i = day;
    }
    const maxVal = this.min + this.max - 1;
    if (i > maxVal) throw pyError('ValueError', `Invalid end range: ${i} > ${maxVal}.`);
    if (i < this.min) throw pyError('ValueError', `Invalid beginning range: ${i} < ${this.min}.`);
    return i;
  }
}

function stepOf(s: string): number {
  if (!/^\d+$/.test(s)) throw pyError('ValueError', `invalid literal for int() with base 10: ${repr(s)}`);
  const n = Number(s);
  if (n === 0) throw pyError('ValueError', 'slice step cannot be zero');
  return n;
}

function step(items: number[], n: number): number[] {
  return items.filter((_, i) => i % n === 0);
}

function expand(spec: PyValue, max: number, min: number): Set<number> {
  let result: Set<number>;
  if (typeof spec === 'number' || typeof spec === 'boolean') result = new Set([numberOf(spec)!]);
  else if (typeof spec === 'string') result = new CrontabParser(max, min).parse(spec);
  else if (spec instanceof PyList || spec instanceof PyTuple) {
    result = new Set();
    for (const x of spec.items) {
      hashKey(x);
      const n = numberOf(x);
      if (n === undefined || x instanceof PyFloat) throw pyError('TypeError', `'<=' not supported between instances of '${typeName(x)}' and 'int'`);
      result.add(n);
    }
  } else {
    throw pyError('TypeError', `Argument cronspec needs to be of any of the following types: int, str, or an iterable type. <class '${typeName(spec)}'> was given.`);
  }
  for (const n of result) {
    if (n >= max + min || n < min) throw pyError('ValueError', `Invalid crontab pattern.  Valid range is ${min}-${max - 1 + min}. '${n}' was found.`);
  }
  return result;
}

const MINUTE = 60_000;
const DAY = 86_400_000;

export class PyCrontab extends PyObject {
  readonly typeName = 'crontab';
  readonly minute: Set<number>;
  readonly hour: Set<number>;
  readonly dayOfWeek: Set<number>;
  readonly dayOfMonth: Set<number>;
  readonly monthOfYear: Set<number>;

  constructor(readonly orig: Record<string, PyValue>) {
    super();
    const sets = FIELDS.map(([name, max, min]) => expand(orig[name], max, min));
    [this.minute, this.hour, this.dayOfWeek, this.dayOfMonth, this.monthOfYear] = sets;
  }

  override repr(): string {
    const o = (k: string) => {
      const v = this.orig[k];
      return typeof v === 'string' ? v : repr(v);
    };
    return `<crontab: ${o('minute')} ${o('hour')} ${o('day_of_week')} ${o('day_of_month')} ${o('month_of_year')} (m/h/d/dM/MY)>`;
  }

  /** The first time strictly after `after` (ms, UTC) at which it fires; null if never within 28 years. */
  next(after: number): number | null {
    const startMinute = Math.floor(after / MINUTE) * MINUTE + MINUTE;
    const hours = [...this.hour].sort((a, b) => a - b);
    const minutes = [...this.minute].sort((a, b) => a - b);
    const firstDay = Math.floor(startMinute / DAY) * DAY;
    // Weekdays and leap years repeat every 28 years.
    for (let day = firstDay, k = 0; k < 28 * 366; day += DAY, k++) {
      const d = new Date(day);
      if (!this.monthOfYear.has(d.getUTCMonth() + 1) || !this.dayOfMonth.has(d.getUTCDate()) || !this.dayOfWeek.has(d.getUTCDay())) continue;
      for (const h of hours) {
        for (const m of minutes) {
          const t = day + h * 3_600_000 + m * MINUTE;
          if (t >= startMinute) return t;
        }
      }
    }
    return null;
  }
}

/** celery.schedules.schedule: every `seconds`. */
export class PyIntervalSchedule extends PyObject {
  readonly typeName = 'schedule';
  constructor(readonly seconds: number) {
    super();
  }

  override repr(): string {
    return `<freq: ${humanSeconds(this.seconds)}>`;
  }

  next(after: number): number {
    return after + this.seconds * 1000;
  }
}

function humanSeconds(s: number): string {
  const units: Array<[number, string]> = [
    [86400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, name] of units) {
    if (s >= size) {
      const n = s / size;
      const shown = Number.isInteger(n) ? `${n}.00` : n.toFixed(2);
      return `${shown} ${name}${n === 1 ? '' : 's'}`;
    }
  }
  const shown = Number.isInteger(s) ? `${s}.00` : s.toFixed(2);
  return `${shown} second${s === 1 ? '' : 's'}`;
}

export function makeCrontab(args: PyValue[], kwargs: Kwargs): PyCrontab {
  const { values } = bindArguments(
    'crontab',
    FIELDS.map(([name]) => ({ name, default: '*' })),
    args,
    kwargs,
    { extraKwargs: true },
  );
  return new PyCrontab(Object.fromEntries(values));
}

/** A beat_schedule entry's 'schedule' value as something that knows its next run. */
export function scheduleOf(v: PyValue): PyCrontab | PyIntervalSchedule {
  if (v instanceof PyCrontab || v instanceof PyIntervalSchedule) return v;
  if (v instanceof PyTimedelta) return new PyIntervalSchedule(v.seconds);
  const n = numberOf(v);
  if (n !== undefined && typeof v !== 'boolean') return new PyIntervalSchedule(n);
  throw pyError('TypeError', `a beat schedule must be a number of seconds, a timedelta, a crontab or a schedule, not ${typeName(v)}`);
}
