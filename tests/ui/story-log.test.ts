import { describe, expect, it } from 'vitest';
import type { StampedEvent } from '../../src/core/events.ts';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';
import { StoryLog } from '../../src/ui/model/story-log.ts';
import { tell, tells } from '../../src/ui/model/story.ts';

const never = () => () => false;

/** A sandbox that has been through most of what the engine reports: topology, agents, acks, nacks, a crash, DLX, TTL, returns. */
async function busy(): Promise<{ s: Sandbox; events: StampedEvent[] }> {
  const s = new Sandbox({ seed: 3, budget: never });
  const events: StampedEvent[] = [];
  s.broker.subscribe((e) => events.push(e));
  await s.open();
  for (const line of [
    'exchange.declare dlx fanout',
    'queue.declare dead',
    'queue.bind dead dlx',
    'queue.declare work --x-message-ttl=300 --x-dead-letter-exchange=dlx',
    'queue.declare held',
    "basic.publish a '' work",
    "basic.publish b '' nowhere --mandatory",
    'basic.qos 1',
  ])
    await s.run(line);
  const w = s.agents.addConsumer({ queue: 'held', prefetch: 2, autoAck: false, processing: null });
  s.agents.addConsumer({ queue: 'dead', prefetch: 0, autoAck: true, processing: null });
  const p = s.agents.addProducer({ exchange: '', routingKeys: ['held'], body: 'h{n}', mandatory: false, count: 4, interval: 0 });
  s.agents.start(p);
  for (let i = 0; i < 10; i++) s.tick(100);
  s.agents.settle(w, 'ack');
  s.agents.settle(w, 'nack');
  s.tick(100);
  s.agents.crash(w);
  for (let i = 0; i < 10; i++) s.tick(100);
  return { s, events };
}

describe('StoryLog', () => {
  it('tells exactly the events `tell` has words for', async () => {
    const { events } = await busy();
    const kinds = new Set(events.map((e) => e.type));
    expect(kinds.size).toBeGreaterThan(15);
    for (const e of events) expect([e.type, tells(e)]).toEqual([e.type, tell(e) !== null]);
  });

  it('keeps the whole story of a burst, any window of it readable, and forgets what a rewind undoes', async () => {
    const s = new Sandbox({ seed: 1, budget: never });
    await s.open();
    for (const line of ['exchange.declare burst fanout', 'queue.declare q1', 'queue.declare q2', 'queue.bind q1 burst', 'queue.bind q2 burst']) await s.run(line);
    const p = s.agents.addProducer({ exchange: 'burst', routingKeys: [''], body: 'b{n}', mandatory: false, count: 1000, interval: 0 });
    const before = s.storyLog.length;
    s.agents.start(p);
    s.tick(16);
    const after = s.broker.now;
    s.flushStory(true);
    // Per message: published, routed, and enqueued in each queue.
    expect(s.storyLength - before).toBe(1000 * 4);
    const first = s.storyLines(before, before + 4).map((l) => l.text);
    expect(first[0]).toBe("Message #1 published by pa:1 to exchange burst with key ''.");
    expect(first[1]).toBe('Message #1 routed to q1, q2.');
    const last = s.storyLines(s.storyLength - 1)[0];
    expect([last.seq, last.text]).toEqual([s.storyLength - 1, 'Message #1000 waits in q2 (1000 ready).']);
    s.tick(500);
    await s.run("basic.publish late '' q1");
    const count = s.storyLog.length;
    const late = (l: { text: string }) => l.text.startsWith('Message #1001 ');
    expect(s.storyLines().some(late)).toBe(true);
    s.scrubTo(after);
    await s.resume();
    expect(s.storyLength).toBe(before + 1000 * 4);
    expect(s.storyLength).toBeLessThan(count);
    expect(s.storyLines().some(late)).toBe(false);
  });

  it('counts the lines told by a time and keeps agents’ lines between the engine’s', () => {
    const log = new StoryLog();
    const at = (time: number): StampedEvent => ({ type: 'queue.purged', queue: 'q', count: 0, time, seq: time });
    log.event(at(10));
    log.event({ type: 'clock.advanced', from: 10, to: 20, time: 20, seq: 0 });
    log.note(20, { key: 'story.agent.crashed', params: { name: 'w1' } });
    log.event(at(30));
    expect([log.length, log.countUpTo(9), log.countUpTo(20), log.countUpTo(99)]).toEqual([3, 0, 2, 3]);
    expect(log.lines(1, 2).map((l) => [l.seq, l.text])).toEqual([[1, 'w1 crashed: its channel closed.']]);
    log.forgetAfter(20);
    expect(log.length).toBe(2);
  });
});
