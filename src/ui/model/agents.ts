/**
 * Producers and consumers as agents: clients of the engine with their own
 * connections, acting on the virtual clock. A producer publishes once, N
 * times or at a rate; a consumer consumes with auto-ack or acks after a
 * processing time, or holds messages for the person to ack, nack, reject,
 * or crash its channel. Their state is plain data, so a snapshot can carry
 * it and a restored broker can take them back.
 */
import type { Broker } from '../../core/broker.ts';
import type { Timer } from '../../core/clock.ts';
import type { Channel, DeliveryInfo } from '../../core/channel.ts';
import { AmqpError } from '../../core/errors.ts';
import type { Said } from './story.ts';

export interface ProducerState {
  kind: 'producer';
  name: string;
  exchange: string;
  /** Keys used in turn; `{n}` in a key or the body becomes the message number. */
  routingKeys: string[];
  body: string;
  mandatory: boolean;
  /** How many messages in all (Infinity: until stopped). */
  count: number;
  /** Milliseconds between messages (0: all at once). */
  interval: number;
  sent: number;
  /** Virtual time of the next publish, or null when stopped. */
  nextAt: number | null;
}

export interface ConsumerState {
  kind: 'consumer';
  name: string;
  queue: string;
  prefetch: number;
  autoAck: boolean;
  /** Ack this long after delivery; null: wait for the person. */
  processing: number | null;
  consumerTag: string | null;
  /** Deliveries being processed or waiting for the person, with when they finish. */
  holding: Array<{ deliveryTag: number; messageId: number; doneAt: number | null }>;
  received: number;
}

export type AgentState = ProducerState | ConsumerState;

/**
 * A burst (interval 0) publishes this many messages per clock timer, all at
 * the same virtual instant: a caller advancing the clock under a budget can
 * stop between them, so a big burst spreads over frames.
 */
export const BURST_CHUNK = 10;

/** Something an agent did or failed to do, for the story. */
export type AgentReport = (said: Said) => void;

export class Agents {
  readonly list: AgentState[] = [];
  private timers = new Map<string, Timer>();
  private channels = new Map<string, Channel>();

  constructor(
    private broker: Broker,
    private readonly report: AgentReport = () => {},
  ) {}

  /** A producer on its own connection; returns its name (its connection's name too). */
  addProducer(spec: Omit<ProducerState, 'kind' | 'name' | 'sent' | 'nextAt'>): string {
    const name = this.freshName('p');
    const p: ProducerState = { kind: 'producer', name, sent: 0, nextAt: null, ...spec };
    this.list.push(p);
    this.open(name);
    return name;
  }

  addConsumer(spec: Omit<ConsumerState, 'kind' | 'name' | 'consumerTag' | 'holding' | 'received'>): string {
    const name = this.freshName('w');
    const c: ConsumerState = { kind: 'consumer', name, consumerTag: null, holding: [], received: 0, ...spec };
    this.list.push(c);
    this.startConsumer(c);
    return name;
  }

  get(name: string): AgentState | undefined {
    return this.list.find((a) => a.name === name);
  }

  /** Starts (or restarts) a producer's run. */
  start(name: string): void {
    const p = this.get(name);
    if (p?.kind !== 'producer') return;
    p.sent = 0;
    p.nextAt = this.broker.now;
    // Its first message goes at this very instant, when the clock next moves (the next frame).
    this.arm(p);
  }

  stop(name: string): void {
    const p = this.get(name);
    if (p?.kind === 'producer') p.nextAt = null;
    this.clock(name);
  }

  /** The person settles a held delivery (the oldest when no tag is given). */
  settle(name: string, how: 'ack' | 'nack' | 'reject', deliveryTag?: number): void {
    const c = this.get(name);
    if (c?.kind !== 'consumer') return;
    const i = deliveryTag === undefined ? 0 : c.holding.findIndex((h) => h.deliveryTag === deliveryTag);
    const held = c.holding[i];
    if (!held) return;
    c.holding.splice(i, 1);
    const ch = this.channel(c);
    this.attempt(c.name, () => {
      if (how === 'ack') ch.basicAck({ deliveryTag: held.deliveryTag });
      else if (how === 'nack') ch.basicNack({ deliveryTag: held.deliveryTag });
      else ch.basicReject({ deliveryTag: held.deliveryTag });
    });
    this.armConsumer(c);
  }

  /** Closes the consumer's channel: what it held goes back to the queue, redelivered. */
  crash(name: string): void {
    const c = this.get(name);
    if (c?.kind !== 'consumer') return;
    this.channels.get(c.name)?.close();
    c.holding = [];
    c.consumerTag = null;
    this.clock(c.name);
    this.report({ key: 'story.agent.crashed', params: { name: c.name } });
  }

