/**
 * The differential harness: each scenario runs once against Warren (through
 * its amqplib-style facade) and once against a real RabbitMQ (through the
 * amqplib npm client), recording what a client can observe. The two records
 * must be equal once broker-made names and timestamps are replaced by
 * placeholders.
 *
 * A scenario is an async function of a ScenarioContext. It uses `t.connect()`
 * exactly as it would use amqplib's `connect()`, and `t.record(label, value)`
 * / `t.attempt(label, op)` / `t.watch(label, emitter)` to say what it saw.
 * `t.settle()` lets asynchronous deliveries arrive; `t.sleep(ms)` lets time
 * pass (real time on RabbitMQ, the virtual clock on Warren).
 */
import { describe, it, expect } from 'vitest';
import type { ChannelModel } from 'amqplib';
import amqplib from 'amqplib';

export type TargetName = 'warren' | 'rabbitmq';

export interface ScenarioContext {
  readonly target: TargetName;
  /** Opens a connection, like amqplib's connect(). Closed for you at the end. */
  connect(options?: { username?: string; password?: string }): Promise<ChannelModel>;
  /** Adds an observation to the record. */
  record(label: string, value?: unknown): void;
  /** Runs an operation and records its normalized result or its AMQP error. */
  attempt<T>(label: string, op: () => Promise<T> | T): Promise<T | undefined>;
  /** Records every 'error', 'close', 'return', 'drain' and 'cancel' event of a channel or connection. */
  watch(label: string, emitter: { on(event: string, fn: (...args: unknown[]) => void): unknown }): void;
  /** Lets asynchronous deliveries, returns and confirms arrive. */
  settle(ms?: number): Promise<void>;
  /** Lets time pass: wall-clock time on RabbitMQ, virtual time on Warren. */
  sleep(ms: number): Promise<void>;
  /** Names declared here are deleted on RabbitMQ after the scenario. */
  cleanup(kind: 'queue' | 'exchange', name: string): void;
  /** The records so far (for scenario-level assertions). */
  readonly log: ReadonlyArray<[string, unknown]>;
}

export type Scenario = (t: ScenarioContext) => Promise<void>;

const rabbitUrl = process.env.WARREN_AMQP_URL;
const ci = !!process.env.CI && process.env.CI !== 'false';
const targetsEnv = (process.env.CONFORMANCE_TARGETS ?? 'warren,rabbitmq').split(',');

/** Replaces what legitimately differs between two brokers with placeholders. */
export function normalize(value: unknown): unknown {
  if (typeof value === 'string') {
    return value
      .replace(/amq\.gen-[A-Za-z0-9_-]{22}/g, 'amq.gen-*')
      .replace(/amq\.ctag-[A-Za-z0-9_-]{22}/g, 'amq.ctag-*')
      .replace(/amq\.rabbitmq\.reply-to\.[A-Za-z0-9_.=+/-]+/g, 'amq.rabbitmq.reply-to.*');
  }
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Uint8Array) return `bytes:${new TextDecoder().decode(value)}`;
  if (Array.isArray(value)) return value.map(normalize);
  const obj = value as Record<string, unknown>;
  if (obj['!'] === 'timestamp') return { '!': 'timestamp', value: '<time>' };
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(obj).sort()) {
    const v = obj[key];
    if (typeof v === 'function' || v === undefined) continue;
    if (key === 'time' && typeof v === 'object' && v !== null && (v as Record<string, unknown>)['!'] === 'timestamp') {
      out[key] = '<time>';
      continue;
    }
    out[key] = normalize(v);
  }
  return out;
}

/** What a client sees of an error: amqplib's message and the AMQP fields. */
export function describeError(err: unknown): Record<string, unknown> {
  const e = err as { message?: string; code?: unknown; classId?: unknown; methodId?: unknown; name?: string };
  const out: Record<string, unknown> = { message: normalize(String(e?.message ?? err)) };
  if (e && e.code !== undefined) out.code = e.code;
  if (e && e.classId !== undefined) out.classId = e.classId;
  if (e && e.methodId !== undefined) out.methodId = e.methodId;
  return out;
}

/** A message as a consumer sees it, in a comparable form. */
export function describeMessage(msg: unknown): unknown {
  if (!msg) return msg;
  const m = msg as { content: Uint8Array; fields: object; properties: object };
  return normalize({ content: new TextDecoder().decode(m.content), fields: m.fields, properties: dropUndefined(m.properties) });
}

