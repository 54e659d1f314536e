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
});
