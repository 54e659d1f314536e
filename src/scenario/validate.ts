/**
 * Checks that a value is a scenario, fully, before anything is applied:
 * every field's type and range, no unknown fields, and the limits that
 * keep a replay quick. What fails is rejected with the first problem,
 * in words a person reads; nothing is coerced except what JSON cannot say.
 */
import { parseLine } from '../shell/parse.ts';
import { LIMITS, SCENARIO_FORMAT, SCENARIO_VERSION, ScenarioError, type AgentOp, type Scenario, type ScenarioProblem, type Step } from './format.ts';

type Obj = Record<string, unknown>;

function fail(problem: ScenarioProblem, params: Record<string, string | number> = {}): never {
  throw new ScenarioError(problem, params);
}

function object(v: unknown, where: string, keys: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail('scenario.object', { where });
  const extra = Object.keys(v).filter((k) => !keys.includes(k));
  if (extra.length) fail('scenario.unknown.field', { where, field: extra[0].slice(0, 40) });
  return v as Obj;
}

function str(v: unknown, where: string, max: number = LIMITS.name): string {
  if (typeof v !== 'string') fail('scenario.text', { where });
  if (v.length > max) fail('scenario.too.long', { where, max });
  return v;
}

function num(v: unknown, where: string, min: number, max: number, integer = true): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail('scenario.number', { where });
  if (integer && !Number.isInteger(v)) fail('scenario.integer', { where });
  if (v < min || v > max) fail('scenario.range', { where, min, max });
  return v;
}

function bool(v: unknown, where: string): boolean {
  if (typeof v !== 'boolean') fail('scenario.bool', { where });
  return v;
}

function orNull<T>(v: unknown, check: (v: unknown) => T): T | null {
  return v === null ? null : check(v);
}

const NAMED_OPS = ['start', 'stop', 'crash', 'restart', 'remove'] as const;

function agentOp(v: unknown, where: string): AgentOp {
  const kind = (v as Obj | null)?.op;
  switch (kind) {
    case 'producer': {
      const o = object(v, where, ['op', 'exchange', 'routingKeys', 'body', 'mandatory', 'count', 'interval']);
      if (!Array.isArray(o.routingKeys) || o.routingKeys.length < 1 || o.routingKeys.length > 100) fail('scenario.keys', { where: `${where}.routingKeys`, max: 100 });
      return {
        op: 'producer',
        exchange: str(o.exchange, `${where}.exchange`),
        routingKeys: o.routingKeys.map((k, i) => str(k, `${where}.routingKeys[${i}]`)),
        body: str(o.body, `${where}.body`, LIMITS.line),
        mandatory: bool(o.mandatory, `${where}.mandatory`),
        count: orNull(o.count, (c) => num(c, `${where}.count`, 1, LIMITS.agentMessages)),
        interval: num(o.interval, `${where}.interval`, 0, LIMITS.duration, false),
      };
    }
    case 'consumer': {
      const o = object(v, where, ['op', 'queue', 'prefetch', 'autoAck', 'processing']);
      return {
        op: 'consumer',
        queue: str(o.queue, `${where}.queue`),
        prefetch: num(o.prefetch, `${where}.prefetch`, 0, 65535),
        autoAck: bool(o.autoAck, `${where}.autoAck`),
        processing: orNull(o.processing, (p) => num(p, `${where}.processing`, 0, LIMITS.duration, false)),
      };
    }
    case 'settle': {
      const o = object(v, where, ['op', 'name', 'how', 'tag']);
      if (o.how !== 'ack' && o.how !== 'nack' && o.how !== 'reject') fail('scenario.settle.how', { where: `${where}.how` });
      return { op: 'settle', name: str(o.name, `${where}.name`), how: o.how, tag: orNull(o.tag, (t) => num(t, `${where}.tag`, 1, Number.MAX_SAFE_INTEGER)) };
    }
    default: {
      if (!NAMED_OPS.includes(kind as (typeof NAMED_OPS)[number])) fail('scenario.op', { where: `${where}.op`, ops: ['producer', 'consumer', 'settle', ...NAMED_OPS].join(', ') });
      const o = object(v, where, ['op', 'name']);
      return { op: kind as (typeof NAMED_OPS)[number], name: str(o.name, `${where}.name`) };
    }
  }
}

