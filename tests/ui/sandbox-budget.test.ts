import { describe, expect, it, vi } from 'vitest';
import type { StampedEvent } from '../../src/core/events.ts';
import { BURST_CHUNK } from '../../src/ui/model/agents.ts';
import { FRAME_BUDGET_MS, MIN_ENGINE_MS, Sandbox, VIEW_FRAME_BUDGET_MS } from '../../src/ui/sandbox.svelte.ts';

/**
 * The same script, with the engine's work cut into frames or not, must give
 * the same story: a budget only decides where a frame stops, never what
 * happens or when (in virtual time).
 */
async function script(budget: () => () => boolean): Promise<{ events: StampedEvent[]; transcript: string[]; frames: number; end: number }> {
  const s = new Sandbox({ seed: 7, budget });
  const events: StampedEvent[] = [];
  s.broker.subscribe((e) => events.push(e));
  await s.open();
  for (const line of [
    'exchange.declare fan fanout',
    'queue.declare a --x-message-ttl=1500',
    'queue.declare b',
    'queue.bind a fan',
    'queue.bind b fan',
  ])
    await s.run(line);
  s.agents.addConsumer({ queue: 'a', prefetch: 3, autoAck: false, processing: 40 });
  s.agents.addConsumer({ queue: 'b', prefetch: 0, autoAck: true, processing: null });
  const steady = s.agents.addProducer({ exchange: 'fan', routingKeys: ['k{n}'], body: 's{n}', mandatory: false, count: 200, interval: 7 });
  s.agents.start(steady);
  const burst = s.agents.addProducer({ exchange: 'fan', routingKeys: [''], body: 'b{n}', mandatory: false, count: 6 * BURST_CHUNK + 13, interval: 0 });
  s.agents.start(burst);
  // Typed while the burst is still going: it happens after the burst's instant.
  await s.run("basic.publish typed fan ''");
  // A sleep over busy agents: paced in slices when a budget says so.
  await s.run('sleep 0.5');
  let frames = 0;
  const until = s.broker.now + 3000;
  while (s.broker.now < until) {
    s.tick(16);
    frames++;
  }
  return { events, transcript: [...s.transcript], frames, end: s.broker.now };
}

/** What happened before `t`, without the clock's own reports (a sliced advance reports each slice). */
const story = (events: StampedEvent[], t: number) =>
  events.filter((e) => e.type !== 'clock.advanced' && e.time < t).map(({ seq: _seq, ...rest }) => rest);

/** An open sandbox whose engine never runs out of budget, and the budgets (ms) it asks for from now on. */
async function askedBudgets(): Promise<{ s: Sandbox; asked: number[] }> {
  const asked: number[] = [];
  const s = new Sandbox({
    budget: (ms) => {
      asked.push(ms);
      return () => false;
    },
  });
  await s.open();
  asked.length = 0;
  return { s, asked };
}

