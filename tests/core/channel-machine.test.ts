/**
 * The channel machine (src/core/channel-machine.ts), two ways.
 *
 * 1. Model-based: a pure model of one channel, with the channel machine's
 *    states and events, is walked with xstate/graph. Every shortest path is
 *    executed against two real brokers, one with channelFastPath on (the
 *    broker calls the ledger directly) and one with it off (every delivery
 *    and settle goes through the channel's actor). After every step both
 *    brokers must agree with each other, and with the model, on the channel
 *    state, the ledger (next tag, unacked tags, prefetch, confirm/tx), the
 *    queues' ready and unacked counts and what the client was told.
 * 2. Direct unit tests of the machine's own rules: close hands unacked
 *    deliveries back in tag order, closing ignores everything but close-ok,
 *    tx and confirm exclude each other, settle and qos rules.
 */
import { describe, expect, it, vi } from 'vitest';
import { assign, setup, type SnapshotFrom } from 'xstate';
import { createTestModel, toDirectedGraph, type DirectedGraphNode } from 'xstate/graph';
import { Broker, type Channel } from '../../src/core/broker.ts';
import { ChannelLedger, type Delivery } from '../../src/core/channel-ledger.ts';
import { channelMachine, startChannelActor } from '../../src/core/channel-machine.ts';
import { AmqpError } from '../../src/core/errors.ts';
import type { StampedEvent } from '../../src/core/events.ts';
import { QueuedMessage, type Message } from '../../src/core/message.ts';

// ---- the model ---------------------------------------------------------------

/** The two queues of the fixture: 'g' is read with basic.get, 'c' has a consumer on the channel under test. */
type QueueName = 'g' | 'c';

/** A ready message: its number (m1, m2, … in publish order) and whether it was delivered before. */
interface ReadyMsg {
  n: number;
  redelivered: boolean;
}

/** An unacked delivery in the channel's ledger. */
interface Held extends ReadyMsg {
  tag: number;
  queue: QueueName;
}

/** Something the client hears: a delivery (from a consumer or a get), the channel closing, or anything else (never expected here). */
type Told = { via: 'get' | 'consumer'; tag: number; n: number; redelivered: boolean } | { closed: number | null } | { unexpected: string };

interface Model {
  nextTag: number;
  /** Messages published so far (bounds the graph). */
  published: number;
  ready: Record<QueueName, ReadyMsg[]>;
  /** The ledger's unacked deliveries, in tag order. */
  unacked: Held[];
  /**
   * Deliveries settled inside the (never committed) transaction: gone from
   * the ledger, but RabbitMQ's queues and limiter still count them, and a
   * close hands them back with the rest.
   */
  txHeld: Held[];
  consumerPrefetch: number;
  globalPrefetch: number;
  confirm: boolean;
  tx: boolean;
  /** The error that closed the channel: reply code and failed method. */
  error: { code: number; method: string } | null;
}

type SettleOutcome = 'ack' | 'requeue' | 'discard';
type CloseCause = 'unknown-tag' | 'no-queue' | 'mode-switch';

/** The channel machine's events, as concrete broker operations. */
type ModelEvent =
  | { type: 'basic.qos'; prefetchCount: number; global: boolean }
  | { type: 'confirm.select' }
  | { type: 'tx.select' }
  | { type: 'deliver'; via: 'get' | 'get-no-ack' | 'consumer' }
  | { type: 'settle'; tag: number; multiple: boolean; outcome: SettleOutcome }
  | { type: 'recover' }
  | { type: 'channel.close' }
  | { type: 'server.close'; cause: CloseCause }
  | { type: 'channel.close-ok' };

const MAX_MESSAGES = 3;
const MAX_TAG = 4;

/** The error RabbitMQ closes the channel with for each cause, in a given model state. */
function closeError(m: Model, cause: CloseCause): { code: number; method: string } {
  if (cause === 'unknown-tag') return { code: 406, method: 'basic.ack' };
  if (cause === 'no-queue') return { code: 404, method: 'basic.get' };
  return { code: 406, method: m.tx ? 'confirm.select' : 'tx.select' };
}

const initialModel: Model = {
  nextTag: 1,
  published: 0,
  ready: { g: [], c: [] },
  unacked: [],
  txHeld: [],
  consumerPrefetch: 0,
  globalPrefetch: 0,
  confirm: false,
  tx: false,
  error: null,
};

/** A model state being stepped, with what the client is told on the way. */
type Stepping = Model & { told: Told[] };

function copy(m: Model): Stepping {
  return { ...m, ready: { g: [...m.ready.g], c: [...m.ready.c] }, unacked: [...m.unacked], txHeld: [...m.txHeld], told: [] };
}

/** The consumer on 'c' (created with no per-consumer limit) takes ready messages while the channel-wide limit allows. */
function pump(m: Stepping): void {
  while (m.ready.c.length && !(m.globalPrefetch > 0 && m.unacked.length + m.txHeld.length >= m.globalPrefetch)) {
    const msg = m.ready.c.shift()!;
    const tag = m.nextTag++;
    m.unacked.push({ tag, n: msg.n, queue: 'c', redelivered: msg.redelivered });
    m.told.push({ via: 'consumer', tag, n: msg.n, redelivered: msg.redelivered });
  }
}

