import { describe, expect, it } from 'vitest';
import { CeleryApp } from '../../src/celery/app.ts';
import { loadConfig } from '../../src/celery/config.ts';
import { KombuExchange, KombuQueue } from '../../src/celery/kombu.ts';
import { ConfigError } from '../../src/celery/python/errors.ts';
import { PyDict, PyFloat, PyTuple, repr } from '../../src/celery/python/values.ts';

let n = 0;
const uuid = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const load = (source: string) => loadConfig(source, { uuid });

function loadError(source: string): ConfigError {
  try {
    load(source);
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error('loaded');
}

describe('settings', () => {
  it('reads bare new names, bare old names and app.conf assignments', () => {
    expect(load("task_default_queue = 'a'\n").get('task_default_queue')).toBe('a');
    expect(load("CELERY_DEFAULT_QUEUE = 'b'\n").get('task_default_queue')).toBe('b');
    expect(load("app.conf.task_default_queue = 'c'\n").get('task_default_queue')).toBe('c');
    expect(load("app.conf.CELERY_DEFAULT_QUEUE = 'd'\n").get('task_default_queue')).toBe('d');
    expect(load("app.conf.update({'task_default_queue': 'e'}, task_acks_late=True)\n").get('task_acks_late')).toBe(true);
  });

  it('answers app.conf.X reads with what was set so far, else the default', () => {
    const c = load("task_default_queue = 'jobs'\nq = app.conf.task_default_queue\nm = app.conf.worker_prefetch_multiplier\n");
    expect([c.interpreter.globals.get('q'), c.interpreter.globals.get('m')]).toEqual(['jobs', 4]);
  });

  it('lets app.conf win over module-level names, as preconf wins in Celery', () => {
    expect(load("task_default_queue = 'module'\napp.conf.task_default_queue = 'conf'\n").get('task_default_queue')).toBe('conf');
  });

  it("falls back to Celery 5.2's defaults, and derives the default exchange and routing key from the default queue", () => {
    const c = load("task_default_queue = 'jobs'\n");
    expect([c.get('task_default_exchange'), c.get('task_default_routing_key'), c.get('task_default_exchange_type')]).toEqual(['jobs', 'jobs', 'direct']);
    expect([c.get('worker_prefetch_multiplier'), c.get('task_acks_late'), c.get('task_create_missing_queues')]).toEqual([4, false, true]);
  });

  it('refuses a module that mixes old and new names with ImproperlyConfigured, at the offending line', () => {
    const e = loadError("task_routes = {}\nx = 1\nCELERY_DEFAULT_QUEUE = 'jobs'\n");
    expect([e.type, e.line, e.column]).toEqual(['ImproperlyConfigured', 3, 1]);
    expect(e.detail).toBe('\n\nCannot mix new and old setting keys, please rename the\nfollowing settings to the new format:\n\nCELERY_DEFAULT_QUEUE                 -> task_default_queue\n\n');
  });

  it('asks for the old format when old names are the majority', () => {
    const e = loadError("CELERY_DEFAULT_QUEUE = 'a'\nCELERY_ACKS_LATE = True\ntask_routes = {}\n");
    expect(e.detail).toContain('rename the following settings to use the old format:\n\ntask_routes                          -> CELERY_ROUTES');
  });

  it('accepts both names of one setting side by side', () => {
    expect(load("CELERY_DEFAULT_QUEUE = 'old'\ntask_default_queue = 'new'\n").get('task_default_queue')).toBe('new');
  });

  it('warns about unknown app.conf names and settings it does not simulate, and keeps what print wrote', () => {
    const c = load("app.conf.task_queue = 'typo'\ntask_always_eager = True\nprint('hello')\n");
    expect(c.warnings).toEqual([
      'app.conf.task_queue is not a Celery setting; Celery ignores it',
      'task_always_eager is not simulated: with it, apply_async runs the task in the caller and publishes nothing',
      'print: hello',
    ]);
  });
});

describe('the preamble and the app', () => {
  it("provides the names the seed's blocks use without importing them", () => {
    const c = load("x = (Exchange, Queue, binding, Broadcast, crontab)\n");
    expect(c.interpreter.globals.has('x')).toBe(true);
  });

  it('registers @app.task functions under module.function or their name=, first definition winning', () => {
    const c = load("@app.task\ndef add(x, y):\n    return x + y\n@app.task(name='custom.mul', queue='q', priority=5)\ndef mul(x, y):\n    return x * y\n@app.task(name='custom.mul')\ndef other():\n    pass\n");
    expect([...c.tasks.keys()]).toEqual(['tasks.add', 'custom.mul']);
    expect(c.tasks.get('custom.mul')!.options.get('queue')).toBe('q');
    expect(c.tasks.get('custom.mul')!.fn.name).toBe('mul');
  });

  it('lets a task be called like its function, and shared_task and Celery() work as imports', () => {
    const c = load("from celery import Celery, shared_task\napp = Celery('proj', broker='amqp://')\n@shared_task\ndef add(x, y):\n    return x + y\nfour = add(2, 2)\n");
    expect(c.interpreter.globals.get('four')).toBe(4);
    expect([...c.tasks.keys()]).toEqual(['tasks.add']);
  });

  it('refuses to send tasks while the configuration loads', () => {
    const e = loadError('@app.task\ndef add(x, y):\n    return x + y\nadd.delay(1, 2)\n');
    expect([e.type, e.line]).toEqual(['Unsupported', 4]);
    expect(e.detail).toContain('tasks.add.delay() while the configuration loads is outside the sandbox');
  });

  it("answers the seed's `task.apply_async(priority=0)`, pasted as configuration, as Python would", () => {
    const e = loadError('task.apply_async(priority=0)\n');
    expect(e.message).toBe("line 1, column 1: NameError: name 'task' is not defined");
  });
});

describe('kombu entities', () => {
  const value = (source: string) => load(`x = ${source}\n`).interpreter.globals.get('x')!;

  it("builds Exchange with kombu's defaults and typing (durable, delivery_mode names)", () => {
    const x = value("Exchange('media', type='topic', durable=0, delivery_mode='transient', nonsense=1)") as KombuExchange;
    expect([x.name, x.type, x.durable, x.deliveryMode, x.autoDelete]).toEqual(['media', 'topic', false, 1, false]);
    expect((value("Exchange('d')") as KombuExchange).type).toBe('direct');
    expect(repr(value("Exchange('media', 'fanout')"))).toBe('<unbound Exchange media(fanout)>');
  });

  it("builds Queue: a string exchange becomes an Exchange, exclusive implies auto_delete, numbers are typed", () => {
    const q = value("Queue('q', 'ex', routing_key='rk', exclusive=True, max_priority='10', expires=5)") as KombuQueue;
    expect([q.name, q.exchange?.name, q.routingKey, q.autoDelete, q.maxPriority]).toEqual(['q', 'ex', 'rk', true, 10]);
    expect(q.expires).toEqual(new PyFloat(5));
    expect(q.declareArguments().items()).toEqual([['x-expires', 5000], ['x-max-priority', 10]]);
  });

  it("reads Queue('media', [binding(...), binding(...)]) as a queue with two bindings and no exchange", () => {
    const q = value("Queue('media', [binding(Exchange('media'), routing_key='media.video'), binding(Exchange('media'), routing_key='media.image')])") as KombuQueue;
    expect(q.exchange).toBeNull();
    expect(q.bindings.map((b) => b.routingKey)).toEqual(['media.video', 'media.image']);
  });

  it('gives Broadcast a bcast.<uuid> queue on a fanout exchange named after it, auto-deleted, aliased', () => {
    const q = value("Broadcast('broadcast_tasks')") as KombuQueue;
    expect(q.name).toMatch(/^bcast\.[0-9a-f-]{36}$/);
    expect([q.exchange?.name, q.exchange?.type, q.autoDelete, q.alias, q.broadcast]).toEqual(['broadcast_tasks', 'fanout', true, 'broadcast_tasks', true]);
    expect((value("Broadcast('b', queue='mine')") as KombuQueue).name).toBe('mine');
  });

  it('exposes entity attributes to Python code (routers may read them)', () => {
    expect(value("Queue('q', Exchange('e', 'topic'), 'k').exchange.type")).toBe('topic');
    expect(value("Queue('q').routing_key")).toBe('');
  });
});

describe("Celery's queues (app.amqp.queues)", () => {
  it("completes queues with the default exchange and routing key, and adds x-max-priority from task_queue_max_priority", () => {
    const app = new CeleryApp("task_queue_max_priority = 10\ntask_queues = (Queue('q'), Queue('p', Exchange('p'), 'p', queue_arguments={'x-max-priority': 3}))\n");
    const [q, p] = app.queues.values();
    expect([q.exchange?.name, q.routingKey]).toEqual(['celery', 'celery']);
    expect(q.declareArguments().items()).toEqual([['x-max-priority', 10]]);
    expect(p.declareArguments().items()).toEqual([['x-max-priority', 3]]);
  });

  it('creates a missing queue on demand as Queue(name, Exchange(name), name)', () => {
    const app = new CeleryApp('');
    const q = app.queues.get('made_up');
    expect([q.name, q.exchange?.name, q.exchange?.type, q.routingKey]).toEqual(['made_up', 'made_up', 'direct', 'made_up']);
  });

  it('fails the first send, not the load, when task_queues is malformed (as Celery builds it lazily), placed at the setting', () => {
    const app = new CeleryApp("x = 1\ntask_queues = ('not a queue',)\n");
    expect(() => app.queues).toThrow("line 2, column 1: AttributeError: 'str' object has no attribute 'name' (task_queues holds Queue(...) objects)");
  });

  it('keeps the last of two queues with one name', () => {
    const app = new CeleryApp("task_queues = (Queue('a', routing_key='one'), Queue('a', routing_key='two'))\n");
    expect(app.queues.values().map((q) => q.routingKey)).toEqual(['two']);
  });

  it('reads dict-style task_queues through Queue.from_dict', () => {
    const app = new CeleryApp("task_queues = {'feeds': {'exchange': 'feeds', 'exchange_type': 'topic', 'binding_key': 'feed.#'}}\n");
    const q = app.queues.get('feeds');
    expect([q.exchange?.type, q.routingKey]).toEqual(['topic', 'feed.#']);
  });

  it('keeps dicts in settings as Python dicts', () => {
    expect(load("task_routes = {'a': 'b'}\n").get('task_routes')).toEqual(PyDict.of([['a', 'b']]));
    expect(load('task_routes = ()\n').get('task_routes')).toEqual(new PyTuple([]));
  });
});
