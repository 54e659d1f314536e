/**
 * Checks a lesson's goals live: state goals against the broker as it is
 * now, event goals against what the event stream reported since the
 * tracker started (each event goal latches once it has seen `count`
 * matching events), `survived` goals against the state right after the
 * latest broker restart.
 */
import type { Broker } from '../core/broker.ts';
import type { ChannelRef, StampedEvent } from '../core/events.ts';
import { valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';
import { SNAKE_PROPERTY_NAMES, type Message } from '../core/message.ts';
import { parseBool } from '../shell/commands.ts';
import type { EventGoal, EventVerb, Goal, StateGoal } from './goals.ts';
import { checkState } from './state-check.ts';

/** The message an event is about, as goals filter it. */
interface MessageInfo {
  exchange: string;
  key: string;
  body: string;
  props: Record<string, string>;
}

type FactValue = string | number | boolean | string[];

/** One thing that happened, in the goals' terms. */
export interface Fact {
  verb: EventVerb;
  message?: MessageInfo;
  fields: Record<string, FactValue>;
}

const decoder = new TextDecoder();

function plainValue(v: FieldValue | undefined): string {
  const raw = v === undefined ? undefined : valueOf(v);
  if (raw === undefined || raw === null) return '';
  if (raw instanceof Uint8Array) return decoder.decode(raw);
  if (typeof raw === 'object') return JSON.stringify(raw);
  return String(raw);
}

function messageInfo(m: Message): MessageInfo {
  const props: Record<string, string> = {};
  for (const [k, name] of Object.entries(SNAKE_PROPERTY_NAMES)) {
    const v = (m.properties as Record<string, unknown>)[k];
    if (k !== 'headers' && v !== undefined) props[name] = String(v);
  }
  const headers: FieldTable = m.properties.headers ?? {};
  for (const [k, v] of Object.entries(headers)) props[`header.${k}`] = plainValue(v);
  if (props['header.task'] !== undefined) props.task = props['header.task'];
  return { exchange: m.exchange, key: m.routingKey, body: decoder.decode(m.body), props };
}

const at = (ref: ChannelRef) => `${ref.connection}:${ref.channel}`;

function sameValue(want: string, have: FactValue | undefined): boolean {
  if (have === undefined) return false;
  if (want === '*') return have !== '';
  if (typeof have === 'boolean') return parseBool(want) === have;
  return String(have) === want;
}

const list = (v: string) => v.split(',').filter(Boolean);

/** Does one fact satisfy an event goal's filters? */
export function factMatches(goal: EventGoal, fact: Fact): boolean {
  const verb = goal.verb === 'task' || goal.verb === 'received' ? 'routed' : goal.verb;
  if (fact.verb !== verb) return false;
  const m = fact.message;
  if (goal.verb === 'task' && m?.props.task !== goal.subject) return false;
  if (goal.verb === 'deleted' && (fact.fields.what !== goal.what || fact.fields.name !== goal.subject)) return false;
  const queues = (fact.fields.queues as string[] | undefined) ?? [];
  if (goal.flags.includes('nowhere') && queues.length) return false;
  for (const [key, want] of Object.entries(goal.props)) {
    let ok: boolean;
    if (goal.verb === 'task' || goal.verb === 'received') {
      if (key === 'queue') ok = queues.includes(want);
      else if (key === 'queues') ok = queues.length >= Number(want);
      else if (key === 'exchange') ok = m?.exchange === want;
      else if (key === 'key') ok = m?.key === want;
      else ok = messageKey(key, want, m);
    } else if (key === 'to') ok = list(want).every((q) => queues.includes(q));
    else if (key === 'not') ok = !list(want).some((q) => queues.includes(q));
    else if (key === 'via') ok = ((fact.fields.via as string[] | undefined) ?? []).includes(want);
    else if (key === 'text') ok = String(fact.fields.text ?? '').includes(want);
    else if (key in fact.fields) ok = sameValue(want, fact.fields[key]);
    else ok = messageKey(key, want, m);
    if (!ok) return false;
  }
  return true;
}

function messageKey(key: string, want: string, m: MessageInfo | undefined): boolean {
  if (!m) return false;
  if (key === 'exchange') return m.exchange === want;
  if (key === 'key') return m.key === want;
  if (key === 'body') return want === '*' ? m.body !== '' : m.body === want;
  return sameValue(want, m.props[key]);
}

export class GoalTracker {
  private broker: Broker | null = null;
  private unsubscribe: () => void = () => {};
  private counts: number[];
  /** For `first` goals: whether the first candidate event has been seen. */
  private decided: boolean[];
  private survived: boolean[];
  private messages = new Map<number, MessageInfo>();
  private deliveries = new Map<string, { queue: string; messageId: number; redelivered: boolean; consumer: boolean }>();
  private deadLetters = new Map<number, Fact>();
  /** Bumped whenever an event goal or a survived goal changes. */
  version = 0;

  constructor(readonly goals: readonly Goal[]) {
    this.counts = goals.map(() => 0);
    this.decided = goals.map(() => false);
    this.survived = goals.map(() => false);
  }

  /** Listens to a broker (again, after a rewind replaced it); what was met stays met. */
  attach(broker: Broker): void {
    if (broker === this.broker) return;
    this.unsubscribe();
    this.broker = broker;
    this.unsubscribe = broker.subscribe((e) => this.onEvent(e));
  }

  detach(): void {
    this.unsubscribe();
    this.unsubscribe = () => {};
    this.broker = null;
  }

  get attachedTo(): Broker | null {
    return this.broker;
  }

  /** Which goals are met now. */
  status(): boolean[] {
    return this.goals.map((g, i) => {
      if (g.kind === 'state') return this.broker ? checkState(this.broker, g) : false;
      if (g.kind === 'survived') return this.survived[i];
      return this.counts[i] >= g.count;
    });
  }

  private record(fact: Fact): void {
    let changed = false;
    this.goals.forEach((g, i) => {
      if (g.kind !== 'event' || this.counts[i] >= g.count) return;
      if (fact.verb === 'dead-lettered' && ('to' in g.props) !== (fact.fields.queues !== undefined)) return;
      if (g.flags.includes('first')) {
        if (this.decided[i] || fact.verb !== g.verb) return;
        if (g.props.queue !== undefined && fact.fields.queue !== g.props.queue) return;
        this.decided[i] = true;
      }
      if (factMatches(g, fact)) {
        this.counts[i]++;
        changed = true;
      }
    });
    if (changed) this.version++;
  }

  private onEvent(e: StampedEvent): void {
    const info = (id: number) => this.messages.get(id);
    switch (e.type) {
      case 'message.published': {
        const m = messageInfo(e.message);
        this.messages.set(e.message.id, m);
        if (this.messages.size > 50_000) this.messages.delete(this.messages.keys().next().value!);
        return this.record({ verb: 'published', message: m, fields: { channel: at(e.at), mandatory: e.mandatory } });
      }
      case 'message.routed': {
        const queues = e.queues;
        const dead = this.deadLetters.get(e.messageId);
        if (dead) {
          this.deadLetters.delete(e.messageId);
          this.record({ ...dead, fields: { ...dead.fields, queues, to: queues } });
        }
        return this.record({ verb: 'routed', message: info(e.messageId), fields: { queues, via: e.hops.map((h) => h.exchange) } });
      }
      case 'message.delivered': {
        const consumer = e.consumerTag !== null;
        this.deliveries.set(`${at(e.at)}#${e.deliveryTag}`, { queue: e.queue, messageId: e.messageId, redelivered: e.redelivered, consumer });
        return this.record({ verb: 'delivered', message: info(e.messageId), fields: { queue: e.queue, channel: at(e.at), tag: e.deliveryTag, redelivered: e.redelivered, consumer } });
      }
      case 'message.acked': {
        const d = this.deliveries.get(`${at(e.at)}#${e.deliveryTag}`);
        return this.record({ verb: 'acked', message: info(e.messageId), fields: { queue: e.queue, channel: at(e.at), tag: e.deliveryTag, redelivered: d?.redelivered ?? false, consumer: d?.consumer ?? false } });
      }
      case 'message.nacked':
        return this.record({ verb: 'nacked', message: info(e.messageId), fields: { queue: e.queue, channel: at(e.at), tag: e.deliveryTag, requeue: e.requeue, method: e.method } });
      case 'message.requeued':
        return this.record({ verb: 'requeued', message: info(e.messageId), fields: { queue: e.queue, reason: e.reason } });
      case 'message.dead-lettered': {
        const m = info(e.messageId);
        const dlrk = this.broker?.queues.get(e.queue)?.deadLetterRoutingKey;
        if (m) this.messages.set(e.newMessageId, { ...m, exchange: e.exchange, key: dlrk ?? m.key });
        const fact: Fact = { verb: 'dead-lettered', message: m, fields: { queue: e.queue, reason: e.reason, dlx: e.exchange } };
        this.deadLetters.set(e.newMessageId, fact);
        return this.record(fact);
      }
      case 'message.expired':
        return this.record({ verb: 'expired', message: info(e.messageId), fields: { queue: e.queue } });
      case 'message.returned':
        return this.record({ verb: 'returned', message: info(e.messageId), fields: { channel: at(e.at), code: e.replyCode } });
      case 'message.dropped':
        return this.record({ verb: 'dropped', message: info(e.messageId), fields: { queue: e.queue ?? '', reason: e.reason } });
      case 'message.confirmed':
        return this.record({ verb: 'confirmed', fields: { channel: at(e.at), ack: e.ack } });
      case 'exchange.deleted':
        return this.record({ verb: 'deleted', fields: { what: 'exchange', name: e.exchange, reason: e.reason } });
      case 'queue.deleted':
        return this.record({ verb: 'deleted', fields: { what: 'queue', name: e.queue, reason: e.reason } });
      case 'error':
        return this.record({ verb: 'error', fields: { channel: at(e.at), code: e.error.code, text: e.error.replyText, method: e.error.method } });
      case 'channel.qos':
        return this.record({ verb: 'qos', fields: { channel: at(e.at), prefetch: e.prefetchCount, global: e.global } });
      case 'consumer.added':
        return this.record({ verb: 'consumed', fields: { queue: e.queue, channel: at(e.at), exclusive: e.exclusive } });
      case 'consumer.cancelled':
        return this.record({ verb: 'cancelled', fields: { queue: e.queue, by: e.by } });
      case 'broker.restarted': {
        this.goals.forEach((g, i) => {
          if (g.kind === 'survived') this.survived[i] = checkState(this.broker!, g.state);
        });
        this.version++;
        return this.record({ verb: 'restarted', fields: {} });
      }
    }
  }
}

export type { StateGoal };