describe('Sandbox under a frame budget', () => {
  it('gives the same events and transcript whether engine work is cut into frames or not', async () => {
    const whole = await script(() => () => false);
    const everyTimer = await script(() => () => true);
    let n = 0;
    const everyThird = await script(() => () => ++n % 3 === 0);
    const t = Math.min(whole.end, everyTimer.end, everyThird.end);
    const expected = story(whole.events, t);
    expect(expected.filter((e) => e.type === 'message.published').length).toBeGreaterThan(6 * BURST_CHUNK + 13);
    expect(expected.some((e) => e.type === 'message.expired')).toBe(true);
    expect(story(everyTimer.events, t)).toEqual(expected);
    expect(story(everyThird.events, t)).toEqual(expected);
    expect(everyTimer.transcript).toEqual(whole.transcript);
    // It did cut: frames that stopped early left time behind, so more frames were needed.
    expect(everyTimer.frames).toBeGreaterThan(whole.frames);
  });

  it('publishes a burst in chunks at one virtual instant, a chunk per frame when each frame has room for one', async () => {
    const s = new Sandbox({ budget: () => () => true });
    await s.open();
    await s.run('queue.declare q');
    const name = s.agents.addProducer({ exchange: '', routingKeys: ['q'], body: 'm{n}', mandatory: false, count: 2 * BURST_CHUNK + 1, interval: 0 });
    const t0 = s.broker.now;
    s.agents.start(name);
    expect(s.broker.queues.get('q')!.messageCount).toBe(0);
    s.pause();
    s.tick(16);
    expect(s.broker.queues.get('q')!.messageCount).toBe(BURST_CHUNK);
    s.tick(16);
    expect(s.broker.queues.get('q')!.messageCount).toBe(2 * BURST_CHUNK);
    s.tick(16);
    expect(s.broker.queues.get('q')!.messageCount).toBe(2 * BURST_CHUNK + 1);
    expect(s.broker.now).toBe(t0);
    expect(s.agents.get(name)).toMatchObject({ sent: 2 * BURST_CHUNK + 1, nextAt: null });
  });

  it('finishes what is due at this instant before a typed line, as a replay from a checkpoint does', async () => {
    const s = new Sandbox({ budget: () => () => true });
    await s.open();
    await s.run('queue.declare q');
    s.pause();
    const name = s.agents.addProducer({ exchange: '', routingKeys: ['q'], body: 'm{n}', mandatory: false, count: 3 * BURST_CHUNK, interval: 0 });
    s.agents.start(name);
    await s.run("basic.publish typed '' q");
    const bodies = s.broker.queues.get('q')!.ready.toArray().map((m) => new TextDecoder().decode(m.message.body));
    expect(bodies).toHaveLength(3 * BURST_CHUNK + 1);
    expect(bodies.at(-1)).toBe('typed');
    expect(bodies.at(-2)).toBe(`m${3 * BURST_CHUNK}`);
  });

  it("gives the engine less of a frame when the views follow in it, and the story's new lines follow a frame later", async () => {
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => clock);
    try {
      const { s, asked } = await askedBudgets();
      await s.run('queue.declare q');
      s.agents.start(s.agents.addProducer({ exchange: '', routingKeys: ['q'], body: 'm{n}', mandatory: false, count: Infinity, interval: 50 }));
      asked.length = 0;
      const frames: Array<{ views: boolean; story: boolean }> = [];
      for (let i = 0; i < 80; i++) {
        clock += 20;
        const before = { now: s.now, story: s.storyLength };
        s.tick(20, clock);
        frames.push({ views: s.now !== before.now, story: s.storyLength !== before.story });
      }
      // Every fifth frame of 20 ms is one where the views follow (VIEW_EVERY_MS = 100).
      const viewFrames = frames.flatMap((f, i) => (f.views ? [i] : []));
      expect(viewFrames.length).toBeGreaterThanOrEqual(15);
      expect(viewFrames.slice(1).map((i, k) => i - viewFrames[k])).toEqual(viewFrames.slice(1).map(() => 5));
      // The story at most four times a second (1.6 s of frames), never with the views.
      const storyFrames = frames.flatMap((f, i) => (f.story ? [i] : []));
      expect(storyFrames.length).toBeGreaterThanOrEqual(4);
      expect(storyFrames.length).toBeLessThanOrEqual(7);
      for (const i of storyFrames) expect([frames[i - 1].views, frames[i].views]).toEqual([true, false]);
      frames.forEach((f, i) => expect(asked[i]).toBe(f.views || f.story ? VIEW_FRAME_BUDGET_MS : FRAME_BUDGET_MS));
    } finally {
      now.mockRestore();
    }
  });

  it("counts the engine's budget from the frame's beginning, leaving it at least MIN_ENGINE_MS", async () => {
    const { s, asked } = await askedBudgets();
    s.tick(16, performance.now() - 2);
    s.tick(16, performance.now() - 50);
    expect(asked[0]).toBeLessThanOrEqual(FRAME_BUDGET_MS - 2);
    expect(asked[0]).toBeGreaterThan(FRAME_BUDGET_MS - 3);
    expect(asked[1]).toBe(MIN_ENGINE_MS);
  });

  it('takes a due periodic checkpoint at the start of the next frame, before the engine works in it', async () => {
    const order: string[] = [];
    const s = new Sandbox({ budget: () => (order.push('engine'), () => false) });
    await s.open();
    await s.run('queue.declare flow');
    s.agents.addConsumer({ queue: 'flow', prefetch: 0, autoAck: true, processing: null });
    s.agents.start(s.agents.addProducer({ exchange: '', routingKeys: ['flow'], body: 'f{n}', mandatory: false, count: Infinity, interval: 2 }));
    order.length = 0;
    const snapshot = s.broker.snapshot.bind(s.broker);
    s.broker.snapshot = () => (order.push('checkpoint'), snapshot());
    for (let i = 0; i < 100 && !order.includes('checkpoint'); i++) {
      order.push('frame');
      s.tick(100);
    }
    const at = order.indexOf('checkpoint');
    expect(at).toBeGreaterThan(0);
    expect(order.slice(at - 1, at + 2)).toEqual(['frame', 'checkpoint', 'engine']);
  });
});
