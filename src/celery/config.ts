/**
 * Reading a Celery configuration written in Python.
 *
 * The text is run as the module `tasks` of a Celery app, after
 *
 *     from kombu import Exchange, Queue, binding
 *     from kombu.common import Broadcast
 *     from celery.schedules import crontab
 *     app = Celery('tasks')
 *
 * (the names the seed's examples use without importing them). Settings
 * come from two places, as in Celery 5.2: module-level names
 * (app.config_from_object on the module: new lower-case names or old
 * CELERY_* names, not mixed — ImproperlyConfigured otherwise) and
 * `app.conf.X = …` / `app.conf.update(…)`, which win. Tasks defined with
 * @app.task / @shared_task are registered with their options.
 */
import { celeryModules, PyApp, PyTask } from './celery-module.ts';
import { kombuModules } from './kombu.ts';
import { ConfigError, lineOf, type Pos } from './python/errors.ts';
import { Interpreter, PyFunction } from './python/interpreter.ts';
import { parseModule } from './python/parser.ts';
import { standardModules } from './python/stdlib.ts';
import { PyDict, PyFloat, type PyValue } from './python/values.ts';
import { SETTING_NAMES } from './setting-names.ts';

const TO_OLD = new Map(SETTING_NAMES.map(([n, o]) => [n, o]));
const TO_NEW = new Map(SETTING_NAMES.map(([n, o]) => [o, n]));

/** Celery 5.2.6's defaults for the settings the sandbox uses. */
export const DEFAULTS: Record<string, PyValue> = {
  task_queues: null,
  task_routes: null,
  task_default_queue: 'celery',
  task_default_exchange: null,
  task_default_exchange_type: 'direct',
  task_default_routing_key: null,
  task_default_priority: null,
  task_default_delivery_mode: 2,
  task_queue_max_priority: null,
  task_create_missing_queues: true,
  task_serializer: 'json',
  task_protocol: 2,
  task_compression: null,
  task_acks_late: false,
  task_always_eager: false,
  task_send_sent_event: false,
  task_ignore_result: false,
  worker_prefetch_multiplier: 4,
  worker_concurrency: null,
  beat_schedule: new PyDict(),
  timezone: null,
  enable_utc: true,
};

/** Settings the sandbox reads but does not simulate, with why that matters. */
const NOT_SIMULATED: Record<string, string> = {
  task_always_eager: 'with it, apply_async runs the task in the caller and publishes nothing',
  task_send_sent_event: 'Celery would also publish a task-sent event to the celeryev exchange',
  result_backend: 'results are not stored; only the rpc:// backend would add AMQP traffic (a reply queue)',
  task_compression: 'bodies are sent uncompressed',
  broker_transport_options: 'transport options are ignored',
};

export interface CeleryConfig {
  readonly source: string;
  /** A setting's value as Celery resolves it (explicit value, else Celery's default). */
  get(key: string): PyValue;
  /** Whether the configuration set it (by either name). */
  has(key: string): boolean;
  /** Settings the configuration set, by new name. */
  readonly explicit: ReadonlyMap<string, PyValue>;
  /** Tasks defined with @app.task, by name. */
  readonly tasks: ReadonlyMap<string, PyTask>;
  /** Functions defined at module level (routers named by string resolve here). */
  readonly functions: ReadonlyMap<string, PyValue>;
  readonly interpreter: Interpreter;
  /** Things a person should know: unknown settings, settings not simulated, what print() wrote. */
  readonly warnings: string[];
}

export interface LoadOptions {
  /** UUIDs for Broadcast queue names (seeded by the caller). */
  uuid: () => string;
  /** The module name the configuration runs as (task names derive from it). */
  moduleName?: string;
}

/** Run before every configuration (with `app` already bound, as the recorder binds it). */
export const PREAMBLE = 'from kombu import Exchange, Queue, binding\nfrom kombu.common import Broadcast\nfrom celery.schedules import crontab\n';

function settingKeys(name: string): { newKey: string; oldKey: string } | null {
  if (TO_OLD.has(name)) return { newKey: name, oldKey: TO_OLD.get(name)! };
  if (TO_NEW.has(name)) return { newKey: TO_NEW.get(name)!, oldKey: name };
  return null;
}

