/**
 * Workload 2: a topic exchange with 10,000 bindings spread over 100 queues
 * (binding i → queue i mod 100), each queue with a no-ack consumer. A route
 * is one publish: matching its key against the bindings, then delivering to
 * each queue reached. Patterns and keys come from bench/lib/random.ts, in
 * two profiles: typical (a route matches ~2 bindings; the target row) and
 * broad (~24 bindings). Keys are made from the patterns, so every key
 * matches at least one.
 * Also: the time to create the 10,000 bindings (queue.bind after the
 * exchange and queues exist).
 */
import { Broker as Smqp } from 'smqp';
import type { EngineModule } from '../lib/engine.ts';
import { median, measureRate, measureTime } from '../lib/measure.ts';
import { topicKeys, topicPatterns, type TopicProfile } from '../lib/random.ts';
import { check, type Figure } from './types.ts';

export const BINDINGS = 10_000;
const QUEUES = 100;
const KEYS = 4096;
/** Keys published once before measuring, to count matches (smqp needs ~2 ms a route). */
const COUNTED = 512;
const BODY = new Uint8Array(16);

export interface TopicFigure extends Figure {
  /** Average bindings matched per route (Warren) or deliveries per route (smqp: one per matching binding). */
  matched: number;
  /** Average distinct queues reached per route. */
  queues: number;
}

const data = new Map<string, { patterns: string[]; keys: string[] }>();
function dataFor(profile: TopicProfile): { patterns: string[]; keys: string[] } {
  let d = data.get(profile.name);
  if (!d) {
    const patterns = topicPatterns(BINDINGS, profile);
    data.set(profile.name, (d = { patterns, keys: topicKeys(patterns, KEYS, profile) }));
  }
  return d;
}

function queueOf(i: number): string {
  return `tq${i % QUEUES}`;
}

function warrenTopology(W: EngineModule, patterns: string[]) {
  const broker = new W.Broker({ seed: 1 });
  const ch = broker.connect().openChannel();
  ch.exchangeDeclare({ exchange: 't', type: 'topic' });
  for (let i = 0; i < QUEUES; i++) ch.queueDeclare({ queue: queueOf(i) });
  const bind = () => {
    for (let i = 0; i < BINDINGS; i++) ch.queueBind({ queue: queueOf(i), exchange: 't', routingKey: patterns[i] });
  };
  return { broker, ch, bind };
}

function smqpTopology(patterns: string[]) {
  const broker = Smqp();
  broker.assertExchange('t', 'topic', { autoDelete: false });
  for (let i = 0; i < QUEUES; i++) broker.assertQueue(queueOf(i), { autoDelete: false });
  const bind = () => {
    for (let i = 0; i < BINDINGS; i++) broker.bindQueue(queueOf(i), 't', patterns[i]);
  };
  return { broker, bind };
}

export interface BindFigure extends Figure {
  /** ms for the very first 10,000 bindings of the process (code not yet optimized). */
  cold: number;
}

function bindFigure(times: number[], warmUp: number): BindFigure {
  const warm = times.slice(warmUp);
  return { value: median(warm), min: Math.min(...warm), max: Math.max(...warm), samples: warm, cold: times[0] };
}

/**
 * ms to create the 10,000 bindings, a fresh broker each round: 3 warm-up
 * rounds (the JIT is still optimizing), then the median of 7.
 */
export function warrenBindTime(W: EngineModule, profile: TopicProfile): BindFigure {
  const { patterns } = dataFor(profile);
  const times: number[] = [];
  let made = 0;
  for (let r = 0; r < 10; r++) {
    const topo = warrenTopology(W, patterns);
    times.push(measureTime(() => topo.bind(), 1, 0).median);
    made = topo.broker.exchanges.get('t')!.bindings.size;
  }
  check(made === BINDINGS, `warren made ${made} bindings`);
  return bindFigure(times, 3);
}

/** smqp: a warm-up round, then the median of 3 (each round takes a few hundred ms). */
export function smqpBindTime(profile: TopicProfile): BindFigure {
  const { patterns } = dataFor(profile);
  const times: number[] = [];
  let made = 0;
  for (let r = 0; r < 4; r++) {
    const topo = smqpTopology(patterns);
    times.push(measureTime(() => topo.bind(), 1, 0).median);
    made = topo.broker.getExchange('t').bindingCount;
  }
  check(made === BINDINGS, `smqp made ${made} bindings`);
  return bindFigure(times, 1);
}

export function warrenRoutes(W: EngineModule, profile: TopicProfile): TopicFigure {
  const { patterns, keys } = dataFor(profile);
  const { broker, ch, bind } = warrenTopology(W, patterns);
  bind();
  let delivered = 0;
  ch.client = { deliver: () => void delivered++ };
  for (let i = 0; i < QUEUES; i++) ch.basicConsume({ queue: queueOf(i), noAck: true });
  const params = keys.map((routingKey) => ({ exchange: 't', routingKey, body: BODY }));
  // One pass over every key with the event stream on, to count matches; then off again.
  let matched = 0;
  const stop = broker.subscribe((e) => {
    if (e.type === 'message.routed') matched += e.hops.reduce((n, h) => n + h.matched.length, 0);
  });
  for (let i = 0; i < COUNTED; i++) ch.basicPublish(params[i]);
  stop();
  check(delivered > 0 && !broker.events.active, 'warren topic setup');
  const queues = delivered / COUNTED;
  let k = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) ch.basicPublish(params[k++ & (KEYS - 1)]);
  });
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds, matched: matched / COUNTED, queues };
}

export function smqpRoutes(profile: TopicProfile): TopicFigure {
  const { patterns, keys } = dataFor(profile);
  const { broker, bind } = smqpTopology(patterns);
  bind();
  let delivered = 0;
  let counting = true;
  const reached = new Set<string>();
  for (let i = 0; i < QUEUES; i++) {
    const name = queueOf(i);
    broker.consume(
      name,
      () => {
        delivered++;
        if (counting) reached.add(name);
      },
      { noAck: true },
    );
  }
  let queues = 0;
  for (let i = 0; i < COUNTED; i++) {
    reached.clear();
    broker.publish('t', keys[i], BODY);
    queues += reached.size;
  }
  counting = false;
  const matched = delivered / COUNTED;
  let k = 0;
  const rate = measureRate(
    (n) => {
      for (let i = 0; i < n; i++) broker.publish('t', keys[k++ & (KEYS - 1)], BODY);
    },
    { rounds: 3, roundMs: 300, warmupMs: 200 },
  );
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds, matched, queues: queues / COUNTED };
}
