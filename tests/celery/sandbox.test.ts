import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { CelerySandbox, ConfigError } from '../../src/celery/index.ts';
import { RECORDINGS } from './replay.ts';

const config = (id: string) => RECORDINGS.cases.find((c) => c.id === id)!.config;

describe('CelerySandbox, the API for the UI and lessons', () => {
  it('loads a configuration or throws ConfigError with line and column', () => {
    expect(() => CelerySandbox.load(config('seed-routes-list'))).toThrow(ConfigError);
    try {
      CelerySandbox.load(config('seed-routes-list'));
    } catch (e) {
      expect([(e as ConfigError).line, (e as ConfigError).column]).toEqual([13, 1]);
    }
  });

  it('sends through the engine, so the message animates like any other: published, routed, enqueued', () => {
    const celery = CelerySandbox.load(config('seed-queues'));
    const seen: string[] = [];
    celery.broker.subscribe((e) => {
      if (e.type.startsWith('message.') || e.type === 'queue.declared' || e.type === 'exchange.declared' || e.type === 'binding.created') seen.push(e.type);
    });
    const r = celery.send('tasks.add', { args: [4, 4], options: { queue: 'videos' } });
    expect(r.queues).toEqual(['videos']);
    expect(seen).toEqual(['exchange.declared', 'queue.declared', 'binding.created', 'message.published', 'message.routed', 'message.enqueued']);
  });

  it('answers route() with the options or the failure', () => {
    const celery = CelerySandbox.load("task_routes = {'feed.tasks.*': {'queue': 'feeds'}}\n");
    expect(celery.route('feed.tasks.import_feed')).toMatchObject({ route: { queue: { name: 'feeds', exchange: { name: 'feeds', type: 'direct' }, routing_key: 'feeds' } } });
    const strict = CelerySandbox.load('task_create_missing_queues = False\n');
    expect(strict.route('x', { options: { queue: 'nope' } })).toEqual({ error: { type: 'QueueNotFound', message: "Queue 'nope' missing from task_queues" } });
  });

  it('warns at load about what Celery would only raise at the first send', () => {
    const celery = CelerySandbox.load(config('routes-pairs-no-comma'));
    expect(celery.warnings).toEqual(['the first send will fail: ValueError: too many values to unpack (expected 2) (line 2, column 1)']);
    expect(celery.send('feed.tasks.a').error).toEqual({ type: 'ValueError', message: 'too many values to unpack (expected 2)', line: 2, column: 1 });
  });

  it('can share the UI’s broker, and keeps declaring once per connection as kombu does', () => {
    const broker = new Broker({ seed: 3 });
    const celery = CelerySandbox.load('', { broker });
    const first = celery.send('tasks.add');
    const second = celery.send('tasks.add');
    expect(celery.broker).toBe(broker);
    expect(first.amqp.map((c) => c.method)).toEqual(['exchange_declare', 'queue_declare', 'queue_bind', 'basic_publish']);
    expect(second.amqp.map((c) => c.method)).toEqual(['basic_publish']);
  });

  it('starts over on a new connection after the broker refuses something, and declares again', () => {
    const celery = CelerySandbox.load(config('seed-router'));
    expect(celery.send('myapp.tasks.compress_video').error?.type).toBe('NotFound');
    celery.send('tasks.add');
    celery.broker.connect().openChannel().queueDelete({ queue: 'celery' });
    expect(celery.send('tasks.add').queues).toEqual([]);
    expect(celery.send('myapp.tasks.compress_video').error?.type).toBe('NotFound');
    expect(celery.send('tasks.add').amqp.map((c) => c.method)).toEqual(['exchange_declare', 'queue_declare', 'queue_bind', 'basic_publish']);
  });

  it('keeps tuple arguments apart from lists where Celery shows the difference (argsrepr)', () => {
    const celery = CelerySandbox.load('');
    celery.send('tasks.add', { args: [2, 2], tuple: true });
    const got = celery.broker.connect().openChannel().basicGet({ queue: 'celery', noAck: true })!;
    expect(got.message.properties.headers?.argsrepr).toBe('(2, 2)');
  });

  it('replays the same ids and names for the same seed', () => {
    const a = CelerySandbox.load("task_queues = (Broadcast('b'),)\n", { seed: 5 });
    const b = CelerySandbox.load("task_queues = (Broadcast('b'),)\n", { seed: 5 });
    expect(a.send('t').id).toBe(b.send('t').id);
    expect(a.startWorker({ name: 'w' }).queueNames).toEqual(b.startWorker({ name: 'w' }).queueNames);
  });
});
