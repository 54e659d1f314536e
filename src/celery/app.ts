/**
 * One Celery app on the sandbox: a loaded configuration, its queues and
 * router, and the client half of sending a task — everything Celery does
 * before a byte reaches the broker:
 *
 *   Task.apply_async  (a task the configuration defines): signature check,
 *                     the task's routing attributes under the call's options
 *   app.send_task     the call's options only
 *   Router.route      (router.ts) → the routing options
 *   as_task_v2        (message.ts) → headers, properties, body
 *
 * Publishing (send_task_message, declaring, basic.publish) is producer.ts.
 */
import { SeededRandom } from '../core/random.ts';
import { PyTask } from './celery-module.ts';
import { loadConfig, type CeleryConfig } from './config.ts';
import { toJson, type Json } from './kombu.ts';
import { taskMessage, type TaskMessage } from './message.ts';
import { ConfigError, PyException } from './python/errors.ts';
import { PyDict, PyList, PyTuple, truthy, typeName, type PyValue } from './python/values.ts';
import { CeleryQueues, QueueNotFound } from './queues.ts';
import { CeleryRouter } from './router.ts';

/** The options Task._get_exec_options reads from a task (celery.app.task.extract_exec_options). */
const EXEC_OPTIONS = ['queue', 'routing_key', 'exchange', 'priority', 'expires', 'serializer', 'delivery_mode', 'compression', 'time_limit', 'soft_time_limit', 'immediate', 'mandatory'];

/** send_task's named parameters: taken out of the options before routing. */
const SEND_TASK_PARAMS = [
  'countdown', 'eta', 'task_id', 'producer', 'connection', 'router', 'result_cls', 'expires', 'publisher', 'link', 'link_error',
  'add_to_parent', 'group_id', 'group_index', 'retries', 'chord', 'reply_to', 'time_limit', 'soft_time_limit', 'root_id',
  'parent_id', 'route_name', 'shadow', 'chain', 'task_type',
];

/** A failure as Celery would raise it: the exception's name and text (and, for configuration code, where). */
export interface CeleryFailure {
  type: string;
  message: string;
  line?: number;
  column?: number;
}

export function failureOf(e: unknown): CeleryFailure {
  if (e instanceof ConfigError) return { type: e.type, message: e.detail, line: e.line, column: e.column };
  if (e instanceof PyException) return { type: e.type, message: e.detail, ...(e.pos ? { line: e.pos.line, column: e.pos.col } : {}) };
  if (e instanceof QueueNotFound) return { type: 'QueueNotFound', message: e.message };
  throw e;
}

export interface SendRequest {
  args?: PyValue;
  kwargs?: PyValue;
  /** apply_async / send_task keyword options. */
  options?: PyDict;
  /** Use app.send_task even for a task the configuration defines. */
  sendTask?: boolean;
  /** Beat passes its entry through apply_async / send_task like any caller. */
  taskId?: string;
}

export interface PreparedSend {
  taskId: string;
  name: string;
  via: 'apply_async' | 'send_task';
  /** Router.route's result. */
  options: PyDict;
  message: TaskMessage;
  /** What send_task kept aside: expires (for the expiration property). */
  expires: PyValue;
}

export interface CeleryAppOptions {
  /** Seeds task ids, Broadcast queue names and the app's reply_to oid. */
  seed?: number;
  moduleName?: string;
  /** The origin header's node name (Celery: gen<pid>@<hostname>). */
  origin?: string;
}

export class CeleryApp {
  readonly config: CeleryConfig;
  /** reply_to of every message (Celery: the app's thread oid, a UUID). */
  readonly oid: string;
  readonly origin: string;
  private readonly random: SeededRandom;
  private queuesValue: CeleryQueues | null = null;
  private routerValue: CeleryRouter | null = null;

  constructor(source: string, options: CeleryAppOptions = {}) {
    this.random = new SeededRandom(options.seed ?? 1);
    this.config = loadConfig(source, { uuid: () => this.uuid(), moduleName: options.moduleName });
    this.oid = this.uuid();
    this.origin = options.origin ?? 'gen1@warren';
  }

  /**
   * app.amqp.queues, built on first use as in Celery (so a malformed
   * task_queues fails the first send or worker, not the load). Throws
   * ConfigError placed at the setting.
   */
  get queues(): CeleryQueues {
    if (!this.queuesValue) {
      try {
        this.queuesValue = new CeleryQueues(this.config);
      } catch (e) {
        throw this.atSetting(e, 'task_queues');
      }
    }
    return this.queuesValue;
  }

  /** app.amqp.router: task_routes prepared on first use, as in Celery. */
  get router(): CeleryRouter {
    if (!this.routerValue) {
      const queues = this.queues;
      try {
        this.routerValue = new CeleryRouter(this.config, queues, this.config.interpreter);
      } catch (e) {
        throw this.atSetting(e, 'task_routes');
      }
    }
    return this.routerValue;
  }

  /** Problems Celery would only meet at the first send, found now (for warnings). */
  deferredProblems(): CeleryFailure[] {
    const out: CeleryFailure[] = [];
    try {
      void this.router;
    } catch (e) {
      out.push(failureOf(e));
    }
    return out;
  }