function dropUndefined(o: object): object {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

const tick = () => new Promise<void>((r) => setTimeout(r, 0));

interface Target {
  name: TargetName;
  connect(options?: { username?: string; password?: string }): Promise<ChannelModel>;
  settle(ms?: number): Promise<void>;
  sleep(ms: number): Promise<void>;
}

async function warrenTarget(): Promise<Target> {
  const { Broker } = await import('../../src/core/broker.ts');
  const { connect: connectFacade } = await import('../../src/core/facade/index.ts');
  const broker = new Broker({ seed: 1 });
  const flush = async () => {
    for (let i = 0; i < 5; i++) await tick();
  };
  return {
    name: 'warren',
    connect: async (options) => (await connectFacade(broker, options)) as unknown as ChannelModel,
    settle: flush,
    sleep: async (ms) => {
      await flush();
      broker.clock.advance(ms);
      await flush();
    },
  };
}

function rabbitTarget(url: string): Target {
  return {
    name: 'rabbitmq',
    connect: (options) => {
      const u = new URL(url);
      if (options?.username !== undefined) u.username = options.username;
      if (options?.password !== undefined) u.password = options.password;
      return amqplib.connect(u.toString());
    },
    settle: (ms = 60) => new Promise((r) => setTimeout(r, ms)),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}

async function run(target: Target, scenario: Scenario): Promise<Array<[string, unknown]>> {
  const log: Array<[string, unknown]> = [];
  const connections: ChannelModel[] = [];
  const toClean: Array<['queue' | 'exchange', string]> = [];
  const t: ScenarioContext = {
    target: target.name,
    log,
    async connect(options) {
      const c = await target.connect(options);
      connections.push(c);
      return c;
    },
    record(label, value) {
      log.push([label, normalize(value)]);
    },
    async attempt(label, op) {
      try {
        const v = await op();
        log.push([label, { ok: normalize(v === undefined ? null : v) }]);
        return v;
      } catch (err) {
        log.push([label, { error: describeError(err) }]);
        return undefined;
      }
    },
    watch(label, emitter) {
      for (const ev of ['error', 'close', 'return', 'drain', 'cancel', 'blocked', 'unblocked']) {
        emitter.on(ev, (arg?: unknown) => {
          let v: unknown = null;
          if (ev === 'error') v = describeError(arg);
          else if (ev === 'return') v = describeMessage(arg);
          log.push([`${label}.${ev}`, v]);
        });
      }
    },
    settle: (ms) => target.settle(ms),
    sleep: (ms) => target.sleep(ms),
    cleanup(kind, name) {
      toClean.push([kind, name]);
    },
  };
  try {
    await scenario(t);
    await target.settle();
  } finally {
    for (const c of connections) {
      try {
        await c.close();
      } catch {
        /* already closed */
      }
    }
    if (target.name === 'rabbitmq' && toClean.length) {
      const c = await target.connect();
      c.on('error', () => {});
      for (const [kind, name] of toClean) {
        const ch = await c.createChannel();
        ch.on('error', () => {});
        try {
          if (kind === 'queue') await ch.deleteQueue(name);
          else await ch.deleteExchange(name);
          await ch.close();
        } catch {
          /* reserved or already gone */
        }
      }
      await c.close();
    }
  }
  return log;
}

/**
 * Declares a group of differential scenarios. `rule` names the section of
 * shared/spec/rabbitmq-semantics.md the scenario pins down.
 */
export function scenarios(title: string, list: Record<string, Scenario>): void {
  const haveRabbit = !!rabbitUrl && targetsEnv.includes('rabbitmq');
  if (!rabbitUrl && ci) throw new Error('CI is set but WARREN_AMQP_URL is not: the conformance suite needs RabbitMQ');
  if (!haveRabbit && targetsEnv.includes('rabbitmq')) {
    console.warn(`\n!!! conformance "${title}": RabbitMQ not available, comparing nothing (run through \`npm test\`, which starts a node)\n`);
  }
  describe(title, () => {
    for (const [name, scenario] of Object.entries(list)) {
      it.skipIf(!haveRabbit)(name, async () => {
        const expected = await run(rabbitTarget(rabbitUrl as string), scenario);
        if (!targetsEnv.includes('warren')) {
          if (process.env.CONFORMANCE_PRINT) console.log(name, JSON.stringify(expected, null, 1));
          return;
        }
        const actual = await run(await warrenTarget(), scenario);
        expect(actual).toEqual(expected);
      });
    }
  });
}