/** Requeued deliveries go back to their original places (publish order), marked redelivered. */
function requeue(m: Stepping, held: readonly Held[]): void {
  for (const h of held) m.ready[h.queue].push({ n: h.n, redelivered: true });
  m.ready.g.sort((a, b) => a.n - b.n);
  m.ready.c.sort((a, b) => a.n - b.n);
}

function settled(m: Model, tag: number, multiple: boolean): Held[] {
  if (!multiple) return m.unacked.filter((h) => h.tag === tag);
  return m.unacked.filter((h) => tag === 0 || h.tag <= tag);
}

/** What RabbitMQ does, step by step, for one channel of the fixture: the next state and what the client hears. */
function step(m0: Model, e: ModelEvent): { next: Model; told: Told[] } {
  const m = copy(m0);
  switch (e.type) {
    case 'basic.qos':
      if (e.global) m.globalPrefetch = e.prefetchCount;
      else {
        m.consumerPrefetch = e.prefetchCount;
        m.globalPrefetch = 0;
      }
      pump(m);
      break;
    case 'confirm.select':
      m.confirm = true;
      break;
    case 'tx.select':
      m.tx = true;
      break;
    case 'deliver': {
      const n = ++m.published;
      if (e.via === 'consumer') {
        m.ready.c.push({ n, redelivered: false });
        pump(m);
        break;
      }
      m.ready.g.push({ n, redelivered: false });
      const head = m.ready.g.shift()!;
      const tag = m.nextTag++;
      if (e.via === 'get') m.unacked.push({ tag, n: head.n, queue: 'g', redelivered: head.redelivered });
      m.told.push({ via: 'get', tag, n: head.n, redelivered: head.redelivered });
      break;
    }
    case 'settle': {
      const done = settled(m, e.tag, e.multiple);
      m.unacked = m.unacked.filter((h) => !done.includes(h));
      if (m.tx) {
        // Buffered until tx.commit (never sent in this walk).
        m.txHeld = [...m.txHeld, ...done].sort((a, b) => a.tag - b.tag);
        break;
      }
      if (e.outcome === 'requeue') requeue(m, done);
      pump(m);
      break;
    }
    case 'recover':
      // Only the ledger's deliveries: acks buffered in the transaction stand.
      requeue(m, m.unacked);
      m.unacked = [];
      pump(m);
      break;
    case 'channel.close':
      // The consumer goes with the channel, so nothing is redelivered.
      requeue(m, [...m.unacked, ...m.txHeld]);
      m.unacked = [];
      m.txHeld = [];
      m.told.push({ closed: null });
      break;
    case 'server.close':
      // The ledger is untouched until close-ok; the client hears channel.close now.
      m.error = closeError(m0, e.cause);
      m.told.push({ closed: m.error.code });
      break;
    case 'channel.close-ok':
      requeue(m, [...m.unacked, ...m.txHeld]);
      m.unacked = [];
      m.txHeld = [];
      break;
  }
  const { told, ...next } = m;
  return { next, told };
}

/**
 * The model as a machine with the channel machine's states, events and
 * guards; its actions are pure, so xstate/graph can walk it.
 */
const modelMachine = setup({
  types: { context: {} as Model, events: {} as ModelEvent },
  guards: {
    canSettle: ({ context, event }) => event.type === 'settle' && (event.multiple && event.tag === 0 ? true : context.unacked.some((h) => h.tag === event.tag)),
    notTransactional: ({ context }) => !context.tx,
    notConfirming: ({ context }) => !context.confirm,
  },
  actions: {
    apply: assign(({ context, event }) => step(context, event).next),
  },
}).createMachine({
  id: 'channel',
  initial: 'open',
  context: initialModel,
  states: {
    open: {
      on: {
        'basic.qos': { actions: 'apply' },
        'confirm.select': { guard: 'notTransactional', actions: 'apply' },
        'tx.select': { guard: 'notConfirming', actions: 'apply' },
        deliver: { actions: 'apply' },
        settle: { guard: 'canSettle', actions: 'apply' },
        recover: { actions: 'apply' },
        'channel.close': { target: 'closed', actions: 'apply' },
        'server.close': { target: 'closing', actions: 'apply' },
      },
    },
    closing: {
      on: { 'channel.close-ok': { target: 'closed', actions: 'apply' } },
    },
    closed: { type: 'final' },
  },
});

type ModelSnapshot = SnapshotFrom<typeof modelMachine>;

