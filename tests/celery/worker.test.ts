/**
 * Simulated workers: prefetch = concurrency × worker_prefetch_multiplier,
 * early and late acknowledgement, and what the seed's "priority order and
 * prefetch" paragraph says, made observable.
 */
import { describe, expect, it } from 'vitest';
import { CelerySandbox } from '../../src/celery/index.ts';

const PRIORITY_QUEUE = "task_queue_max_priority = 10\n";

/** One long task keeps the worker busy; then six low-priority tasks and one high-priority task arrive at once. */
function burst(config: string, worker: { prefetchMultiplier?: number; acksLate?: boolean }): string[] {
  const celery = CelerySandbox.load(config);
  const w = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 1000, ...worker });
  celery.send('tasks.first');
  celery.advance(10);
  for (let i = 1; i <= 6; i++) celery.send(`tasks.low${i}`, { options: { priority: 1 } });
  celery.send('tasks.high', { options: { priority: 9 } });
  celery.advance(10_000);
  return w.runs.map((r) => r.task.replace('tasks.', ''));
}

describe('prefetch and priority', () => {
  it('asks for concurrency × worker_prefetch_multiplier messages per consumer (basic.qos, global=false)', () => {
    const celery = CelerySandbox.load('worker_prefetch_multiplier = 3\n');
    const events: Array<{ prefetchCount: number; global: boolean }> = [];
    celery.broker.subscribe((e) => {
      if (e.type === 'channel.qos') events.push({ prefetchCount: e.prefetchCount, global: e.global });
    });
    const w = celery.startWorker({ name: 'w1', concurrency: 4 });
    expect(w.prefetchCount).toBe(12);
    expect(events).toEqual([{ prefetchCount: 12, global: false }]);
  });

  it('with the default multiplier (4) a burst loses its priority order: the high-priority task waits behind prefetched ones', () => {
    expect(burst(PRIORITY_QUEUE, {})).toEqual(['first', 'low1', 'low2', 'low3', 'low4', 'high', 'low5', 'low6']);
  });

  it('with worker_prefetch_multiplier = 1 it keeps it: the high-priority task overtakes all but the one already prefetched', () => {
    expect(burst(`${PRIORITY_QUEUE}worker_prefetch_multiplier = 1\n`, {})).toEqual(['first', 'low1', 'high', 'low2', 'low3', 'low4', 'low5', 'low6']);
  });

  it('with multiplier 1 and late acks nothing is prefetched behind a running task, so the high-priority task runs next', () => {
    expect(burst(`${PRIORITY_QUEUE}worker_prefetch_multiplier = 1\ntask_acks_late = True\n`, {})).toEqual(['first', 'high', 'low1', 'low2', 'low3', 'low4', 'low5', 'low6']);
  });

  it('without x-max-priority on the queue RabbitMQ ignores priorities whatever the prefetch', () => {
    expect(burst('worker_prefetch_multiplier = 1\ntask_acks_late = True\n', {})).toEqual(['first', 'low1', 'low2', 'low3', 'low4', 'low5', 'low6', 'high']);
  });

  it("counts a priority above the queue's x-max-priority as the maximum", () => {
    const celery = CelerySandbox.load(`${PRIORITY_QUEUE}worker_prefetch_multiplier = 1\ntask_acks_late = True\n`);
    celery.send('tasks.p20', { options: { priority: 20 } });
    celery.send('tasks.p9', { options: { priority: 9 } });
    celery.send('tasks.p10', { options: { priority: 10 } });
    const w = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 10 });
    celery.advance(1000);
    expect(w.runs.map((r) => r.task)).toEqual(['tasks.p20', 'tasks.p10', 'tasks.p9']);
  });

  it('on RabbitMQ a higher number is delivered first: priority 0 is the lowest, not the highest', () => {
    const celery = CelerySandbox.load(`${PRIORITY_QUEUE}worker_prefetch_multiplier = 1\ntask_acks_late = True\n`);
    for (const p of [0, 5, 9, 0, 3]) celery.send(`tasks.p${p}`, { options: { priority: p } });
    const w = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 10 });
    celery.advance(1000);
    expect(w.runs.map((r) => r.priority)).toEqual([9, 5, 3, 0, 0]);
  });
});

