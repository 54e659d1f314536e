/**
 * Goals: declarative checks, one per line, never code (lessons load from
 * any URL). Words split as in the shell; `name=value` pairs and bare flags
 * follow a verb. docs/lessons.md lists the vocabulary.
 *
 * State goals hold now:       exchange NAME … | queue NAME … | binding QUEUE EXCHANGE … (prefix `no` to negate)
 * Event goals happened since the lesson started: published, routed, received, delivered, acked, …
 * `survived STATE-GOAL` held right after the latest broker restart.
 */
import { tokenize, TokenizeError } from '../shell/tokenize.ts';
import { parseBool } from '../shell/commands.ts';

export type Entity = 'exchange' | 'queue' | 'binding';

export interface StateGoal {
  kind: 'state';
  negated: boolean;
  entity: Entity;
  name: string;
  /** For a binding: the exchange (source). */
  exchange?: string;
  props: Record<string, string>;
}

export interface EventGoal {
  kind: 'event';
  verb: EventVerb;
  /** `deleted exchange|queue NAME`, `task NAME`. */
  subject?: string;
  what?: 'exchange' | 'queue';
  props: Record<string, string>;
  flags: string[];
  /** At least this many matching events (count=N, default 1). */
  count: number;
}

export interface SurvivedGoal {
  kind: 'survived';
  state: StateGoal;
}

export type Goal = (StateGoal | EventGoal | SurvivedGoal) & { source: string; line: number };

/** Properties of the message an event is about. */
export const MESSAGE_KEYS = ['key', 'exchange', 'body', 'content_type', 'content_encoding', 'priority', 'delivery_mode', 'correlation_id', 'reply_to', 'expiration', 'message_id', 'type', 'app_id', 'task'];

const STATE_KEYS: Record<Entity, string[]> = {
  exchange: ['type', 'durable', 'auto_delete', 'internal', 'alternate'],
  queue: ['durable', 'exclusive', 'auto_delete', 'messages', 'consumers'],
  binding: ['key'],
};

interface VerbSpec {
  keys: string[];
  flags?: string[];
  message?: boolean;
  /** `deleted` takes `exchange NAME` or `queue NAME`; `task` takes the task's name. */
  subject?: 'entity' | 'task';
}

export const EVENT_VERBS = {
  published: { keys: ['channel', 'mandatory'], message: true },
  routed: { keys: ['to', 'not', 'via'], flags: ['nowhere'], message: true },
  received: { keys: ['queue'], message: true },
  delivered: { keys: ['queue', 'channel', 'tag', 'redelivered', 'consumer'], flags: ['first'], message: true },
  acked: { keys: ['queue', 'channel', 'tag', 'redelivered', 'consumer'], message: true },
  nacked: { keys: ['queue', 'channel', 'tag', 'requeue', 'method'], message: true },
  requeued: { keys: ['queue', 'reason'], message: true },
  'dead-lettered': { keys: ['queue', 'reason', 'dlx', 'to'], message: true },
  expired: { keys: ['queue'], message: true },
  returned: { keys: ['channel', 'code'], message: true },
  dropped: { keys: ['queue', 'reason'], message: true },
  confirmed: { keys: ['channel', 'ack'] },
  deleted: { keys: ['reason'], subject: 'entity' },
  error: { keys: ['channel', 'code', 'text', 'method'] },
  qos: { keys: ['channel', 'prefetch', 'global'] },
  consumed: { keys: ['queue', 'channel', 'exclusive'] },
  cancelled: { keys: ['queue', 'by'] },
  restarted: { keys: [] },
  task: { keys: ['queue', 'queues', 'exchange', 'key', 'priority'], subject: 'task' },
} satisfies Record<string, VerbSpec>;

export type EventVerb = keyof typeof EVENT_VERBS;

const BOOLEAN_KEYS = new Set(['durable', 'auto_delete', 'internal', 'exclusive', 'mandatory', 'redelivered', 'consumer', 'requeue', 'ack', 'global']);
const NUMBER_KEYS = new Set(['messages', 'consumers', 'tag', 'code', 'prefetch', 'priority', 'delivery_mode', 'queues', 'count']);

function checkValue(key: string, value: string): void {
  if (BOOLEAN_KEYS.has(key) && parseBool(value) === null) throw new Error(`${key}=${value}: expected yes or no`);
  if (NUMBER_KEYS.has(key) && value !== '*' && !/^\d+$/.test(value)) throw new Error(`${key}=${value}: expected a whole number`);
  if (key === 'channel' && value !== '*' && !/^[a-z]+:\d+$/.test(value)) throw new Error(`channel=${value}: expected CONNECTION:NUMBER, e.g. a:1`);
}