/** The concrete events offered in a state (xstate/graph sends only those the state handles). */
function eventsFor(snapshot: ModelSnapshot): ModelEvent[] {
  const m = snapshot.context;
  const events: ModelEvent[] = [
    { type: 'basic.qos', prefetchCount: 1, global: true },
    { type: 'basic.qos', prefetchCount: 2, global: false },
    { type: 'confirm.select' },
    { type: 'tx.select' },
    { type: 'deliver', via: 'get' },
    { type: 'deliver', via: 'get-no-ack' },
    { type: 'deliver', via: 'consumer' },
    { type: 'settle', tag: 0, multiple: true, outcome: 'ack' },
    { type: 'recover' },
    { type: 'channel.close' },
    { type: 'server.close', cause: 'unknown-tag' },
    { type: 'server.close', cause: 'no-queue' },
    { type: 'server.close', cause: 'mode-switch' },
    { type: 'channel.close-ok' },
  ];
  for (const h of m.unacked) {
    events.push({ type: 'settle', tag: h.tag, multiple: false, outcome: 'ack' });
    events.push({ type: 'settle', tag: h.tag, multiple: false, outcome: 'discard' });
    events.push({ type: 'settle', tag: h.tag, multiple: true, outcome: 'requeue' });
  }
  return events;
}

/**
 * Events left out of the walk: the broker answers a mode switch with 406
 * before the machine sees it (that is the 'mode-switch' server.close), and
 * the number of messages is bounded.
 */
function offered(snapshot: ModelSnapshot, e: ModelEvent): boolean {
  const m = snapshot.context;
  switch (e.type) {
    case 'deliver':
      return m.published < MAX_MESSAGES;
    case 'confirm.select':
      return !m.tx;
    case 'tx.select':
      return !m.confirm;
    case 'server.close':
      return e.cause !== 'mode-switch' || m.tx || m.confirm;
    default:
      return true;
  }
}

/**
 * Which model states count as different for the walk (each gets one
 * shortest path). Open states are told apart by their context, however they
 * were reached, except for two fields with no bearing on what happens next:
 * the consumer prefetch (the only consumer exists before any basic.qos, so
 * it only matters through the global limit it lifts, which is in the key)
 * and the publish counter (it only bounds the walk). Past a close the
 * channel has no future, so closing and closed states are told apart only by
 * what the close is about: the error, the deliveries it hands back, and where
 * they end up. The tests replay each path with step() for the exact
 * expectations, so merging states only chooses which paths are walked.
 */
function stateKey(snapshot: ModelSnapshot): string {
  const { value, context: m } = snapshot;
  if (value === 'open') return JSON.stringify({ value, m: { ...m, consumerPrefetch: null, published: null } });
  if (value === 'closing') return JSON.stringify({ value, error: m.error, unacked: m.unacked.map((h) => [h.queue, h.redelivered]), txHeld: m.txHeld.length });
  return JSON.stringify({ value, error: m.error?.method ?? null, ready: m.ready });
}

/** The model states along a sequence of events, from the initial one. */
function replay(events: ReadonlyArray<{ type: string }>): Model[] {
  const states = [initialModel];
  for (const e of events) if (e.type !== 'xstate.init') states.push(step(states.at(-1)!, e as ModelEvent).next);
  return states;
}

// ---- the system under test ---------------------------------------------------

/** The n of a message published as `m<n>`. */
const bodyNumber = (m: Message) => Number(new TextDecoder().decode(m.body).slice(1));

/** One broker with the fixture: queues 'g' and 'c', a publisher, and the channel under test consuming 'c'. */
interface Rig {
  broker: Broker;
  pub: Channel;
  ch: Channel;
  told: Told[];
  /** told.length before the latest step. */
  mark: number;
  /** State values the channel's actor passed through, with the ledger as it was on entering each. */
  trace: Array<{ value: string; unacked: number[]; nextTag: number; error: { code: number; method: string } | null }>;
  events: StampedEvent[];
}

function makeRig(channelFastPath: boolean): Rig {
  const broker = new Broker({ seed: 7, channelFastPath });
  const events: StampedEvent[] = [];
  broker.subscribe((e) => events.push(e));
  const pub = broker.connect({ name: 'publisher' }).openChannel();
  pub.queueDeclare({ queue: 'g' });
  pub.queueDeclare({ queue: 'c' });
  const ch = broker.connect({ name: 'client' }).openChannel();
  const rig: Rig = { broker, pub, ch, told: [], mark: 0, trace: [], events };
  ch.client = {
    deliver: (d) => rig.told.push({ via: 'consumer', tag: d.deliveryTag, n: bodyNumber(d.message), redelivered: d.redelivered }),
    closed: (e) => rig.told.push({ closed: e ? e.code : null }),
    returned: (r) => rig.told.push({ unexpected: `returned ${r.replyCode}` }),
    cancelled: (tag) => rig.told.push({ unexpected: `cancelled ${tag}` }),
    confirmed: (seq, ack) => rig.told.push({ unexpected: `confirmed ${seq} ${ack}` }),
  };
  const record = (s: ReturnType<typeof ch.actor.getSnapshot>) => {
    const value = s.value as string;
    if (rig.trace.at(-1)?.value === value) return;
    const ledger = s.context.ledger;
    rig.trace.push({ value, unacked: [...ledger.unacked.keys()], nextTag: ledger.nextTag, error: s.context.error ? { code: s.context.error.code, method: s.context.error.method } : null });
  };
  record(ch.actor.getSnapshot());
  ch.actor.subscribe(record);
  ch.basicConsume({ queue: 'c', consumerTag: 'ctag' });
  return rig;
}

