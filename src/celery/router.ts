/**
 * Celery 5.2's routing decision (celery.app.routes), step for step:
 *
 * 1. The send's own options (apply_async's, merged over the task's routing
 *    attributes) have their 'queue' expanded from task_queues.
 * 2. task_routes' routers are asked in order (a dict or a list of pairs
 *    becomes a MapRoute: exact names first, then glob and regex keys in
 *    order; a function is called as router(name, args, kwargs, options,
 *    task=task); a string names a function); the first that does not
 *    return None decides.
 * 3. A truthy route has its 'queue' expanded and is merged under the
 *    options: an option wins unless it is None (lpmerge). Without a route
 *    and without a queue in the options, the default queue is used.
 *
 * Everything works on Python values, because routers are Python functions
 * that see (and may change) the options dict.
 */
import type { CeleryConfig } from './config.ts';
import { KombuQueue } from './kombu.ts';
import { dictFrom } from './python/builtins.ts';
import { pyError, PyException } from './python/errors.ts';
import { compileGlob } from './python/fnmatch.ts';
import type { Interpreter } from './python/interpreter.ts';
import type { CompiledRegex } from './python/regex.ts';
import { PyPattern } from './python/stdlib.ts';
import { PyCallable, PyDict, PyList, PyTuple, hashKey, typeName, type PyValue } from './python/values.ts';
import type { CeleryQueues } from './queues.ts';
import { iterate } from './python/builtins.ts';

const queueName = (q: PyValue | undefined): string | null => (q instanceof KombuQueue ? q.name : typeof q === 'string' ? q : null);

/** `dict(route)`, or {'queue': route} when dict() raises ValueError (a queue name). */
function routeDict(route: PyValue): PyDict {
  try {
    return dictFrom(route);
  } catch (e) {
    if (e instanceof PyException && e.type === 'ValueError') return PyDict.of([['queue', route]]);
    throw e;
  }
}

/** celery.app.routes.MapRoute */
export class MapRoute {
  private readonly map = new PyDict();
  private readonly patterns: Array<{ key: PyValue; shown: string; regex: CompiledRegex; route: PyValue }> = [];

  constructor(source: PyValue) {
    const pairs = source instanceof PyDict ? source.items().map(([k, v]) => new PyTuple([k, v])) : iterate(source);
    for (const pair of pairs) {
      let items: PyValue[];
      try {
        items = iterate(pair);
      } catch {
        throw pyError('TypeError', `cannot unpack non-iterable ${typeName(pair)} object`);
      }
      if (items.length > 2) throw pyError('ValueError', 'too many values to unpack (expected 2)');
      if (items.length < 2) throw pyError('ValueError', `not enough values to unpack (expected 2, got ${items.length})`);
      const [k, v] = items;
      if (k instanceof PyPattern) this.setPattern(k, k.regex, v, `re.compile(${JSON.stringify(k.pattern)})`);
      else if (this.hasStar(k)) {
        if (typeof k !== 'string') throw pyError('TypeError', `expected str, got ${typeName(k)}`);
        this.setPattern(k, compileGlob(k), v, k);
      } else this.map.set(k, v);
    }
  }

  private hasStar(k: PyValue): boolean {
    if (typeof k === 'string') return k.includes('*');
    if (k instanceof PyTuple || k instanceof PyList) return k.items.some((x) => x === '*');
    throw pyError('TypeError', `argument of type '${typeName(k)}' is not iterable`);
  }

  private setPattern(key: PyValue, regex: CompiledRegex, route: PyValue, shown: string): void {
    // An OrderedDict keyed by the compiled pattern: an equal pattern replaces the route, keeping its place.
    const compiled = key instanceof PyPattern ? key : new PyPattern(regex);
    const h = hashKey(compiled);
    const existing = this.patterns.find((p) => hashKey(p.key) === h);
    if (existing) existing.route = route;
    else this.patterns.push({ key: compiled, shown, regex, route });
  }

  route(name: string): PyValue {
    return this.match(name)?.route ?? null;
  }

  /** The route for a task name and the key that gave it (the name itself, a glob or a regex's pattern). */
  match(name: string): { key: string; route: PyValue } | null {
    const exact = this.map.get(name);
    if (exact !== undefined) return { key: name, route: routeDict(exact) };
    for (const p of this.patterns) if (p.regex.match(name)) return { key: p.shown, route: routeDict(p.route) };
    return null;
  }
}

type Router = { kind: 'map'; map: MapRoute } | { kind: 'call'; fn: PyValue } | { kind: 'named'; name: string };

/** celery.app.routes.prepare: task_routes as a list of routers. */
export function prepareRoutes(routes: PyValue): Router[] {
  if (routes === null) return [];
  const list = routes instanceof PyList || routes instanceof PyTuple ? routes.items : [routes];
  return list.map((r): Router => {
    if (r instanceof PyDict || r instanceof PyList || r instanceof PyTuple) return { kind: 'map', map: new MapRoute(r) };
    if (typeof r === 'string') return { kind: 'named', name: r };
    return { kind: 'call', fn: r };
  });
}