describe('acknowledgement when a worker crashes mid-task', () => {
  function crashMidTask(config: string) {
    const celery = CelerySandbox.load(config);
    const w1 = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 1000 });
    const sent = celery.send('tasks.report', { args: [1] });
    celery.send('tasks.report', { args: [2] });
    celery.advance(500);
    expect(w1.active).toBe(1);
    expect(w1.reserved).toBe(1);
    celery.crashWorker('w1');
    const queue = celery.broker.queues.get('celery')!;
    const ready = queue.messageCount;
    const w2 = celery.startWorker({ name: 'w2', concurrency: 1, taskDuration: 1000 });
    celery.advance(5000);
    return { sent, w1, w2, ready };
  }

  it('early acks (the default): the running task was acked when it started, so it is lost; the prefetched one comes back', () => {
    const { sent, w1, w2, ready } = crashMidTask('');
    expect(w1.state).toBe('crashed');
    expect(w1.runs.map((r) => [r.id, r.outcome, r.acksLate])).toEqual([[sent.id, 'lost', false]]);
    expect(ready).toBe(1);
    expect(w2.runs).toHaveLength(1);
    expect(w2.runs[0]).toMatchObject({ redelivered: true, outcome: 'ok' });
    expect(w2.runs[0].id).not.toBe(sent.id);
  });

  it('late acks (task_acks_late = True): the running task was never acked, so it is redelivered and runs again', () => {
    const { sent, w1, w2, ready } = crashMidTask('task_acks_late = True\n');
    expect(w1.runs.map((r) => [r.id, r.outcome, r.acksLate])).toEqual([[sent.id, 'lost', true]]);
    expect(ready).toBe(2);
    expect(w2.runs.map((r) => [r.id, r.redelivered, r.outcome])).toEqual([
      [sent.id, true, 'ok'],
      [w2.runs[1].id, true, 'ok'],
    ]);
  });

  it("a task's own acks_late wins over the setting", () => {
    const { sent, w2 } = crashMidTask("@app.task(name='tasks.report', acks_late=True)\ndef report(n):\n    return n\n");
    expect(w2.runs[0].id).toBe(sent.id);
  });

  it('a warm shutdown lets the running task finish and gives back what was only prefetched', () => {
    const celery = CelerySandbox.load('');
    const w = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 1000 });
    celery.send('tasks.a');
    celery.send('tasks.b');
    celery.advance(400);
    celery.stopWorker('w1');
    expect(w.state).toBe('stopping');
    celery.advance(1000);
    expect(w.state).toBe('stopped');
    expect(w.runs.map((r) => [r.task, r.outcome, r.finishedAt])).toEqual([['tasks.a', 'ok', celery.broker.now - 400]]);
    expect(celery.broker.queues.get('celery')!.messageCount).toBe(1);
  });
});

describe('workers and their queues', () => {
  it('act on a delivery after the broker call that delivered it, at the same virtual time', () => {
    const celery = CelerySandbox.load('');
    const w = celery.startWorker({ name: 'w1', concurrency: 1, taskDuration: 1000 });
    celery.send('tasks.a');
    expect([w.reserved, w.active]).toEqual([1, 0]);
    const unacked = () => celery.broker.queues.get('celery')!.unackedCount;
    expect(unacked()).toBe(1);
    celery.advance(0);
    expect([w.reserved, w.active, unacked()]).toEqual([0, 1, 0]);
    expect(w.runs[0].startedAt).toBe(w.runs[0].receivedAt);
  });

  it('consume only the queues named with -Q', () => {
    const celery = CelerySandbox.load("task_queues = (Queue('a'), Queue('b'))\n");
    const w = celery.startWorker({ name: 'w1', queues: ['b'], taskDuration: 10 });
    celery.send('tasks.x', { options: { queue: 'a' } });
    celery.send('tasks.y', { options: { queue: 'b' } });
    celery.advance(100);
    expect(w.queueNames).toEqual(['b']);
    expect(w.runs.map((r) => r.task)).toEqual(['tasks.y']);
    expect(celery.broker.queues.get('a')!.messageCount).toBe(1);
  });

  it('run at most `concurrency` tasks at once, in the order received', () => {
    const celery = CelerySandbox.load('');
    const w = celery.startWorker({ name: 'w1', concurrency: 2, taskDuration: { 'tasks.slow': 3000 } });
    for (const t of ['slow', 'a', 'b', 'c']) celery.send(`tasks.${t}`);
    celery.advance(100);
    expect(w.active).toBe(2);
    celery.advance(10_000);
    expect(w.runs.map((r) => [r.task, r.startedAt - celery.broker.clock.now + 10_100])).toEqual([
      ['tasks.slow', 0],
      ['tasks.a', 0],
      ['tasks.b', 1000],
      ['tasks.c', 2000],
    ]);
  });

  it("get a Broadcast queue each, so every worker runs a broadcast task (the seed's broadcast example)", () => {
    const seed = [
      'from kombu.common import Broadcast',
      '',
      "app.conf.task_queues = (Broadcast('broadcast_tasks'),)",
      'app.conf.task_routes = {',
      "    'tasks.reload_cache': {",
      "        'queue': 'broadcast_tasks',",
      "        'exchange': 'broadcast_tasks'",
      '    }',
      '}',
      '',
    ].join('\n');
    const celery = CelerySandbox.load(seed);
    const w1 = celery.startWorker({ name: 'w1', taskDuration: 10 });
    const w2 = celery.startWorker({ name: 'w2', taskDuration: 10 });
    expect(w1.queueNames[0]).toMatch(/^bcast\./);
    expect(w1.queueNames[0]).not.toBe(w2.queueNames[0]);
    const r = celery.send('tasks.reload_cache');
    celery.advance(100);
    expect(r.queues.sort()).toEqual([w1.queueNames[0], w2.queueNames[0]].sort());
    expect([w1.runs.map((x) => x.id), w2.runs.map((x) => x.id)]).toEqual([[r.id], [r.id]]);
  });

  it('refuse to start when the broker refuses their declarations, like celery worker', () => {
    const celery = CelerySandbox.load('task_queue_max_priority = 10\n');
    celery.broker.connect().openChannel().queueDeclare({ queue: 'celery', durable: true });
    expect(() => celery.startWorker({ name: 'w1' })).toThrow("PRECONDITION_FAILED - inequivalent arg 'x-max-priority' for queue 'celery' in vhost '/': received the value '10' of type 'signedint' but current is none");
  });
});