/** Performs one model event on a broker. */
function perform(rig: Rig, e: ModelEvent, before: Model): void {
  const { ch, pub } = rig;
  rig.mark = rig.told.length;
  switch (e.type) {
    case 'basic.qos':
      ch.basicQos({ prefetchCount: e.prefetchCount, global: e.global });
      return;
    case 'confirm.select':
      ch.confirmSelect();
      return;
    case 'tx.select':
      ch.txSelect();
      return;
    case 'deliver': {
      const n = before.published + 1;
      pub.basicPublish({ exchange: '', routingKey: e.via === 'consumer' ? 'c' : 'g', body: `m${n}` });
      if (e.via === 'consumer') return;
      const got = ch.basicGet({ queue: 'g', noAck: e.via === 'get-no-ack' });
      if (!got) throw new Error('basic.get found the queue empty');
      rig.told.push({ via: 'get', tag: got.deliveryTag, n: bodyNumber(got.message), redelivered: got.redelivered });
      return;
    }
    case 'settle':
      if (e.outcome === 'ack') ch.basicAck({ deliveryTag: e.tag, multiple: e.multiple });
      else if (e.outcome === 'requeue') ch.basicNack({ deliveryTag: e.tag, multiple: e.multiple, requeue: true });
      else if (e.multiple) ch.basicNack({ deliveryTag: e.tag, multiple: true, requeue: false });
      else ch.basicReject({ deliveryTag: e.tag, requeue: false });
      return;
    case 'recover':
      ch.basicRecover({ requeue: true });
      return;
    case 'channel.close':
      ch.close();
      return;
    case 'server.close': {
      const fail = {
        'unknown-tag': () => ch.basicAck({ deliveryTag: before.nextTag + 10 }),
        'no-queue': () => ch.basicGet({ queue: 'missing' }),
        'mode-switch': () => (before.tx ? ch.confirmSelect() : ch.txSelect()),
      }[e.cause];
      let thrown: unknown = null;
      try {
        fail();
      } catch (err) {
        thrown = err;
      }
      expect(thrown, `${e.cause} must fail`).toBeInstanceOf(AmqpError);
      const expected = closeError(before, e.cause);
      expect({ code: (thrown as AmqpError).code, method: (thrown as AmqpError).method }).toEqual(expected);
      return;
    }
    case 'channel.close-ok':
      // The engine answers its own channel.close with close-ok inside the
      // failing call (server.close above): nothing is left to send.
      return;
  }
}

/** Everything observable about a rig, for comparing the two brokers. */
function observe(rig: Rig) {
  const { ch, broker } = rig;
  const q = (name: QueueName) => {
    const queue = broker.queues.get(name)!;
    return { ready: queue.ready.toArray().map((e) => [new TextDecoder().decode(e.message.body), e.redelivered]), unacked: queue.unackedCount };
  };
  const l = ch.ledger;
  return {
    state: ch.state,
    isOpen: ch.isOpen,
    registered: ch.connection.channels.get(ch.number) === ch,
    ledger: { nextTag: l.nextTag, unacked: [...l.unacked.keys()], consumerPrefetch: l.consumerPrefetch, globalPrefetch: l.globalPrefetch, confirm: l.confirm, tx: l.tx },
    queues: { g: q('g'), c: q('c') },
    told: rig.told,
    trace: rig.trace.map((t) => [t.value, t.error]),
    // The whole event stream, minus nothing: both paths must tell the same story.
    events: JSON.stringify(rig.events),
  };
}

type Value = 'open' | 'closing' | 'closed';

/**
 * What a broker shows in a model state. In 'closing' that is the actor as it
 * entered closing (the engine sends close-ok in the same call, so queue
 * effects are compared at 'closed').
 */
function seen(rig: Rig, value: Value) {
  const { ch, broker } = rig;
  const told = rig.told.slice(rig.mark);
  const queues = () =>
    Object.fromEntries(
      (['g', 'c'] as const).map((name) => {
        const q = broker.queues.get(name)!;
        return [name, { ready: q.ready.toArray().map((e) => [bodyNumber(e.message), e.redelivered]), unacked: q.unackedCount }];
      }),
    );
  if (value === 'open') {
    const l = ch.ledger;
    return {
      told,
      state: ch.state,
      isOpen: ch.isOpen,
      ledger: {
        nextTag: l.nextTag,
        unacked: [...l.unacked.values()].map((d) => [d.tag, bodyNumber(d.entry.message)]),
        held: l.held,
        consumerPrefetch: l.consumerPrefetch,
        globalPrefetch: l.globalPrefetch,
        confirm: l.confirm,
        tx: l.tx,
      },
      queues: queues(),
    };
  }
  if (value === 'closing') {
    const closing = rig.trace.find((t) => t.value === 'closing');
    const event = rig.events.find((e) => e.type === 'channel.state' && e.state === 'closing' && e.connection === 'client');
    return {
      told,
      closing: closing ? { unacked: closing.unacked, nextTag: closing.nextTag, error: closing.error } : 'never entered closing',
      closingEvent: event && event.type === 'channel.state' ? (event.error?.code ?? null) : 'no channel.state closing event',
    };
  }
  return {
    told,
    state: ch.state,
    isOpen: ch.isOpen,
    registered: ch.connection.channels.has(ch.number),
    ledger: [ch.ledger.unacked.size, ch.ledger.held],
    trace: rig.trace.map((t) => t.value),
    queues: queues(),
  };
}

