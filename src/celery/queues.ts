/**
 * Celery's `app.amqp.queues` (celery.app.amqp.Queues): the queues of
 * task_queues by name (and Broadcast queues by alias), completed with the
 * defaults, and the queues created on demand when a task names an unknown
 * one and task_create_missing_queues allows it.
 *
 * Completing a queue is Queues._add: no exchange (or the nameless one)
 * becomes the default exchange (task_default_exchange, its type
 * task_default_exchange_type), no routing key becomes
 * task_default_routing_key, and task_queue_max_priority adds x-max-priority
 * when the queue has none. With no task_queues at all there is one queue,
 * task_default_queue, on the default exchange.
 */
import type { CeleryConfig } from './config.ts';
import { KombuQueue, makeExchange, makeQueue, queueFromDict, type KombuExchange } from './kombu.ts';
import { pyError } from './python/errors.ts';
import { PyDict, PyList, PyObject, PyTuple, hashKey, repr, truthy, typeName, type PyValue } from './python/values.ts';

export class QueueNotFound extends Error {
  constructor(readonly queue: PyValue) {
    super(`Queue ${repr(queue)} missing from task_queues`);
    this.name = 'QueueNotFound';
  }
}

export class CeleryQueues {
  private readonly byName = new Map<string, KombuQueue>();
  private readonly aliases = new Map<string, KombuQueue>();
  readonly defaultExchange: KombuExchange;
  readonly defaultRoutingKey: PyValue;
  readonly createMissing: boolean;
  readonly maxPriority: PyValue;

  constructor(config: CeleryConfig) {
    this.defaultExchange = makeExchange(config.get('task_default_exchange'), config.get('task_default_exchange_type'));
    this.defaultRoutingKey = config.get('task_default_routing_key');
    this.createMissing = truthy(config.get('task_create_missing_queues'));
    this.maxPriority = config.get('task_queue_max_priority');
    let queues = config.get('task_queues');
    const defaultQueue = config.get('task_default_queue');
    if (!truthy(queues) && truthy(defaultQueue)) {
      queues = new PyTuple([makeQueue(defaultQueue, this.defaultExchange, this.defaultRoutingKey)]);
    }
    if (queues === null) return;
    if (queues instanceof PyDict) {
      for (const [name, q] of queues.items()) {
        if (q instanceof KombuQueue) this.add(q);
        else this.addCompat(name, q);
      }
      return;
    }
    if (!(queues instanceof PyList || queues instanceof PyTuple)) {
      throw pyError('TypeError', `task_queues must be a list, tuple or dict of queues, not ${typeName(queues)}`);
    }
    // {q.name: q for q in queues}: a later queue of the same name replaces an earlier one.
    const byName = new Map<string, KombuQueue>();
    for (const q of queues.items) {
      if (!(q instanceof KombuQueue)) {
        throw pyError('AttributeError', `'${typeName(q)}' object has no attribute 'name' (task_queues holds Queue(...) objects)`);
      }
      byName.delete(q.name);
      byName.set(q.name, q);
    }
    for (const q of byName.values()) this.add(q);
  }

  private addCompat(name: PyValue, options: PyValue): KombuQueue {
    if (typeof name !== 'string') throw pyError('TypeError', 'task_queues keys must be queue names');
    if (!(options instanceof PyDict)) throw pyError('TypeError', `task_queues[${repr(name)}] must be a dict of options or a Queue, not ${typeName(options)}`);
    const opts = options.copy();
    const bindingKey = opts.get('binding_key') ?? null;
    if (!opts.has('routing_key')) opts.set('routing_key', bindingKey);
    if (opts.get('routing_key') === null) opts.set('routing_key', name);
    return this.add(queueFromDict(name, opts));
  }

  /** Queues._add */
  add(q: KombuQueue): KombuQueue {
    if (q.exchange === null || q.exchange.name === '') q.exchange = this.defaultExchange;
    if (!q.routingKey) q.routingKey = typeof this.defaultRoutingKey === 'string' ? this.defaultRoutingKey : '';
    if (this.maxPriority !== null) {
      if (q.queueArguments === null) q.queueArguments = new PyDict();
      if (q.queueArguments instanceof PyDict && !q.queueArguments.has('x-max-priority')) q.queueArguments.set('x-max-priority', this.maxPriority);
    }
    this.byName.set(q.name, q);
    if (typeof q.alias === 'string' && q.alias) this.aliases.set(q.alias, q);
    return q;
  }

  /** Queues[name]: by alias, by name, else created (task_create_missing_queues) or QueueNotFound. */
  get(name: PyValue): KombuQueue {
    if (name instanceof PyObject && !(name instanceof KombuQueue)) hashKey(name);
    if (typeof name !== 'string') {
      hashKey(name);
      throw new QueueNotFound(name);
    }
    const q = this.aliases.get(name) ?? this.byName.get(name);
    if (q) return q;
    if (!this.createMissing) throw new QueueNotFound(name);
    return this.add(makeQueue(name, makeExchange(name), name));
  }

  has(name: string): boolean {
    return this.aliases.has(name) || this.byName.has(name);
  }

  /** Every queue, in the order task_queues gave them (workers consume from these). */
  values(): KombuQueue[] {
    return [...this.byName.values()];
  }
}
