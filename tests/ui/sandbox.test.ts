import { describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';

describe('Sandbox', () => {
  it('runs shell lines into the transcript and the projection', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare jobs');
    await s.run('basic.publish hello "" jobs');
    expect(s.transcript).toEqual([
      '-> connecting to amqp://guest@localhost:5672//.',
      '-> connected.',
      '1> queue.declare jobs',
      'ok. queue:jobs messages:0 consumers:0.',
      '2> basic.publish hello "" jobs',
      'ok.',
    ]);
    // A frame moves time by at most 250 ms (a background tab must not jump).
    for (let i = 0; i < 4; i++) s.tick(1000);
    expect(s.projection.queues.get('jobs')!.ready).toEqual([1]);
  });

  it('pauses time, steps to the next change, and plays at a chosen speed', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare q --x-message-ttl=1000');
    await s.run("basic.publish m '' q");
    s.pause();
    const t0 = s.now;
    s.tick(5000);
    expect(s.now).toBe(t0);
    s.step();
    expect(s.now).toBeGreaterThan(t0);
    s.play();
    s.setSpeed(10);
    s.tick(200);
    expect(s.broker.queues.get('q')!.messageCount).toBe(0);
  });

  it('scrubs back to an earlier moment and replays from there, forgetting what came after', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare q');
    s.tick(100);
    const before = s.now;
    s.tick(200);
    await s.run("basic.publish first '' q");
    s.tick(200);
    s.scrubTo(before);
    expect(s.reviewing).toBe(before);
    expect(s.projection.queues.get('q')!.ready).toEqual([]);
    await s.run("basic.publish second '' q");
    expect(s.reviewing).toBeNull();
    expect(s.broker.queues.get('q')!.messageCount).toBe(1);
    const got = s.broker.queues.get('q')!.ready.toArray()[0];
    expect(new TextDecoder().decode(got.message.body)).toBe('second');
  });
  it('keeps agent actions taken after a checkpoint through a rewind past them and a replay forward', async () => {
    const s = new Sandbox({ seed: 5, budget: () => () => false });
    await s.open();
    await s.run('queue.declare q');
    const w = s.agents.addConsumer({ queue: 'q', prefetch: 3, autoAck: false, processing: null });
    for (const body of ['a', 'b', 'c', 'd']) await s.run(`basic.publish ${body} '' q`);
    const early = s.now;
    // Past the periodic checkpoint: the person's actions come after it.
    for (let i = 0; i < 30; i++) s.tick(100);
    s.agents.settle(w, 'ack');
    s.tick(100);
    s.agents.settle(w, 'nack');
    s.tick(100);
    s.agents.crash(w);
    // Each action takes a checkpoint before it: a moment here replays the crash from the last one.
    for (let i = 0; i < 5; i++) s.tick(100);
    const mid = s.now;
    const then = { broker: s.broker.snapshot(), agents: s.agents.save(), story: s.storyLines().map((l) => l.text) };
    for (let i = 0; i < 10; i++) s.tick(100);
    s.scrubTo(early);
    s.scrubTo(mid);
    await s.resume();
    expect(s.broker.snapshot()).toEqual(then.broker);
    expect(s.agents.save()).toEqual(then.agents);
    expect(s.storyLines().map((l) => l.text)).toEqual(then.story);
    expect(then.story.filter((l) => l.includes('crashed'))).toHaveLength(1);
  });
  it('acts on the agents at the moment under review, so the action is one a replay keeps', async () => {
    const s = new Sandbox({ seed: 5, budget: () => () => false });
    await s.open();
    await s.run('queue.declare q');
    const w = s.agents.addConsumer({ queue: 'q', prefetch: 0, autoAck: false, processing: null });
    for (const body of ['a', 'b']) await s.run(`basic.publish ${body} '' q`);
    for (let i = 0; i < 5; i++) s.tick(100);
    const looked = s.now;
    for (let i = 0; i < 20; i++) s.tick(100);
    s.scrubTo(looked);
    await s.onAgents((agents) => agents.settle(w, 'ack'));
    expect([s.reviewing, s.now, s.broker.now]).toEqual([null, looked, looked]);
    expect(s.agents.get(w)).toMatchObject({ holding: [expect.objectContaining({ deliveryTag: 2 })] });
    const settle = s.toScenario().steps.at(-1)!;
    expect(settle).toEqual({ at: looked - s.start, agent: { op: 'settle', name: w, how: 'ack', tag: null } });
    const again = await Sandbox.fromScenario(s.toScenario());
    expect(again.broker.snapshot()).toEqual(s.broker.snapshot());
  });
  it('takes periodic checkpoints while the engine works, not while a full broker sits quiet; a rewind there replays exactly', async () => {
    const s = new Sandbox({ seed: 2, budget: () => () => false });
    await s.open();
    await s.run('queue.declare full');
    const p = s.agents.addProducer({ exchange: '', routingKeys: ['full'], body: 'm{n}', mandatory: false, count: 5000, interval: 0 });
    s.agents.start(p);
    s.tick(100);
    expect(s.broker.queues.get('full')!.messageCount).toBe(5000);
    let snapshots = 0;
    const snapshot = s.broker.snapshot.bind(s.broker);
    s.broker.snapshot = () => (snapshots++, snapshot());
    // One checkpoint after the burst's work (its last was before the burst), then, for
    // ten seconds of nothing happening to 5,000 waiting messages, none.
    for (let i = 0; i < 30; i++) s.tick(100);
    expect(snapshots).toBe(1);
    for (let i = 0; i < 100; i++) s.tick(100);
    // (Work is measured in real time: a pause of the test process may count as one more.)
    expect(snapshots).toBeLessThanOrEqual(2);
    const quiet = s.now;
    const then = s.broker.snapshot();
    s.tick(100);
    // Emptied, then busy (a steady producer and a consumer): checkpoints every two seconds again.
    await s.run('queue.purge full');
    await s.run('queue.declare flow');
    s.agents.addConsumer({ queue: 'flow', prefetch: 0, autoAck: true, processing: null });
    s.agents.start(s.agents.addProducer({ exchange: '', routingKeys: ['flow'], body: 'f{n}', mandatory: false, count: Infinity, interval: 2 }));
    snapshots = 0;
    for (let i = 0; i < 100; i++) s.tick(100);
    expect(snapshots).toBeGreaterThanOrEqual(3);
    s.scrubTo(quiet);
    await s.resume();
    expect(s.broker.snapshot()).toEqual(then);
  });
});