  /** Starts a crashed consumer again on a fresh channel. */
  restart(name: string): void {
    const c = this.get(name);
    if (c?.kind === 'consumer' && c.consumerTag === null) this.startConsumer(c);
  }

  remove(name: string): void {
    this.clock(name);
    this.broker.connections.get(name)?.close();
    this.channels.delete(name);
    const i = this.list.findIndex((a) => a.name === name);
    if (i >= 0) this.list.splice(i, 1);
  }

  /** The agents' state, for a snapshot. */
  save(): AgentState[] {
    return structuredClone(this.list);
  }

  /** Takes agents back onto a restored broker (their connections are in its snapshot). */
  restore(broker: Broker, states: AgentState[]): void {
    for (const t of this.timers.values()) this.broker.clock.cancel(t);
    this.timers.clear();
    this.channels.clear();
    this.broker = broker;
    this.list.splice(0, this.list.length, ...structuredClone(states));
    for (const a of this.list) {
      const ch = broker.connections.get(a.name)?.channels.get(1);
      if (ch) {
        this.channels.set(a.name, ch);
        if (a.kind === 'consumer') ch.client = { deliver: (d) => this.onDeliver(a, d) };
      }
      if (a.kind === 'producer') this.arm(a);
      else this.armConsumer(a);
    }
  }

  private freshName(prefix: string): string {
    for (let i = 0; ; i++) {
      const name = prefix + String.fromCharCode(97 + (i % 26)).repeat(1 + Math.floor(i / 26));
      if (!this.get(name) && !this.broker.connections.has(name)) return name;
    }
  }

  private open(name: string): Channel {
    const ch = this.broker.connect({ name }).openChannel();
    this.channels.set(name, ch);
    return ch;
  }

  private channel(a: AgentState): Channel {
    const ch = this.channels.get(a.name);
    if (ch && ch.isOpen) return ch;
    const conn = this.broker.connections.get(a.name) ?? this.broker.connect({ name: a.name });
    const fresh = conn.openChannel();
    this.channels.set(a.name, fresh);
    return fresh;
  }

  private startConsumer(c: ConsumerState): void {
    const ch = this.channels.get(c.name)?.isOpen ? this.channels.get(c.name)! : this.channel(c);
    ch.client = { deliver: (d) => this.onDeliver(c, d) };
    this.attempt(c.name, () => {
      if (c.prefetch > 0) ch.basicQos({ prefetchCount: c.prefetch });
      c.consumerTag = ch.basicConsume({ queue: c.queue, noAck: c.autoAck, consumerTag: c.name }).consumerTag;
    });
  }

  private onDeliver(c: ConsumerState, d: DeliveryInfo): void {
    c.received++;
    if (c.autoAck) return;
    c.holding.push({ deliveryTag: d.deliveryTag, messageId: d.message.id, doneAt: c.processing === null ? null : this.broker.now + c.processing });
    this.armConsumer(c);
  }

  /** A consumer's next automatic ack. */
  private armConsumer(c: ConsumerState): void {
    this.clock(c.name);
    const due = c.holding.filter((h) => h.doneAt !== null).sort((a, b) => a.doneAt! - b.doneAt!)[0];
    if (!due) return;
    this.timers.set(
      c.name,
      this.broker.clock.setTimer(due.doneAt!, () => {
        this.timers.delete(c.name);
        this.settle(c.name, 'ack', due.deliveryTag);
      }),
    );
  }

  private arm(p: ProducerState): void {
    this.clock(p.name);
    if (p.nextAt === null) return;
    this.timers.set(
      p.name,
      this.broker.clock.setTimer(p.nextAt, () => {
        this.timers.delete(p.name);
        this.publishDue(p);
      }),
    );
  }

  private publishDue(p: ProducerState): void {
    const burst = p.interval === 0 ? BURST_CHUNK : 1;
    const ch = this.channel(p);
    for (let i = 0; i < burst && p.sent < p.count; i++) {
      const n = ++p.sent;
      const key = p.routingKeys.length ? p.routingKeys[(n - 1) % p.routingKeys.length] : '';
      const ok = this.attempt(p.name, () =>
        ch.basicPublish({ exchange: p.exchange, routingKey: key.replaceAll('{n}', String(n)), mandatory: p.mandatory, body: p.body.replaceAll('{n}', String(n)) }),
      );
      if (!ok) {
        p.nextAt = null;
        return;
      }
    }
    p.nextAt = p.sent < p.count ? this.broker.now + p.interval : null;
    this.arm(p);
  }

  /** Runs an engine call; an AMQP error goes to the story instead of up. */
  private attempt(name: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      if (!(e instanceof AmqpError)) throw e;
      this.report({ key: 'story.agent.error', params: { name, reply: e.replyText } });
      return false;
    }
  }

  private clock(name: string): void {
    const t = this.timers.get(name);
    if (t) this.broker.clock.cancel(t);
    this.timers.delete(name);
  }
}
