/** Small helpers shared by the conformance scenarios. */
import type { Channel, ConsumeMessage, Options } from 'amqplib';
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
