/**
 * The Celery panel's state on the page's own broker: load with errors at
 * line and column, declares in the topology, the router's decision, workers,
 * and a rewind of the timeline.
 */
import { describe, expect, it } from 'vitest';
import { CeleryPanel, SEED_CONFIG, type SendForm, type WorkerForm } from '../../src/ui/celery.svelte.ts';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';
import { whyRouted } from '../../src/ui/model/celery-why.ts';
import { say } from '../../src/ui/model/story.ts';
import { setLang } from '../../src/i18n/index.svelte.ts';

const form = (task: string, more: Partial<SendForm> = {}): SendForm => ({ task, args: '', queue: '', routingKey: '', priority: '', ...more });
const worker = (name: string, more: Partial<WorkerForm> = {}): WorkerForm => ({ name, concurrency: 1, prefetchMultiplier: 1, acksLate: false, taskDuration: 1000, queues: '', ...more });

async function panel(): Promise<{ s: Sandbox; celery: CeleryPanel }> {
  const s = new Sandbox();
  await s.open();
  const celery = new CeleryPanel(s);
  expect(await celery.load()).toBe(true);
  return { s, celery };
}

const play = (s: Sandbox, ms: number) => {
  for (let t = 0; t < ms; t += 250) s.tick(250);
};

describe('CeleryPanel', () => {
  it("loads the seed's configuration onto the page's broker: its queues, exchanges and bindings appear in the topology", async () => {
    const { s, celery } = await panel();
    expect(celery.problem).toBeNull();
    expect(celery.declared!.error).toBeUndefined();
    expect(celery.declared!.amqp.filter((c) => c.method === 'queue_declare').map((c) => c.method === 'queue_declare' && c.queue)).toEqual(['default', 'videos', 'images']);
    play(s, 1000);
    expect([...s.projection.queues.keys()].sort()).toEqual(['default', 'images', 'videos']);
    expect([...s.projection.exchanges.keys()]).toEqual(expect.arrayContaining(['default', 'media']));
    expect([...s.projection.edges.values()].filter((e) => e.kind === 'binding').map((e) => e.label).sort()).toEqual(['default', 'media.image', 'media.video']);
  });

  it('shows a configuration error at its line and column, and keeps the configuration that was loaded', async () => {
    const { s, celery } = await panel();
    celery.source = "task_routes = {\n    'a': {'queue': 'x'},\n]\n";
    expect(await celery.load()).toBe(false);
    expect(celery.problem).toMatchObject({ type: 'SyntaxError', line: 3, column: 1 });
    expect(celery.problem!.report).toContain("SyntaxError: closing parenthesis ']' does not match opening parenthesis '{' on line 1");
    expect(celery.loaded).toBe(true);
    expect((await celery.send(form('tasks.add')))!.queues).toEqual(['default']);
    expect(s.broker.queues.get('default')!.messageCount).toBe(1);
  });

  it("routes by the seed's task_routes, says why, and a worker runs the task", async () => {
    const { s, celery } = await panel();
    const r = (await celery.send(form('myapp.tasks.compress_video', { args: '[1]' })))!;
    expect(r.error).toBeUndefined();
    expect(r.queues).toEqual(['video']);
    expect(r.trace).toMatchObject({ optionsQueue: null, answered: { index: 0, kind: 'map', key: 'myapp.tasks.compress_video' }, queue: 'video' });
    expect(s.broker.queues.get('video')!.messageCount).toBe(1);
    // The glob key sends resize tasks to images, through the media exchange's binding.
    const img = (await celery.send(form('myapp.tasks.resize_image')))!;
    expect([img.exchange, img.routing_key, img.queues]).toEqual(['', 'images', ['images']]);
    expect(await celery.startWorker(worker('w1', { queues: 'video' }))).toBeNull();
    play(s, 2000);
    const [w] = celery.workers();
    expect(w).toMatchObject({ name: 'w1', state: 'running', queues: ['video'], done: 1, active: 0 });
    expect(w.runs[0]).toMatchObject({ task: 'myapp.tasks.compress_video', queue: 'video', outcome: 'ok' });
    expect(s.broker.queues.get('video')!.messageCount).toBe(0);
  });

  it("lets apply_async's queue, routing key and priority override the route", async () => {
    const { celery } = await panel();
    const r = (await celery.send(form('myapp.tasks.compress_video', { queue: 'videos', priority: '5' })))!;
    expect(r.trace).toMatchObject({ optionsQueue: 'videos', answered: { index: 0 }, queue: 'videos' });
    expect([r.exchange, r.routing_key, r.priority, r.queues]).toEqual(['', 'videos', 5, ['videos']]);
    expect(celery.sent.at(-1)!.options).toEqual({ queue: 'videos', priority: 5 });
    expect(await celery.send(form('tasks.add', { args: '{"x": 1}' }))).toBeNull();
    expect(say(celery.formError!)).toBe('args must be a JSON list, e.g. [4, 4]');
    expect(await celery.send(form('tasks.add', { args: '[4,' }))).toBeNull();
    expect(say(celery.formError!)).toBe('args must be JSON, e.g. [4, 4]');
    await celery.startWorker(worker('w1'));
    expect(await celery.startWorker(worker('w1'))).toEqual({ key: 'celery.worker.name-taken', params: { name: 'w1' } });
    celery.source = 'task_create_missing_queues = False\n';
    await celery.load();
    expect(await celery.startWorker(worker('w9', { queues: 'nope' }))).toEqual({ key: 'celery.worker.failed', params: { error: "QueueNotFound: Queue 'nope' missing from task_queues" } });
  });

  it('a crashed worker with acks_late gives its task back, redelivered, and a second worker runs it', async () => {
    const { s, celery } = await panel();
    await celery.startWorker(worker('w1', { acksLate: true, taskDuration: 5000 }));
    await celery.send(form('tasks.add'));
    play(s, 500);
    expect(celery.workers()[0].active).toBe(1);
    await celery.crashWorker('w1');
    expect(celery.workers()[0].state).toBe('crashed');
    expect(s.broker.queues.get('default')!.messageCount).toBe(1);
    await celery.startWorker(worker('w2', { taskDuration: 100 }));
    play(s, 1000);
    const w2 = celery.workers().find((w) => w.name === 'w2')!;
    expect(w2.runs[0]).toMatchObject({ task: 'tasks.add', redelivered: true, outcome: 'ok' });
  });

  it('after a rewind, the workers running then start again on the restored broker, and nothing is left stuck', async () => {
    const { s, celery } = await panel();
    await celery.startWorker(worker('w1', { taskDuration: 10_000 }));
    play(s, 500);
    const before = s.now;
    play(s, 250);
    await celery.send(form('tasks.add'));
    play(s, 1000);
    expect(celery.workers()[0].active).toBe(1);
    s.scrubTo(before);
    await celery.send(form('tasks.add', { args: '[2]' }));
    expect(s.reviewing).toBeNull();
    // One worker, on a fresh connection; the old one's connection is gone from the restored broker.
    expect(celery.workers().map((w) => [w.name, w.state])).toEqual([['w1', 'running']]);
    expect(celery.sent).toHaveLength(1);
    s.play();
    play(s, 500);
    expect(celery.workers()[0].active).toBe(1);
    const consumers = [...s.broker.queues.get('default')!.consumers].length;
    expect(consumers).toBe(1);
  });

  it('starts with the seed text', () => {
    expect(SEED_CONFIG).toContain("'myapp.tasks.compress_video': {");
  });

  it("says why, step by step in Celery's order, marking the step that decided", async () => {
    const { celery } = await panel();
    const why = async (f: SendForm) => {
      const r = (await celery.send(f))!;
      return whyRouted(r, celery.sent.at(-1)!.options).map((s) => `${s.decided ? '✓' : ' '} ${say(s.said)}`);
    };
    expect(await why(form('myapp.tasks.compress_video'))).toEqual([
      '  1. Neither apply_async nor the task names a queue.',
      "✓ 2. Router 1 of task_routes (a dict) answers: key 'myapp.tasks.compress_video' matches.",
      '  3. task_default_queue is not needed.',
      "  Published to the default exchange with routing key 'video' (a direct queue: the key is the queue's name).",
      '  → landed in video.',
    ]);
    expect((await why(form('myapp.tasks.compress_video', { queue: 'images' }))).slice(0, 3)).toEqual([
      "✓ 1. apply_async names queue 'images': the call's options come first.",
      "  2. Router 1 of task_routes (a dict) answers: key 'myapp.tasks.compress_video' matches.",
      "  The call's queue wins over the route's; the route's other options (routing_key, exchange…) still apply where the call left them unset.",
    ]);
    setLang('zh');
    try {
      expect((await why(form('tasks.add'))).slice(1, 3)).toEqual(['  2. task_routes 的路由器（共 1 个）都没有为这个任务名给出路由。', "✓ 3. 哪里都没有指定队列：使用 task_default_queue 'default'。"]);
    } finally {
      setLang('en');
    }
  });
});