/** lpmerge(L, R): R's values that are not None, written into L. */
export function lpmerge(left: PyDict, right: PyDict): PyDict {
  for (const [k, v] of right.items()) if (v !== null) left.set(k, v);
  return left;
}

/** How Router.route decided, in Celery's order, for a person to read. */
export interface RouteTrace {
  /** The queue the options named before any router (the call's, or the task's own attribute), or null. */
  optionsQueue: string | null;
  /** How many routers task_routes holds. */
  routers: number;
  /**
   * The first router that answered (not None): its place in task_routes,
   * a dict (with the key that matched) or a function (with its name); an
   * empty answer stops the search but routes nothing.
   */
  answered: { index: number; kind: 'map' | 'function'; name: string | null; key: string | null; empty: boolean } | null;
  /** task_default_queue was used: neither the options nor a router named a queue. */
  defaultQueue: boolean;
  /** The queue decided, or null (e.g. a route naming only an exchange). */
  queue: string | null;
}

export interface RouteRequest {
  name: string;
  args: PyValue;
  kwargs: PyValue;
  options: PyDict;
  /** The Task when sent with apply_async, else None. */
  task: PyValue;
}

export class CeleryRouter {
  private readonly routers: Router[];

  constructor(
    private readonly config: CeleryConfig,
    private readonly queues: CeleryQueues,
    private readonly interp: Interpreter,
  ) {
    this.routers = prepareRoutes(config.get('task_routes'));
  }

  /** How the last call of route() decided. */
  lastTrace: RouteTrace | null = null;

  /** Router.route: the options the message will be sent with. Throws PyException / QueueNotFound. */
  route(req: RouteRequest): PyDict {
    // Router.route: `kwargs = {} if not kwargs else kwargs` before any router sees it.
    if (!this.truthy(req.kwargs)) req = { ...req, kwargs: new PyDict() };
    this.lastTrace = null;
    let options = this.expand(req.options);
    const trace: RouteTrace = { optionsQueue: queueName(options.get('queue')), routers: this.routers.length, answered: null, defaultQueue: false, queue: null };
    const done = (result: PyDict) => {
      trace.queue = queueName(result.get('queue'));
      this.lastTrace = trace;
      return result;
    };
    if (this.routers.length) {
      const route = this.lookup(req, options, trace);
      if (route !== null && this.truthy(route)) return done(lpmerge(this.expand(route), options));
    }
    if (!options.has('queue')) {
      trace.defaultQueue = true;
      options = lpmerge(this.expand(this.config.get('task_default_queue')), options);
    }
    return done(options);
  }

  private truthy(v: PyValue): boolean {
    if (v instanceof PyDict) return v.size > 0;
    return !(v === null || v === false || v === 0 || v === '' || ((v instanceof PyList || v instanceof PyTuple) && v.items.length === 0));
  }

  /** Router.expand_destination: a queue name becomes the Queue. */
  private expand(route: PyValue): PyDict {
    let queue: PyValue;
    let out: PyDict;
    if (typeof route === 'string') {
      queue = route;
      out = new PyDict();
    } else {
      const pop = this.interp.getAttribute(route, 'pop');
      queue = this.interp.call(pop, ['queue', null]);
      if (!(route instanceof PyDict)) throw pyError('TypeError', `a route must be a dict or a queue name, not ${typeName(route)}`);
      out = route;
    }
    if (queue !== null && queue !== '' && queue !== false) {
      out.set('queue', queue instanceof KombuQueue ? queue : this.queues.get(queue));
    }
    return out;
  }

  private lookup(req: RouteRequest, options: PyDict, trace: RouteTrace): PyValue {
    for (const [index, r] of this.routers.entries()) {
      if (r.kind === 'map') {
        const hit = r.map.match(req.name);
        if (!hit) continue;
        trace.answered = { index, kind: 'map', name: null, key: hit.key, empty: !this.truthy(hit.route) };
        return hit.route;
      }
      const fn = r.kind === 'call' ? r.fn : this.resolve(r.name);
      if (!(fn instanceof PyCallable)) throw pyError('TypeError', `'${typeName(fn)}' object is not callable`);
      const route = this.interp.callOutside(fn, [req.name, req.args, req.kwargs, options], new Map([['task', req.task]]));
      if (route === null) continue;
      trace.answered = { index, kind: 'function', name: fn.name, key: null, empty: !this.truthy(route) };
      return route;
    }
    return null;
  }

  /**
   * symbol_by_name for a router given as a string. The sandbox has one
   * module, the configuration: 'myapp.routers.route_task' names its
   * function route_task. Anything else fails as the import would.
   */
  private resolve(name: string): PyValue {
    const attr = name.includes(':') ? name.slice(name.lastIndexOf(':') + 1) : name.slice(name.lastIndexOf('.') + 1);
    const fn = this.config.functions.get(attr);
    if (fn) return fn;
    const module = name.includes(':') ? name.slice(0, name.lastIndexOf(':')) : name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : name;
    throw pyError('ModuleNotFoundError', `No module named '${module.split('.')[0]}'`);
  }
}