function step(v: unknown, where: string, after: number): Step {
  const o = object(v, where, ['at', 'line', 'agent']);
  const at = num(o.at, `${where}.at`, 0, LIMITS.duration, false);
  if (at < after) fail('scenario.time.back', { where: `${where}.at`, at, after });
  if ('line' in o === 'agent' in o) fail('scenario.step.kind', { where });
  if ('line' in o) {
    const line = str(o.line, `${where}.line`, LIMITS.line);
    if (/[\r\n]/.test(line)) fail('scenario.one.line', { where: `${where}.line` });
    return { at, line };
  }
  return { at, agent: agentOp(o.agent, `${where}.agent`) };
}

/** Seconds a shell line lets pass (`sleep N`), 0 for any other line. */
function sleeps(line: string): number {
  const parsed = parseLine(line);
  if (parsed.kind !== 'command' || parsed.spec.name !== 'sleep') return 0;
  const s = parsed.invocation.args.seconds;
  return typeof s === 'number' && Number.isFinite(s) ? Math.max(0, s) : 0;
}

/**
 * The most messages the agents could publish while the scenario replays:
 * each start of a producer, at the rate of the busiest one, until the end.
 */
function agentMessageBound(steps: Step[], end: number): number {
  const producers = steps.flatMap((s) => ('agent' in s && s.agent.op === 'producer' ? [s.agent] : []));
  let total = 0;
  for (const s of steps) {
    if (!('agent' in s) || s.agent.op !== 'start') continue;
    const span = end - s.at;
    total += Math.max(0, ...producers.map((p) => Math.min(p.count ?? Infinity, p.interval > 0 ? Math.floor(span / p.interval) + 1 : (p.count ?? Infinity))));
  }
  return total;
}

function jsonSize(v: unknown): number {
  try {
    return JSON.stringify(v)?.length ?? 0;
  } catch {
    fail('scenario.extras.json');
  }
}

/** The scenario `value` describes, or a ScenarioError saying what is wrong with it. */
export function validateScenario(value: unknown): Scenario {
  const o = object(value, 'scenario', ['format', 'version', 'seed', 'steps', 'end', 'extras']);
  if (o.format !== SCENARIO_FORMAT) fail('scenario.format', { format: SCENARIO_FORMAT });
  if (o.version !== SCENARIO_VERSION) fail('scenario.version', { version: String(JSON.stringify(o.version)).slice(0, 20), supported: SCENARIO_VERSION });
  const seed = num(o.seed, 'seed', 0, 0xffffffff);
  if (!Array.isArray(o.steps)) fail('scenario.list', { where: 'steps' });
  if (o.steps.length > LIMITS.steps) fail('scenario.steps', { steps: o.steps.length, max: LIMITS.steps });
  const steps: Step[] = [];
  for (const [i, s] of o.steps.entries()) steps.push(step(s, `steps[${i}]`, steps.at(-1)?.at ?? 0));
  const end = num(o.end, 'end', steps.at(-1)?.at ?? 0, LIMITS.duration, false);
  const slept = steps.reduce((t, s) => t + ('line' in s ? sleeps(s.line) * 1000 : 0), 0);
  if (end + slept > LIMITS.duration) fail('scenario.duration', { hours: LIMITS.duration / 3_600_000 });
  if (agentMessageBound(steps, end + slept) > LIMITS.agentMessages) fail('scenario.messages', { max: LIMITS.agentMessages });
  const extras = o.extras === undefined ? {} : o.extras;
  if (typeof extras !== 'object' || extras === null || Array.isArray(extras)) fail('scenario.object', { where: 'extras' });
  if (jsonSize(extras) > LIMITS.extras) fail('scenario.extras.size', { kb: LIMITS.extras / 1024 });
  return { format: SCENARIO_FORMAT, version: SCENARIO_VERSION, seed, steps, end, extras: extras as Record<string, unknown> };
}