/** What the model says a broker must show (same shape as seen()). */
function wanted(m: Model, value: Value, told: Told[]): ReturnType<typeof seen> {
  const queues = Object.fromEntries(
    (['g', 'c'] as const).map((name) => [
      name,
      { ready: m.ready[name].map((r) => [r.n, r.redelivered]), unacked: [...m.unacked, ...m.txHeld].filter((h) => h.queue === name).length },
    ]),
  );
  if (value === 'open') {
    return {
      told,
      state: 'open',
      isOpen: true,
      ledger: {
        nextTag: m.nextTag,
        unacked: m.unacked.map((h) => [h.tag, h.n]),
        held: m.txHeld.length,
        consumerPrefetch: m.consumerPrefetch,
        globalPrefetch: m.globalPrefetch,
        confirm: m.confirm,
        tx: m.tx,
      },
      queues,
    };
  }
  if (value === 'closing') {
    return { told, closing: { unacked: m.unacked.map((h) => h.tag), nextTag: m.nextTag, error: m.error }, closingEvent: m.error?.code ?? null };
  }
  return {
    told,
    state: 'closed',
    isOpen: false,
    registered: false,
    ledger: [0, 0],
    trace: m.error === null ? ['open', 'closed'] : ['open', 'closing', 'closed'],
    queues,
  };
}

/** toEqual, with a cheap check first (thousands of steps run through here). */
function agree(actual: unknown, expected: unknown, what: string): void {
  if (JSON.stringify(actual) !== JSON.stringify(expected)) expect(actual, what).toEqual(expected);
}

// ---- the walk ------------------------------------------------------------------

describe('channel machine, model-based against the real broker (fast path vs actor path)', () => {
  const model = createTestModel(modelMachine, {
    events: eventsFor,
    filterEvents: offered,
    serializeState: stateKey,
  });
  const paths = model.getShortestPaths({ stopWhen: (s) => s.context.nextTag > MAX_TAG });

  it('the model has the channel machine’s states and transitions', () => {
    const edges = (node: DirectedGraphNode): string[] => [
      ...node.edges.map((e) => `${e.source.key} --${e.label.text}--> ${e.target.key}`),
      ...node.children.flatMap(edges),
    ];
    const machineEdges = [...new Set(edges(toDirectedGraph(channelMachine)))].sort();
    expect([...new Set(edges(toDirectedGraph(modelMachine)))].sort()).toEqual(machineEdges);
    expect(machineEdges).toContain('closing --channel.close-ok--> closed');
    expect(Object.keys(channelMachine.root.states)).toEqual(['open', 'closing', 'closed']);
  });

  it('walks every state of the model, including every channel state, mode and close cause', () => {
    const values = new Set(paths.map((p) => p.state.value));
    expect([...values].sort()).toEqual(['closed', 'closing', 'open']);
    const seenStates = paths.flatMap((p) => replay(p.steps.map((s) => s.event)));
    expect(seenStates.some((m) => m.tx && m.unacked.length > 0)).toBe(true);
    expect(seenStates.some((m) => m.confirm && m.unacked.length > 0)).toBe(true);
    expect(seenStates.some((m) => m.ready.c.length > 0 && m.globalPrefetch > 0)).toBe(true);
    expect(seenStates.some((m) => m.unacked.some((h) => h.redelivered && h.queue === 'c'))).toBe(true);
    expect(seenStates.some((m) => m.unacked.some((h) => h.redelivered && h.queue === 'g'))).toBe(true);
    expect(new Set(seenStates.map((m) => m.error?.method ?? 'none'))).toEqual(new Set(['none', 'basic.ack', 'basic.get', 'tx.select', 'confirm.select']));
    const eventTypes = new Set(paths.flatMap((p) => p.steps.map((s) => s.event.type)));
    for (const t of ['basic.qos', 'confirm.select', 'tx.select', 'deliver', 'settle', 'recover', 'channel.close', 'server.close', 'channel.close-ok']) {
      expect(eventTypes).toContain(t);
    }
  });

  for (const value of ['open', 'closing', 'closed'] as const) {
    const group = paths.filter((p) => p.state.value === value);
    it(`${group.length} paths ending ${value}: both brokers agree with each other and with the model at every step`, async () => {
      for (const path of group) {
        const fast = makeRig(true);
        const slow = makeRig(false);
        // The expected state is replayed along the path with the model's own
        // step function: closing and closed snapshots in a path stand for a
        // class of states (see stateKey), not necessarily this one.
        let current: Model = initialModel;
        let told: Told[] = [];
        const check = (snapshot: ModelSnapshot) => {
          const v = snapshot.value as Value;
          const expected = wanted(current, v, told);
          agree(seen(fast, v), expected, 'fast path vs model');
          agree(seen(slow, v), expected, 'actor path vs model');
          agree(observe(slow), observe(fast), 'actor path vs fast path');
        };
        const run = (s: { event: { type: string } }) => {
          const e = s.event as ModelEvent;
          perform(fast, e, current);
          perform(slow, e, current);
          ({ next: current, told } = step(current, e));
        };
        await model.testPath(path, {
          states: { open: check, closing: check, closed: check },
          events: {
            'basic.qos': run,
            'confirm.select': run,
            'tx.select': run,
            deliver: run,
            settle: run,
            recover: run,
            'channel.close': run,
            'server.close': run,
            'channel.close-ok': run,
          },
        });
      }
    }, 120_000);
  }
});

