/**
 * The steps of a lesson's setup and solution, one per line: a line of the
 * shell's dialect (checked against the shell's own parser), or one of the
 * lesson's own steps that the shell has no command for:
 *
 *   celery config NAME                  load the lesson's ```celery NAME``` block
 *   celery send TASK [--args=JSON] [--kwargs=JSON] [--options=JSON] [--send-task]
 *   celery worker NAME [--concurrency=N] [--prefetch-multiplier=N] [--queues=a,b] [--acks-late] [--task-duration=MS]
 *   celery beat                         start celery beat
 *   restart                             restart the broker
 */
import { parseLine } from '../shell/parse.ts';
import { tokenize, TokenizeError } from '../shell/tokenize.ts';
import type { TaskCall, WorkerOptions } from '../celery/index.ts';

export type StepAction =
  | { kind: 'shell' }
  | { kind: 'celery-config'; name: string }
  | { kind: 'celery-send'; task: string; call: TaskCall }
  | { kind: 'celery-worker'; options: WorkerOptions }
  | { kind: 'celery-beat' }
  | { kind: 'restart' };

export type Step = StepAction & {
  /** The line as written (what "show me" types). */
  source: string;
  /** Its line in the lesson file. */
  line: number;
};

/** Splits `--name=value` / `--flag` words; throws for anything else. */
export function namedOptions(words: string[], allowed: readonly string[]): Map<string, string | true> {
  const out = new Map<string, string | true>();
  for (const w of words) {
    const m = /^--([a-z][a-z-]*)(?:=(.*))?$/s.exec(w);
    if (!m) throw new Error(`unexpected '${w}' (expected --name=value)`);
    if (!allowed.includes(m[1])) throw new Error(`unknown option --${m[1]} (expected one of ${allowed.map((a) => `--${a}`).join(', ')})`);
    out.set(m[1], m[2] ?? true);
  }
  return out;
}

function json(name: string, raw: string | true | undefined): unknown {
  if (raw === undefined) return undefined;
  if (raw === true) throw new Error(`--${name} needs a value`);
  try {
    return JSON.parse(raw);
  } catch {
    throw new Error(`--${name} is not JSON: ${raw}`);
  }
}

function positiveInt(name: string, raw: string | true | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw === true || !Number.isInteger(n) || n < 0) throw new Error(`--${name} needs a whole number`);
  return n;
}

function celeryStep(words: string[]): StepAction {
  const [what, ...rest] = words;
  switch (what) {
    case 'config':
      if (rest.length !== 1) throw new Error('usage: celery config NAME');
      return { kind: 'celery-config', name: rest[0] };
    case 'send': {
      const [task, ...more] = rest;
      if (!task || task.startsWith('--')) throw new Error('usage: celery send TASK [--args=JSON] [--kwargs=JSON] [--options=JSON] [--send-task]');
      const o = namedOptions(more, ['args', 'kwargs', 'options', 'send-task']);
      const args = json('args', o.get('args'));
      const kwargs = json('kwargs', o.get('kwargs'));
      const options = json('options', o.get('options'));
      if (args !== undefined && !Array.isArray(args)) throw new Error('--args must be a JSON list');
      const isObject = (v: unknown) => v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v));
      if (!isObject(kwargs)) throw new Error('--kwargs must be a JSON object');
      if (!isObject(options)) throw new Error('--options must be a JSON object');
      const call: TaskCall = {};
      if (args !== undefined) call.args = args as unknown[];
      if (kwargs !== undefined) call.kwargs = kwargs as Record<string, unknown>;
      if (options !== undefined) call.options = options as Record<string, unknown>;
      if (o.has('send-task')) call.sendTask = true;
      return { kind: 'celery-send', task, call };
    }
    case 'worker': {
      const [name, ...more] = rest;
      if (!name || name.startsWith('--')) throw new Error('usage: celery worker NAME [--concurrency=N] [--prefetch-multiplier=N] [--queues=a,b] [--acks-late] [--task-duration=MS]');
      const o = namedOptions(more, ['concurrency', 'prefetch-multiplier', 'queues', 'acks-late', 'task-duration']);
      const options: WorkerOptions = { name };
      const concurrency = positiveInt('concurrency', o.get('concurrency'));
      if (concurrency !== undefined) options.concurrency = concurrency;
      const multiplier = positiveInt('prefetch-multiplier', o.get('prefetch-multiplier'));
      if (multiplier !== undefined) options.prefetchMultiplier = multiplier;
      const duration = positiveInt('task-duration', o.get('task-duration'));
      if (duration !== undefined) options.taskDuration = duration;
      const queues = o.get('queues');
      if (queues === true) throw new Error('--queues needs a comma-separated list');
      if (queues !== undefined) options.queues = queues.split(',').filter(Boolean);
      if (o.has('acks-late')) options.acksLate = true;
      return { kind: 'celery-worker', options };
    }
    case 'beat':
      if (rest.length) throw new Error('usage: celery beat');
      return { kind: 'celery-beat' };
    default:
      throw new Error(`unknown celery step '${what ?? ''}' (expected config, send, worker or beat)`);
  }
}

/** Parses one step line; throws an Error whose message says what is wrong. */
export function parseStep(source: string, line: number): Step {
  const text = source.trim();
  let words: string[];
  try {
    words = tokenize(text);
  } catch (e) {
    if (e instanceof TokenizeError) throw new Error(e.message, { cause: e });
    throw e;
  }
  if (words[0] === 'celery') return { ...celeryStep(words.slice(1)), source: text, line };
  if (words[0] === 'restart') {
    if (words.length > 1) throw new Error('usage: restart');
    return { kind: 'restart', source: text, line };
  }
  const parsed = parseLine(text);
  if (parsed.kind === 'error') throw new Error(`not a line of the shell: ${parsed.message}`);
  if (parsed.kind !== 'command') throw new Error(`'${text}' is not a command a lesson can run`);
  return { kind: 'shell', source: text, line };
}
