/**
 * The `celery` names a configuration can use: the app (`app.conf.X = …`,
 * `app.conf.update(…)`, `@app.task`), `Celery(…)` (which gives back the one
 * app the sandbox models), `shared_task`, and `celery.schedules`'s crontab
 * and schedule. Sending tasks while the configuration loads is refused:
 * sends happen afterwards, through the CLI or the API.
 */
import { makeCrontab, PyIntervalSchedule } from './crontab.ts';
import { pyError } from './python/errors.ts';
import { PyFunction } from './python/interpreter.ts';
import { PyTimedelta } from './python/stdlib.ts';
import { PyBuiltin, PyCallable, PyDict, PyModule, PyObject, bindArguments, numberOf, typeName, type CallContext, type Kwargs, type PyValue } from './python/values.ts';
import { dictFrom } from './python/builtins.ts';

function refuseSend(what: string): PyBuiltin {
  return new PyBuiltin(what, () => {
    throw pyError('Unsupported', `${what}() while the configuration loads is outside the sandbox: send tasks with the CLI's send command or the API, after loading`);
  });
}

/** `app.conf`: records what the configuration sets, in order. */
export class PyConf extends PyObject {
  readonly typeName = 'Settings';
  readonly assigned = new Map<string, PyValue>();
  /** Reading a setting that app.conf was not given: what Celery would answer (set by config.ts). */
  fallback: ((name: string) => PyValue | undefined) | null = null;

  override setAttr(name: string, value: PyValue): boolean {
    this.assigned.set(name, value);
    return true;
  }

  override getAttr(name: string): PyValue | undefined {
    if (name === 'update') {
      return new PyBuiltin('update', (args, kwargs) => {
        if (args.length > 1) throw pyError('TypeError', `update expected at most 1 argument, got ${args.length}`);
        if (args.length && args[0] !== null) for (const [k, v] of dictFrom(args[0]).items()) this.assigned.set(String(k), v);
        for (const [k, v] of kwargs) this.assigned.set(k, v);
        return null;
      });
    }
    if (this.assigned.has(name)) return this.assigned.get(name)!;
    return this.fallback?.(name);
  }
}

/** A task defined with @app.task: its name, its function and its options. */
export class PyTask extends PyCallable {
  readonly typeName = 'Task';
  constructor(
    readonly name: string,
    readonly fn: PyFunction,
    /** The decorator's keyword arguments (queue, priority, acks_late, …). */
    readonly options: ReadonlyMap<string, PyValue>,
  ) {
    super();
  }

  call(args: PyValue[], kwargs: Kwargs, ctx: CallContext): PyValue {
    return ctx.call(this.fn, args, kwargs);
  }

  override getAttr(attr: string): PyValue | undefined {
    if (attr === 'name') return this.name;
    if (attr === 'apply_async' || attr === 'delay' || attr === 's' || attr === 'signature') return refuseSend(`${this.name}.${attr}`);
    if (this.options.has(attr)) return this.options.get(attr)!;
    return undefined;
  }

  override repr(): string {
    return `<@task: ${this.name}>`;
  }
}

export class PyApp extends PyObject {
  readonly typeName = 'Celery';
  readonly conf = new PyConf();
  readonly tasks = new Map<string, PyTask>();

  constructor(readonly moduleName: string) {
    super();
  }

  /** Registers fn as a task (the first definition of a name wins, as in Celery). */
  private define(fn: PyValue, options: Kwargs): PyTask {
    if (!(fn instanceof PyFunction)) throw pyError('TypeError', `@app.task decorates a function, not ${typeName(fn)}`);
    const explicit = options.get('name');
    if (explicit !== undefined && explicit !== null && typeof explicit !== 'string') throw pyError('TypeError', 'task name must be a str');
    const name = (explicit as string | undefined) ?? `${this.moduleName}.${fn.name}`;
    const existing = this.tasks.get(name);
    if (existing) return existing;
    const opts = new Map(options);
    opts.delete('name');
    const task = new PyTask(name, fn, opts);
    this.tasks.set(name, task);
    return task;
  }

  /** `app.task`: used bare (@app.task) or called with options (@app.task(queue='q')). */
  readonly task = new PyBuiltin('task', (args, kwargs) => {
    if (args.length === 1 && kwargs.size === 0 && args[0] instanceof PyFunction) return this.define(args[0], new Map());
    if (args.length) throw pyError('TypeError', 'task() takes no positional arguments besides the function');
    return new PyBuiltin('task_decorator', (fargs) => {
      if (fargs.length !== 1) throw pyError('TypeError', 'a task decorator takes one function');
      return this.define(fargs[0], kwargs);
    });
  });

  override getAttr(name: string): PyValue | undefined {
    switch (name) {
      case 'conf':
        return this.conf;
      case 'task':
        return this.task;
      case 'main':
        return this.moduleName;
      case 'tasks':
        return PyDict.of([...this.tasks].map(([k, v]) => [k, v] as [PyValue, PyValue]));
      case 'autodiscover_tasks':
        return new PyBuiltin('autodiscover_tasks', () => null);
      case 'config_from_object':
      case 'config_from_envvar':
        return new PyBuiltin(name, () => {
          throw pyError('Unsupported', `app.${name}() is outside the sandbox: paste the settings themselves into the configuration`);
        });
      case 'send_task':
        return refuseSend('app.send_task');
    }
    return undefined;
  }

  override repr(): string {
    return `<Celery ${this.moduleName}>`;
  }
}

export function celeryModules(app: PyApp): Map<string, PyModule> {
  const Celery = new PyBuiltin('Celery', () => app);
  const crontab = new PyBuiltin('crontab', (args, kwargs) => makeCrontab(args, kwargs));
  const schedule = new PyBuiltin('schedule', (args, kwargs) => {
    const { values } = bindArguments('schedule', [{ name: 'run_every', default: null }], args, kwargs, { extraKwargs: true });
    const v = values.get('run_every')!;
    if (v instanceof PyTimedelta) return new PyIntervalSchedule(v.seconds);
    const n = numberOf(v);
    if (n === undefined) throw pyError('TypeError', `schedule(run_every=...) takes seconds or a timedelta, not ${typeName(v)}`);
    return new PyIntervalSchedule(n);
  });
  const schedules = new PyModule('celery.schedules', new Map<string, PyValue>([['crontab', crontab], ['schedule', schedule]]));
  const celery = new PyModule('celery', new Map<string, PyValue>([['Celery', Celery], ['shared_task', app.task], ['schedules', schedules]]));
  return new Map([
    ['celery', celery],
    ['celery.schedules', schedules],
  ]);
}