/** Celery's detect_settings: which style the module uses, or ImproperlyConfigured. */
function detectStyle(have: Set<string>, where: (key: string) => Pos | undefined, source: string): 'new' | 'old' {
  const isInNew = [...have].filter((k) => TO_OLD.has(k));
  const isInOld = [...have].filter((k) => TO_NEW.has(k));
  let style: 'new' | 'old' | null = null;
  let left: string[] = [];
  if (isInNew.length) {
    [style, left] = ['new', isInOld];
    if (isInOld.length && isInOld.length > isInNew.length) [style, left] = ['old', isInNew];
  }
  if (isInOld.length) {
    if (!style) [style, left] = ['old', isInNew];
    if (isInNew.length && isInNew.length > isInOld.length) [style, left] = ['new', isInOld];
  } else {
    [style, left] = ['new', isInOld];
  }
  const convert = style === 'new' ? TO_NEW : TO_OLD;
  const reallyLeft = left.filter((k) => !have.has(convert.get(k)!)).sort();
  if (reallyLeft.length) {
    const renames = reallyLeft.map((k) => `${k.padEnd(36)} -> ${convert.get(k)}`).join('\n');
    const message =
      style === 'new'
        ? `\n\nCannot mix new and old setting keys, please rename the\nfollowing settings to the new format:\n\n${renames}\n\n`
        : `\n\nCannot mix new setting names with old setting names, please\nrename the following settings to use the old format:\n\n${renames}\n\nOr change all of the settings to use the new format :)\n\n`;
    const pos = reallyLeft.map(where).filter((p): p is Pos => !!p).sort((a, b) => a.line - b.line || a.col - b.col)[0] ?? { line: 1, col: 1 };
    throw new ConfigError('ImproperlyConfigured', message, pos.line, pos.col, lineOf(source, pos.line));
  }
  return style;
}

/** Runs a configuration and resolves its settings. Throws ConfigError. */
export function loadConfig(source: string, options: LoadOptions): CeleryConfig {
  const moduleName = options.moduleName ?? 'tasks';
  const app = new PyApp(moduleName);
  const modules = new Map([...standardModules(), ...kombuModules(options.uuid), ...celeryModules(app)]);
  const interp = new Interpreter({ modules, moduleName, globals: [['app', app]] });
  // Reading app.conf.X while the module runs: the module's value so far (either name), else Celery's default.
  app.conf.fallback = (name) => {
    const keys = settingKeys(name);
    if (!keys) return undefined;
    for (const [k, v] of app.conf.assigned) {
      const other = settingKeys(k);
      if (other?.newKey === keys.newKey) return v;
    }
    const g = interp.globals.get(keys.newKey) ?? interp.globals.get(keys.oldKey);
    if (g !== undefined) return g;
    return keys.newKey in DEFAULTS ? DEFAULTS[keys.newKey] : null;
  };
  // The preamble's names: imported exactly as the preamble's Python would import them.
  interp.run(parseModule(PREAMBLE));
  const module = parseModule(source);
  interp.run(module);

  const globals = interp.globals;
  const have = new Set([...globals.keys()].filter((k) => settingKeys(k)));
  detectStyle(have, (k) => interp.globalPositions.get(k), module.source);

  const explicit = new Map<string, PyValue>();
  const warnings: string[] = [];
  for (const [newKey, oldKey] of SETTING_NAMES) {
    if (globals.has(newKey)) explicit.set(newKey, globals.get(newKey)!);
    else if (globals.has(oldKey)) explicit.set(newKey, globals.get(oldKey)!);
  }
  for (const [key, value] of app.conf.assigned) {
    const keys = settingKeys(key);
    if (!keys) {
      warnings.push(`app.conf.${key} is not a Celery setting; Celery ignores it`);
      continue;
    }
    explicit.set(keys.newKey, value);
  }
  for (const key of explicit.keys()) {
    if (key in NOT_SIMULATED && explicit.get(key) !== null && explicit.get(key) !== false) warnings.push(`${key} is not simulated: ${NOT_SIMULATED[key]}`);
  }
  for (const line of interp.output) warnings.push(`print: ${line}`);

  const functions = new Map<string, PyValue>();
  for (const [name, value] of globals) if (value instanceof PyFunction) functions.set(name, value);

  const get = (key: string): PyValue => {
    if (key === 'task_default_exchange' || key === 'task_default_routing_key') {
      const own = explicit.get(key);
      if (own !== undefined && own !== null) return own;
      return get('task_default_queue');
    }
    const v = explicit.get(key);
    if (v !== undefined) return v;
    return key in DEFAULTS ? DEFAULTS[key] : null;
  };

  return {
    source: module.source,
    get,
    has: (key) => explicit.has(key),
    explicit,
    tasks: app.tasks,
    functions,
    interpreter: interp,
    warnings,
  };
}

/** A number setting (int or float) as a JS number, or null. */
export function numberSetting(v: PyValue): number | null {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v instanceof PyFloat) return v.value;
  return null;
}