function splitPairs(words: string[], allowed: string[], flagNames: string[], prefixes: string[], where: string): { props: Record<string, string>; flags: string[] } {
  const props: Record<string, string> = {};
  const flags: string[] = [];
  for (const w of words) {
    const eq = w.indexOf('=');
    if (eq < 0) {
      if (!flagNames.includes(w)) throw new Error(`unexpected '${w}' after ${where} (expected name=value${flagNames.length ? ` or ${flagNames.join(', ')}` : ''})`);
      flags.push(w);
      continue;
    }
    const key = w.slice(0, eq);
    const value = w.slice(eq + 1);
    if (!allowed.includes(key) && !prefixes.some((p) => key.startsWith(p) && key.length > p.length)) {
      const names = [...allowed, ...prefixes.map((p) => `${p}NAME`)];
      throw new Error(`unknown ${key}= for ${where} (expected ${names.join(', ')})`);
    }
    if (key in props) throw new Error(`${key}= given twice`);
    checkValue(key, value);
    props[key] = value;
  }
  return { props, flags };
}

function stateGoal(words: string[], negated: boolean): StateGoal {
  const [entity, ...rest] = words as [Entity, ...string[]];
  const positional = entity === 'binding' ? 2 : 1;
  const names = rest.slice(0, positional);
  if (names.length < positional || names.some((n) => n.includes('='))) {
    throw new Error(entity === 'binding' ? 'usage: binding QUEUE EXCHANGE [key=K] [arg.NAME=V…]' : `usage: ${entity} NAME [name=value…]`);
  }
  const { props } = splitPairs(rest.slice(positional), STATE_KEYS[entity], [], ['arg.'], entity);
  const goal: StateGoal = { kind: 'state', negated, entity, name: names[0], props };
  if (entity === 'binding') goal.exchange = names[1];
  return goal;
}

const isEntity = (w: string | undefined): w is Entity => w === 'exchange' || w === 'queue' || w === 'binding';

/** Parses one goal line; throws an Error whose message says what is wrong. */
export function parseGoal(source: string, line: number): Goal {
  let words: string[];
  try {
    words = tokenize(source.trim());
  } catch (e) {
    if (e instanceof TokenizeError) throw new Error(e.message, { cause: e });
    throw e;
  }
  const base = { source: source.trim(), line };
  if (words[0] === 'survived') {
    const rest = words.slice(1);
    const negated = rest[0] === 'no';
    const inner = negated ? rest.slice(1) : rest;
    if (!isEntity(inner[0])) throw new Error('usage: survived [no] exchange|queue|binding …');
    return { kind: 'survived', state: stateGoal(inner, negated), ...base };
  }
  if (words[0] === 'no') {
    if (!isEntity(words[1])) throw new Error("'no' goes before exchange, queue or binding");
    return { ...stateGoal(words.slice(1), true), ...base };
  }
  if (isEntity(words[0])) return { ...stateGoal(words, false), ...base };
  const verb = words[0];
  if (!verb || !(verb in EVENT_VERBS)) {
    const all = ['exchange', 'queue', 'binding', 'no', 'survived', ...Object.keys(EVENT_VERBS)];
    throw new Error(`unknown goal '${verb ?? ''}' (expected one of: ${all.join(', ')})`);
  }
  const spec: VerbSpec = EVENT_VERBS[verb as EventVerb];
  let rest = words.slice(1);
  const goal: EventGoal = { kind: 'event', verb: verb as EventVerb, props: {}, flags: [], count: 1 };
  if (spec.subject === 'entity') {
    if ((rest[0] !== 'exchange' && rest[0] !== 'queue') || !rest[1] || rest[1].includes('=')) throw new Error(`usage: ${verb} exchange|queue NAME`);
    goal.what = rest[0];
    goal.subject = rest[1];
    rest = rest.slice(2);
  } else if (spec.subject === 'task') {
    if (!rest[0] || rest[0].includes('=')) throw new Error('usage: task NAME [queue=Q] [queues=N] [exchange=X] [key=K] [priority=N]');
    goal.subject = rest[0];
    rest = rest.slice(1);
  }
  const keys = [...spec.keys, 'count', ...(spec.message ? MESSAGE_KEYS.filter((k) => !spec.keys.includes(k)) : [])];
  const { props, flags } = splitPairs(rest, keys, spec.flags ?? [], spec.message ? ['header.'] : [], verb);
  if (props.count !== undefined) {
    goal.count = Number(props.count);
    delete props.count;
  }
  goal.props = props;
  goal.flags = flags;
  return { ...goal, ...base };
}
