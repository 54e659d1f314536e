/** Small helpers shared by the conformance scenarios. */
import type { Channel, ChannelModel, ConsumeMessage, Options } from 'amqplib';
import type { ScenarioContext } from './harness.ts';

export const body = (s: string) => Buffer.from(s);

/** Declares a non-durable queue and has it deleted after the scenario. */
export async function declare(t: ScenarioContext, ch: Channel, name: string, options: Options.AssertQueue = {}): Promise<string> {
  t.cleanup('queue', name);
  await ch.assertQueue(name, { durable: false, ...options });
  return name;
}

/** Consumes into an array (null = server-sent cancel). */
export async function consumeInto(ch: Channel, queue: string, options: Options.Consume = {}) {
  const msgs: Array<ConsumeMessage | null> = [];
  const ok = await ch.consume(queue, (m) => void msgs.push(m), options);
  return { tag: ok.consumerTag, msgs };
}

/** Lets deliveries arrive until cond holds (bounded), then settles once more. */
export async function until(t: ScenarioContext, cond: () => boolean): Promise<void> {
  for (let i = 0; i < 40 && !cond(); i++) await t.settle();
  await t.settle();
}

export const contents = (msgs: Array<ConsumeMessage | null>) => msgs.map((m) => (m ? m.content.toString() : null));

/** The value recorded under a label. */
export function logged(t: ScenarioContext, label: string): unknown {
  const hit = t.log.find(([l]) => l === label);
  return hit ? hit[1] : undefined;
}

/** Polls a passive declare until the ready count is `ready` (acks and nacks are asynchronous), then records it. */
export async function checkUntil(t: ScenarioContext, ch: Channel, label: string, queue: string, ready: number) {
  let r = await ch.checkQueue(queue);
  for (let i = 0; i < 40 && r.messageCount !== ready; i++) {
    await t.settle();
    r = await ch.checkQueue(queue);
  }
  t.record(label, r);
  return r;
}

export function publishAll(ch: Channel, queue: string, names: string[]): void {
  for (const n of names) ch.sendToQueue(queue, body(n));
}

/** A connection and a watched channel on it. */
export async function open(t: ScenarioContext, label = 'ch'): Promise<{ conn: ChannelModel; ch: Channel }> {
  const conn = await t.connect();
  conn.on('error', () => {});
  const ch = await conn.createChannel();
  t.watch(label, ch);
  return { conn, ch };
}

/** Runs one operation on a fresh throw-away channel and records its outcome. */
export async function probe<T>(t: ScenarioContext, conn: ChannelModel, label: string, op: (ch: Channel) => Promise<T>): Promise<T | undefined> {
  const ch = await conn.createChannel();
  ch.on('error', () => {});
  const result = await t.attempt(label, () => op(ch));
  try {
    await ch.close();
  } catch {
    /* closed by the server */
  }
  return result;
}

/** The value recorded last under a label. */
export function lastLogged(t: ScenarioContext, label: string): unknown {
  for (let i = t.log.length - 1; i >= 0; i--) if (t.log[i][0] === label) return t.log[i][1];
  return undefined;
}

export function errorMessage(t: ScenarioContext, label: string): string | undefined {
  const v = lastLogged(t, label) as { error?: { message?: string } } | undefined;
  return v?.error?.message;
}

/** Empties a queue with basic.get, returning the bodies. */
export async function drain(ch: Channel, queue: string): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const m = await ch.get(queue, { noAck: true });
    if (!m) return out;
    out.push(m.content.toString());
  }
}