  /** A Python error about a setting, placed at the line that set it. */
  private atSetting(e: unknown, key: string): unknown {
    if (!(e instanceof PyException) || e.pos) return e;
    const interp = this.config.interpreter;
    const pos = interp.globalPositions.get(key) ?? { line: 1, col: 1 };
    return interp.toConfigError(e, pos);
  }

  /** A random (version 4) UUID from the app's seeded generator. */
  uuid(): string {
    const b = Array.from({ length: 16 }, () => Math.floor(this.random.next() * 256));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = b.map((x) => x.toString(16).padStart(2, '0')).join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  task(name: string): PyTask | undefined {
    return this.config.tasks.get(name);
  }

  /** A task's attribute as Celery's Task class has it (decorator option, else the setting it defaults to). */
  taskAttribute(task: PyTask, attr: string): PyValue {
    if (task.options.has(attr)) return task.options.get(attr)!;
    const fromConfig: Record<string, string> = {
      serializer: 'task_serializer',
      priority: 'task_default_priority',
      acks_late: 'task_acks_late',
      ignore_result: 'task_ignore_result',
      time_limit: 'task_time_limit',
      soft_time_limit: 'task_soft_time_limit',
    };
    return fromConfig[attr] ? this.config.get(fromConfig[attr]) : null;
  }

  /**
   * Everything before publishing: the options Celery's router produces and
   * the task message. Throws PyException, ConfigError or QueueNotFound.
   */
  prepare(name: string, req: SendRequest, now: number): PreparedSend {
    const args = req.args ?? null;
    const kwargs = req.kwargs ?? null;
    const user = req.options ?? new PyDict();
    const task = req.sendTask ? undefined : this.task(name);
    let options: PyDict;
    let taskType: PyValue = null;
    let via: PreparedSend['via'] = 'send_task';
    if (task) {
      via = 'apply_async';
      this.checkArguments(task, args, kwargs);
      options = PyDict.of(EXEC_OPTIONS.map((k) => [k, this.taskAttribute(task, k)] as [PyValue, PyValue]));
      for (const [k, v] of user.items()) options.set(k, v);
      if (!options.has('ignore_result')) options.set('ignore_result', this.taskAttribute(task, 'ignore_result'));
      const priority = this.taskAttribute(task, 'priority');
      if (truthy(priority) && !options.has('priority')) options.set('priority', priority);
      taskType = task;
    } else {
      options = user.copy();
    }
    const named = new Map<string, PyValue>();
    for (const k of SEND_TASK_PARAMS) {
      if (options.has(k)) {
        named.set(k, options.get(k)!);
        options.delete(k);
      }
    }
    const taskId = req.taskId ?? (typeof named.get('task_id') === 'string' ? (named.get('task_id') as string) : this.uuid());
    const ignoreResult = options.has('ignore_result') ? truthy(options.get('ignore_result')!) : false;
    options.delete('ignore_result');
    const routed = this.router.route({ name: typeof named.get('route_name') === 'string' ? (named.get('route_name') as string) : name, args: args ?? null, kwargs: kwargs ?? null, options, task: taskType });
    const expires = named.get('expires') ?? null;
    const message = taskMessage({
      taskId,
      name,
      args,
      kwargs,
      now,
      countdown: named.get('countdown'),
      eta: named.get('eta'),
      expires,
      groupId: named.get('group_id'),
      groupIndex: named.get('group_index'),
      retries: named.get('retries'),
      replyTo: typeof named.get('reply_to') === 'string' && named.get('reply_to') ? (named.get('reply_to') as string) : this.oid,
      timeLimit: named.get('time_limit'),
      softTimeLimit: named.get('soft_time_limit'),
      rootId: named.get('root_id'),
      parentId: named.get('parent_id'),
      shadow: named.get('shadow'),
      origin: this.origin,
      ignoreResult,
      argsrepr: routed.get('argsrepr'),
      kwargsrepr: routed.get('kwargsrepr'),
    });
    return { taskId, name, via, options: routed, message, expires };
  }

  /** The routing options alone, as JSON (the CLI's `route`); no task id is drawn for it. */
  route(name: string, req: SendRequest, now = 0): Json {
    return toJson(this.prepare(name, { ...req, taskId: req.taskId ?? 'route' }, now).options);
  }

  /** Task.apply_async checks the call against the function's signature (typing=True). */
  private checkArguments(task: PyTask, args: PyValue, kwargs: PyValue): void {
    const a = args === null ? [] : args instanceof PyList || args instanceof PyTuple ? [...args.items] : null;
    if (a === null) throw new PyException('TypeError', `argument after * must be an iterable, not ${typeName(args)}`);
    const kw = new Map<string, PyValue>();
    if (kwargs !== null) {
      if (!(kwargs instanceof PyDict)) throw new PyException('TypeError', `argument after ** must be a mapping, not ${typeName(kwargs)}`);
      for (const [k, v] of kwargs.items()) kw.set(String(k), v);
    }
    if (truthy(task.options.get('bind') ?? false)) a.unshift(null);
    this.config.interpreter.checkCall(task.fn, a, kw);
  }
}