// ---- direct unit tests -----------------------------------------------------------

function message(n: number): Message {
  return { id: n, exchange: '', routingKey: 'q', routingKeys: ['q'], properties: {}, body: new TextEncoder().encode(`m${n}`), persistent: false };
}

function fixture() {
  const ledger = new ChannelLedger();
  const actor = startChannelActor(ledger);
  const queue = { name: 'q' };
  const consumer = { tag: 'c', unacked: 0 };
  const deliver = (n: number, noAck = false) => actor.send({ type: 'deliver', entry: new QueuedMessage(message(n), n, Infinity, 0), queue, consumer, noAck, now: 0 });
  return { ledger, actor, queue, consumer, deliver };
}

const tags = (ds: Delivery[]) => ds.map((d) => d.tag);

describe('channel machine rules', () => {
  it('channel.close hands every unacked delivery back in tag order and ends in the final state', () => {
    const { ledger, actor, consumer, deliver } = fixture();
    for (let n = 1; n <= 5; n++) deliver(n);
    actor.send({ type: 'settle', tag: 2, multiple: false, onSettled: () => {} });
    actor.send({ type: 'settle', tag: 4, multiple: false, onSettled: () => {} });
    let released: Delivery[] | null = null;
    actor.send({ type: 'channel.close', onReleased: (d) => (released = d) });
    expect(tags(released!)).toEqual([1, 3, 5]);
    expect(released!.map((d) => d.entry.message.id)).toEqual([1, 3, 5]);
    expect(ledger.unacked.size).toBe(0);
    expect(consumer.unacked).toBe(0);
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('deliveries put back by tx.rollback are still handed back in tag order', () => {
    const { ledger, actor, deliver } = fixture();
    for (let n = 1; n <= 4; n++) deliver(n);
    const three = ledger.collect(3, false, 'basic.ack');
    const upToTwo = ledger.collect(2, true, 'basic.ack');
    ledger.restore([...three, ...upToTwo]);
    let released: Delivery[] = [];
    actor.send({ type: 'channel.close', onReleased: (d) => (released = d) });
    expect(tags(released)).toEqual([1, 2, 3, 4]);
  });

  it('server.close moves to closing and remembers the error; close-ok then hands back in tag order', () => {
    const { ledger, actor, deliver } = fixture();
    deliver(1);
    deliver(2);
    deliver(3);
    actor.send({ type: 'settle', tag: 1, multiple: false, onSettled: () => {} });
    const error = new AmqpError(406, 'unknown delivery tag 9', 'basic.ack');
    actor.send({ type: 'server.close', error });
    expect(actor.getSnapshot().value).toBe('closing');
    expect(actor.getSnapshot().context.error).toBe(error);
    expect([...ledger.unacked.keys()]).toEqual([2, 3]);
    let released: Delivery[] | null = null;
    actor.send({ type: 'channel.close-ok', onReleased: (d) => (released = d) });
    expect(tags(released!)).toEqual([2, 3]);
    expect(actor.getSnapshot().value).toBe('closed');
    expect(actor.getSnapshot().context.error).toBe(error);
  });

  it('closing ignores everything but close-ok', () => {
    const { ledger, actor, consumer, deliver } = fixture();
    deliver(1);
    deliver(2);
    const first = new AmqpError(404, "no queue 'x' in vhost '/'", 'basic.get');
    actor.send({ type: 'server.close', error: first });
    const calls: string[] = [];
    deliver(3);
    actor.send({ type: 'settle', tag: 1, multiple: false, onSettled: () => calls.push('settled') });
    actor.send({ type: 'settle', tag: 0, multiple: true, onSettled: () => calls.push('settled all') });
    actor.send({ type: 'basic.qos', prefetchCount: 5, global: true });
    actor.send({ type: 'basic.qos', prefetchCount: 5, global: false });
    actor.send({ type: 'confirm.select' });
    actor.send({ type: 'tx.select' });
    actor.send({ type: 'recover', onReleased: () => calls.push('recovered') });
    actor.send({ type: 'channel.close', onReleased: () => calls.push('closed') });
    actor.send({ type: 'server.close', error: new AmqpError(406, 'second', 'basic.ack') });
    expect(calls).toEqual([]);
    expect(actor.getSnapshot().value).toBe('closing');
    expect(actor.getSnapshot().context.error).toBe(first);
    expect(ledger.nextTag).toBe(3);
    expect([...ledger.unacked.keys()]).toEqual([1, 2]);
    expect(consumer.unacked).toBe(2);
    expect({ c: ledger.consumerPrefetch, g: ledger.globalPrefetch, confirm: ledger.confirm, tx: ledger.tx }).toEqual({ c: 0, g: 0, confirm: false, tx: false });
    let released: Delivery[] = [];
    actor.send({ type: 'channel.close-ok', onReleased: (d) => (released = d) });
    expect(tags(released)).toEqual([1, 2]);
    expect(actor.getSnapshot().value).toBe('closed');
  });

  it('closed is final: later events change nothing', () => {
    const { ledger, actor, deliver } = fixture();
    actor.send({ type: 'channel.close', onReleased: () => {} });
    // xstate's development build warns about events sent to a stopped actor.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      deliver(1);
      actor.send({ type: 'basic.qos', prefetchCount: 3, global: true });
    } finally {
      warn.mockRestore();
    }
    expect(ledger.nextTag).toBe(1);
    expect(ledger.globalPrefetch).toBe(0);
    expect(actor.getSnapshot().status).toBe('done');
  });

  it('tx and confirm exclude each other, in both orders', () => {
    const a = fixture();
    a.actor.send({ type: 'confirm.select' });
    a.actor.send({ type: 'tx.select' });
    expect({ confirm: a.ledger.confirm, tx: a.ledger.tx }).toEqual({ confirm: true, tx: false });
    a.actor.send({ type: 'confirm.select' });
    expect(a.ledger.confirm).toBe(true);

    const b = fixture();
    b.actor.send({ type: 'tx.select' });
    b.actor.send({ type: 'confirm.select' });
    expect({ confirm: b.ledger.confirm, tx: b.ledger.tx }).toEqual({ confirm: false, tx: true });
    expect(b.actor.getSnapshot().value).toBe('open');
  });

  it('the broker refuses a mode switch with 406 and closes the channel, as RabbitMQ does', () => {
    for (const [first, second, text] of [
      ['tx', 'confirm', 'cannot switch from tx to confirm mode'],
      ['confirm', 'tx', 'cannot switch from confirm to tx mode'],
    ] as const) {
      const ch = new Broker().connect().openChannel();
      if (first === 'tx') ch.txSelect();
      else ch.confirmSelect();
      let error: unknown = null;
      try {
        if (second === 'tx') ch.txSelect();
        else ch.confirmSelect();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AmqpError);
      expect((error as AmqpError).replyText).toBe(`PRECONDITION_FAILED - ${text}`);
      expect(ch.state).toBe('closed');
      expect({ confirm: ch.ledger.confirm, tx: ch.ledger.tx }).toEqual({ confirm: first === 'confirm', tx: first === 'tx' });
    }
  });

  it('settle: unknown tags are ignored by the guard; multiple settles up to the tag; tag 0 multiple settles all, in tag order', () => {
    const { ledger, actor, consumer, deliver } = fixture();
    for (let n = 1; n <= 5; n++) deliver(n);
    const got: number[][] = [];
    const settle = (tag: number, multiple: boolean) => actor.send({ type: 'settle', tag, multiple, onSettled: (d) => got.push(tags(d)) });
    settle(9, false);
    settle(0, false);
    expect(got).toEqual([]);
    settle(3, true);
    settle(3, true); // already settled: unknown now
    settle(5, false);
    expect(consumer.unacked).toBe(1);
    settle(0, true);
    settle(0, true); // nothing outstanding: still fine
    expect(got).toEqual([[1, 2, 3], [5], [4], []]);
    expect(ledger.unacked.size).toBe(0);
    expect(consumer.unacked).toBe(0);
    expect(actor.getSnapshot().value).toBe('open');
  });

  it('no-ack deliveries take a tag but are never held; tags keep rising after recover', () => {
    const { ledger, actor, deliver } = fixture();
    deliver(1, true);
    deliver(2);
    deliver(3, true);
    expect(ledger.nextTag).toBe(4);
    expect([...ledger.unacked.keys()]).toEqual([2]);
    let released: Delivery[] = [];
    actor.send({ type: 'recover', onReleased: (d) => (released = d) });
    expect(tags(released)).toEqual([2]);
    expect(actor.getSnapshot().value).toBe('open');
    deliver(4);
    expect([...ledger.unacked.keys()]).toEqual([4]);
  });

  it('basic.qos: global=true sets the channel-wide limit only; global=false sets the consumer limit and lifts the channel-wide one', () => {
    const { ledger, actor } = fixture();
    actor.send({ type: 'basic.qos', prefetchCount: 3, global: false });
    actor.send({ type: 'basic.qos', prefetchCount: 2, global: true });
    expect({ c: ledger.consumerPrefetch, g: ledger.globalPrefetch }).toEqual({ c: 3, g: 2 });
    actor.send({ type: 'basic.qos', prefetchCount: 4, global: false });
    expect({ c: ledger.consumerPrefetch, g: ledger.globalPrefetch }).toEqual({ c: 4, g: 0 });
  });
});

// ---- transactions: tx.commit and tx.rollback are not machine events, so the walk never sends them ----

describe('transactions', () => {
  // On both paths; channel-wide prefetch 2 makes every held delivery visible.
  it('buffered acks hold prefetch until commit; rollback restores them; close hands everything back', () => {
    const runs = [true, false].map((fastPath) => {
      const rig = makeRig(fastPath);
      const { ch, pub, broker } = rig;
      const ready = (name: QueueName) => broker.queues.get(name)!.ready.toArray().map((e) => [bodyNumber(e.message), e.redelivered]);
      ch.basicQos({ prefetchCount: 2, global: true });
      ch.txSelect();
      for (let i = 1; i <= 3; i++) pub.basicPublish({ exchange: '', routingKey: 'c', body: `m${i}` });
      pub.basicPublish({ exchange: '', routingKey: 'g', body: 'm4' });
      const got = ch.basicGet({ queue: 'g' })!; // gets are not limited by prefetch
      rig.told.push({ via: 'get', tag: got.deliveryTag, n: bodyNumber(got.message), redelivered: got.redelivered });
      ch.basicAck({ deliveryTag: 1 });
      ch.basicNack({ deliveryTag: 2, multiple: true, requeue: true });
      expect([...ch.ledger.unacked.keys()]).toEqual([3]);
      ch.basicRecover(); // only the ledger's m4 goes back; the buffered acks still hold the limit
      expect(ready('c')).toEqual([[3, false]]);
      expect(ready('g')).toEqual([[4, true]]);
      // Commit applies the buffered settles in order, as RabbitMQ's tx.commit does: the ack
      // of m1 frees a slot that m3 takes, then m2 is requeued and takes the other.
      ch.txCommit();
      expect([...ch.ledger.unacked.keys()]).toEqual([4, 5]);
      ch.basicReject({ deliveryTag: 5, requeue: false });
      ch.txRollback(); // the reject is undone: m2 is unacked again
      expect([...ch.ledger.unacked.keys()]).toEqual([4, 5]);
      expect(broker.queues.get('c')!.unackedCount).toBe(2);
      ch.close();
      expect(ready('c')).toEqual([
        [2, true],
        [3, true],
      ]);
      expect(rig.told).toEqual([
        { via: 'consumer', tag: 1, n: 1, redelivered: false },
        { via: 'consumer', tag: 2, n: 2, redelivered: false },
        { via: 'get', tag: 3, n: 4, redelivered: false },
        { via: 'consumer', tag: 4, n: 3, redelivered: false },
        { via: 'consumer', tag: 5, n: 2, redelivered: true },
        { closed: null },
      ]);
      return observe(rig);
    });
    expect(runs[1]).toEqual(runs[0]);
  });

  function txRig(global: boolean) {
    const broker = new Broker({ seed: 1 });
    const pub = broker.connect().openChannel();
    pub.queueDeclare({ queue: 'q' });
    const ch = broker.connect().openChannel();
    const delivered: Array<[number, string, boolean]> = [];
    ch.client = { deliver: (d) => delivered.push([d.deliveryTag, new TextDecoder().decode(d.message.body), d.redelivered]) };
    ch.basicQos({ prefetchCount: 1, global });
    ch.txSelect();
    return { broker, pub, ch, delivered, q: () => broker.queues.get('q')! };
  }

  // RabbitMQ (rabbit_channel basic.ack in tx mode) only records the ack;
  // the queue still holds the message for the channel, and requeues it
  // when the channel closes without tx.commit.
  it('an uncommitted ack is dropped when the channel closes: the message is requeued, redelivered', () => {
    const { pub, ch, q } = txRig(false);
    pub.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
    const got = ch.basicGet({ queue: 'q' })!;
    ch.basicAck({ deliveryTag: got.deliveryTag });
    ch.close();
    expect({ ready: q().messageCount, unacked: q().unackedCount }).toEqual({ ready: 1, unacked: 0 });
    expect(q().ready.peek()!.redelivered).toBe(true);
  });

  // The limiter and the queue's consumer credit hear of a tx ack only at
  // tx.commit (rabbit_channel settle_acks), so prefetch stays used until then.
  it('an uncommitted ack does not free prefetch: the next message waits for tx.commit', () => {
    for (const global of [false, true]) {
      const { pub, ch, delivered, q } = txRig(global);
      ch.basicConsume({ queue: 'q' });
      pub.basicPublish({ exchange: '', routingKey: 'q', body: 'a' });
      ch.basicAck({ deliveryTag: 1 });
      pub.basicPublish({ exchange: '', routingKey: 'q', body: 'b' });
      expect(delivered).toEqual([[1, 'a', false]]);
      expect(q().messageCount).toBe(1);
      ch.txCommit();
      expect(delivered).toEqual([
        [1, 'a', false],
        [2, 'b', false],
      ]);
    }
  });
});
