/**
 * How the router decided, in Celery's order, for the page to explain it;
 * declaring task_queues up front; the connections Celery holds.
 */
import { describe, expect, it } from 'vitest';
import { CelerySandbox } from '../../src/celery/index.ts';
import { RECORDINGS } from './replay.ts';

const config = (id: string) => RECORDINGS.cases.find((c) => c.id === id)!.config;
const traceOf = (celery: CelerySandbox, task: string, options?: Record<string, unknown>) => {
  const r = celery.route(task, { options });
  if ('error' in r) throw new Error(r.error.message);
  return r.trace;
};

describe('the route trace', () => {
  it('names the dict router and the key that matched', () => {
    const celery = CelerySandbox.load(config('seed-routes-dict'));
    expect(traceOf(celery, 'myapp.tasks.compress_video')).toEqual({
      optionsQueue: null,
      routers: 1,
      answered: { index: 0, kind: 'map', name: null, key: 'myapp.tasks.compress_video', empty: false },
      defaultQueue: false,
      queue: 'video',
    });
    expect(traceOf(celery, 'tasks.add')).toMatchObject({ answered: null, defaultQueue: true, queue: 'celery' });
  });

  it('names a glob key as written, and a function router by its name', () => {
    const glob = CelerySandbox.load("task_routes = [{'feed.tasks.*': {'queue': 'feeds'}}]\n");
    expect(traceOf(glob, 'feed.tasks.import')).toMatchObject({ answered: { index: 0, kind: 'map', key: 'feed.tasks.*' }, queue: 'feeds' });
    const fn = CelerySandbox.load(config('seed-router'));
    expect(traceOf(fn, 'myapp.tasks.compress_video')).toMatchObject({ answered: { index: 0, kind: 'function', name: 'route_task', key: null }, queue: null });
  });

  it("keeps the call's queue, which wins over the route's", () => {
    const celery = CelerySandbox.load(config('seed-routes-dict'));
    expect(traceOf(celery, 'myapp.tasks.compress_video', { queue: 'other' })).toMatchObject({ optionsQueue: 'other', answered: { index: 0 }, queue: 'other' });
    const sent = celery.send('myapp.tasks.compress_video', { options: { queue: 'other' } });
    expect(sent.trace).toMatchObject({ optionsQueue: 'other', queue: 'other' });
    expect(sent.queues).toEqual(['other']);
  });
});

describe('declareQueues', () => {
  it("declares the seed's three queues with their exchanges and bindings on the client's connection", () => {
    const celery = CelerySandbox.load(config('seed-queues'));
    const { amqp, error } = celery.declareQueues();
    expect(error).toBeUndefined();
    expect(amqp.map((c) => `${c.method} ${'queue' in c ? c.queue : ''} ${'exchange' in c ? c.exchange : ''}`.trim())).toEqual([
      'exchange_declare  default',
      'queue_declare default',
      'queue_bind default default',
      'exchange_declare  media',
      'queue_declare videos',
      'queue_bind videos media',
      'exchange_declare  media',
      'queue_declare images',
      'queue_bind images media',
    ]);
    expect([...celery.broker.queues.keys()].sort()).toEqual(['default', 'images', 'videos']);
    expect(celery.connectionNames).toHaveLength(1);
    celery.startWorker({ name: 'w1' });
    expect(celery.connectionNames).toHaveLength(2);
  });

  it("answers the broker's refusal in py-amqp's words", () => {
    const celery = CelerySandbox.load("task_queues = [Queue('q', Exchange('x', type='topic'))]\n");
    celery.broker.connect().openChannel().exchangeDeclare({ exchange: 'x', type: 'direct' });
    expect(celery.declareQueues().error).toEqual({
      type: 'PreconditionFailed',
      message: "Exchange.declare: (406) PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'x' in vhost '/': received 'topic' but current is 'direct'",
    });
  });
});
