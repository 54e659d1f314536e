/**
 * Reading a definitions file (from `rabbitmqctl export_definitions`, the
 * management API, or Warren's own export) into a Topology for one virtual
 * host, with a report of everything Warren does not take: users,
 * permissions, policies, parameters (shovels, federation…), other virtual
 * hosts, quorum and stream queues, exchange types Warren does not have.
 * Nothing is dropped without being listed.
 *
 * Everything is checked before anything is built: a malformed file is
 * refused with a DefinitionsError naming the place in the JSON
 * (`queues[3].arguments.x-max-length: expected a number`), and the broker
 * it was meant for stays as it was.
 */
import { AmqpError } from '../core/errors.ts';
import type { FieldTable, FieldValue } from '../core/fields.ts';
import { validateQueueArguments } from '../core/queue-arguments.ts';
import { INTEGER_ARGUMENTS } from '../shell/commands.ts';
import { sayReason, type Reason } from '../i18n/reason.ts';
import { DefinitionsError, english, got, reason, skippedText, type Skipped } from './reasons.ts';

export { DefinitionsError };
import { PREDECLARED_EXCHANGES, type BindingDef, type ExchangeDef, type QueueDef, type Topology } from './topology.ts';

/** Files larger than this are refused before they are parsed. */
export const MAX_DEFINITIONS_BYTES = 8 * 1024 * 1024;

/** Why a file of `bytes` is not read. */
export const tooBig = (bytes: number): Reason => reason('defs.file.size', { mib: (bytes / 1048576).toFixed(1), max: MAX_DEFINITIONS_BYTES / 1048576 });
/** Exchanges, queues and bindings of one file, at most. */
export const MAX_DEFINITIONS_ENTITIES = 20_000;
/** Arguments nest at most this deep. */
const MAX_DEPTH = 32;

const EXCHANGE_TYPES = new Set(['direct', 'fanout', 'topic', 'headers']);
const KNOWN_SECTIONS = new Set([
  'rabbit_version',
  'rabbitmq_version',
  'product_name',
  'product_version',
  'rabbitmq_definition_format',
  'original_cluster_name',
  'explanation',
  'users',
  'vhosts',
  'permissions',
  'topic_permissions',
  'parameters',
  'global_parameters',
  'policies',
  'queues',
  'exchanges',
  'bindings',
]);

export interface ImportReport {
  /** The virtual host that was read. */
  vhost: string;
  /** What was read: counts. */
  imported: { exchanges: number; queues: number; bindings: number };
  skipped: Skipped[];
  /** Sections of the file Warren has no use for (users, policies…), with what they held. */
  ignored: Array<{ section: string; count: number; detail: Reason }>;
}

export interface ImportResult {
  topology: Topology;
  report: ImportReport;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const utf8Length = (s: string) => new TextEncoder().encode(s).length;

/** `queues[3].arguments.x-max-length`, quoting keys that are not plain words. */
function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  const k = /^[A-Za-z_][\w-]*$/.test(key) ? key : JSON.stringify(key);
  return path ? `${path}.${k}` : k;
}

function field<T>(obj: Obj, path: string, key: string, check: (v: unknown, p: string) => T, fallback?: T): T {
  const p = at(path, key);
  if (!(key in obj) || obj[key] === undefined) {
    if (fallback !== undefined) return fallback;
    throw new DefinitionsError(p, reason('defs.missing'));
  }
  return check(obj[key], p);
}

const str = (v: unknown, p: string): string => {
  if (typeof v !== 'string') throw new DefinitionsError(p, reason('defs.expected.string', { got: got(v) }));
  return v;
};

/** A name or routing key: a string of at most 255 bytes (AMQP's shortstr). */
const shortstr = (v: unknown, p: string): string => {
  const s = str(v, p);
  if (utf8Length(s) > 255) throw new DefinitionsError(p, reason('defs.too.long', { bytes: utf8Length(s) }));
  return s;
};

const bool = (v: unknown, p: string): boolean => {
  if (typeof v !== 'boolean') throw new DefinitionsError(p, reason('defs.expected.bool', { got: got(v) }));
  return v;
};

const list = (v: unknown, p: string): unknown[] => {
  if (!Array.isArray(v)) throw new DefinitionsError(p, reason('defs.expected.array', { got: got(v) }));
  return v;
};

const obj = (v: unknown, p: string): Obj => {
  if (!isObj(v)) throw new DefinitionsError(p, reason('defs.expected.object', { got: got(v) }));
  return v;
};

/** A JSON value as a field value (RabbitMQ's import: numbers, strings, booleans, lists, tables). */
function fieldValue(v: unknown, p: string, depth: number): FieldValue {
  if (depth > MAX_DEPTH) throw new DefinitionsError(p, reason('defs.too.deep', { depth: MAX_DEPTH }));
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new DefinitionsError(p, reason('defs.not.finite'));
    return v;
  }
  if (Array.isArray(v)) return v.map((item, i) => fieldValue(item, at(p, i), depth + 1));
  if (isObj(v)) return table(v, p, depth + 1);
  throw new DefinitionsError(p, reason('defs.unsupported', { got: got(v) }));
}

function table(v: unknown, p: string, depth = 0): FieldTable {
  const o = obj(v, p);
  const out: FieldTable = {};
  for (const [k, val] of Object.entries(o)) {
    const kp = at(p, k);
    if (utf8Length(k) > 255) throw new DefinitionsError(kp, reason('defs.arg.too.long'));
    if (INTEGER_ARGUMENTS.has(k) && depth === 0) {
      if (typeof val !== 'number') throw new DefinitionsError(kp, reason('defs.expected.number', { got: got(val) }));
      if (!Number.isInteger(val)) throw new DefinitionsError(kp, reason('defs.expected.integer', { got: val }));
    }
    out[k] = fieldValue(val, kp, depth);
  }
  return out;
}

interface Entry<T> {
  def: T;
  vhost: string;
  path: string;
}

/**
 * Reads a definitions file (its text, or the parsed JSON) for one virtual
 * host: `vhost` if given, else '/' when the file has it, else its only (or
 * first) virtual host. Throws DefinitionsError for a malformed file.
 */
export function importDefinitions(input: string | unknown, options: { vhost?: string } = {}): ImportResult {
  let doc: unknown = input;
  if (typeof input === 'string') {
    const size = utf8Length(input);
    if (size > MAX_DEFINITIONS_BYTES) {
      throw new DefinitionsError('', tooBig(size));
    }
    try {
      doc = JSON.parse(input);
    } catch (e) {
      throw new DefinitionsError('', reason('defs.not.json', { detail: (e as Error).message }));
    }
  }
  const root = obj(doc, '(the file)');
  if (!['exchanges', 'queues', 'bindings', 'vhosts'].some((k) => k in root)) {
    throw new DefinitionsError('', reason('defs.not.definitions'));
  }
  const rawExchanges = field(root, '', 'exchanges', list, []);
  const rawQueues = field(root, '', 'queues', list, []);
  const rawBindings = field(root, '', 'bindings', list, []);
  const total = rawExchanges.length + rawQueues.length + rawBindings.length;
  if (total > MAX_DEFINITIONS_ENTITIES) {
    throw new DefinitionsError('', reason('defs.too.many', { total, max: MAX_DEFINITIONS_ENTITIES }));
  }

  // Shape first, for every vhost: a malformed entry is an error wherever it is.
  const vhostOf = (o: Obj, p: string) => field(o, p, 'vhost', str, '/');
  const exchanges: Array<Entry<ExchangeDef>> = rawExchanges.map((raw, i) => {
    const p = at('exchanges', i);
    const o = obj(raw, p);
    return {
      path: p,
      vhost: vhostOf(o, p),
      def: {
        name: field(o, p, 'name', shortstr),
        type: field(o, p, 'type', str),
        durable: field(o, p, 'durable', bool, true),
        autoDelete: field(o, p, 'auto_delete', bool, false),
        internal: field(o, p, 'internal', bool, false),
        arguments: field(o, p, 'arguments', (v, ap) => table(v, ap), {}),
      },
    };
  });
  const queueTypes = new Map<string, string>();
  const queues: Array<Entry<QueueDef>> = rawQueues.map((raw, i) => {
    const p = at('queues', i);
    const o = obj(raw, p);
    const def: QueueDef = {
      name: field(o, p, 'name', shortstr),
      durable: field(o, p, 'durable', bool, true),
      autoDelete: field(o, p, 'auto_delete', bool, false),
      exclusive: false,
      arguments: field(o, p, 'arguments', (v, ap) => table(v, ap), {}),
    };
    const argType = def.arguments['x-queue-type'];
    const type = field(o, p, 'type', str, typeof argType === 'string' ? argType : 'classic');
    queueTypes.set(p, type);
    return { path: p, vhost: vhostOf(o, p), def };
  });
  const bindings: Array<Entry<BindingDef>> = rawBindings.map((raw, i) => {
    const p = at('bindings', i);
    const o = obj(raw, p);
    const destinationType = field(o, p, 'destination_type', str);
    if (destinationType !== 'queue' && destinationType !== 'exchange') {
      throw new DefinitionsError(at(p, 'destination_type'), reason('defs.expected.destination', { got: JSON.stringify(destinationType) }));
    }
    return {
      path: p,
      vhost: vhostOf(o, p),
      def: {
        source: field(o, p, 'source', shortstr),
        destination: field(o, p, 'destination', shortstr),
        destinationType,
        routingKey: field(o, p, 'routing_key', shortstr, ''),
        arguments: field(o, p, 'arguments', (v, ap) => table(v, ap), {}),
      },
    };
  });
  const rawVhosts = field(root, '', 'vhosts', list, []).map((v, i) => field(obj(v, at('vhosts', i)), at('vhosts', i), 'name', str));

  const seen = [...rawVhosts, ...exchanges.map((e) => e.vhost), ...queues.map((e) => e.vhost), ...bindings.map((e) => e.vhost)];
  const vhost = options.vhost ?? (seen.includes('/') || seen.length === 0 ? '/' : seen[0]);
  const report: ImportReport = { vhost, imported: { exchanges: 0, queues: 0, bindings: 0 }, skipped: [], ignored: [] };
  const skip = (kind: Skipped['kind'], name: string, why: Reason) => report.skipped.push({ kind, name, reason: why });

  const otherVhosts = [...new Set(seen.filter((v) => v !== vhost))];
  for (const v of otherVhosts) {
    const n = (list: Array<Entry<unknown>>) => list.filter((e) => e.vhost === v).length;
    report.ignored.push({ section: 'vhost', count: 1, detail: reason('defs.ignored.vhost', { vhost: v, exchanges: n(exchanges), queues: n(queues), bindings: n(bindings) }) });
  }
  ignoreSections(root, report);

  // Then the chosen vhost's entries, as RabbitMQ would declare them.
  const topology: Topology = { exchanges: [], queues: [], bindings: [] };
  const exchangeNames = new Map<string, ExchangeDef>();
  for (const { def, vhost: v, path } of exchanges) {
    if (v !== vhost) continue;
    if (def.name === '' || def.name.startsWith('amq.')) {
      skip('exchange', def.name, reason('defs.skip.amq'));
      continue;
    }
    if (!EXCHANGE_TYPES.has(def.type)) {
      skip('exchange', def.name, reason('defs.skip.exchange.type', { type: def.type }));
      continue;
    }
    const before = exchangeNames.get(def.name);
    if (before) {
      if (!sameExchange(before, def)) throw new DefinitionsError(path, reason('defs.exchange.twice', { name: def.name }));
      continue;
    }
    exchangeNames.set(def.name, def);
    topology.exchanges.push(def);
  }
  const queueNames = new Map<string, QueueDef>();
  for (const { def, vhost: v, path } of queues) {
    if (v !== vhost) continue;
    if (def.name === '' || def.name.startsWith('amq.')) {
      skip('queue', def.name, reason('defs.skip.amq'));
      continue;
    }
    const type = queueTypes.get(path)!;
    if (type !== 'classic') {
      skip('queue', def.name, reason('defs.skip.queue.type', { type }));
      continue;
    }
    try {
      validateQueueArguments(def.name, def.arguments, 'queue.declare');
    } catch (e) {
      if (e instanceof AmqpError) throw new DefinitionsError(at(path, 'arguments'), reason('defs.rabbitmq', { text: e.replyText }));
      throw e;
    }
    const before = queueNames.get(def.name);
    if (before) {
      if (!sameQueue(before, def)) throw new DefinitionsError(path, reason('defs.queue.twice', { name: def.name }));
      continue;
    }
    queueNames.set(def.name, def);
    topology.queues.push(def);
  }
  const bindingKeys = new Set<string>();
  for (const { def, vhost: v } of bindings) {
    if (v !== vhost) continue;
    const label = `${def.source} -> ${def.destinationType} ${def.destination} '${def.routingKey}'`;
    const sourceKnown = exchangeNames.has(def.source) || (PREDECLARED_EXCHANGES.has(def.source) && def.source !== '');
    const destKnown = def.destinationType === 'queue' ? queueNames.has(def.destination) : exchangeNames.has(def.destination) || (PREDECLARED_EXCHANGES.has(def.destination) && def.destination !== '');
    if (def.source === '') {
      skip('binding', label, reason('defs.skip.default.binding'));
      continue;
    }
    if (!sourceKnown || !destKnown) {
      skip('binding', label, !sourceKnown ? reason('defs.skip.missing.exchange', { name: def.source }) : reason('defs.skip.missing.destination', { kind: reason(`defs.kind.${def.destinationType}`), name: def.destination }));
      continue;
    }
    const key = JSON.stringify([def.source, def.destinationType, def.destination, def.routingKey, sortedJson(def.arguments)]);
    if (bindingKeys.has(key)) continue;
    bindingKeys.add(key);
    topology.bindings.push(def);
  }
  report.imported = { exchanges: topology.exchanges.length, queues: topology.queues.length, bindings: topology.bindings.length };
  return { topology, report };
}

/** The sections that configure a RabbitMQ server, not a topology. */
function ignoreSections(root: Obj, report: ImportReport): void {
  const names = (section: string, key: string) => {
    const v = root[section];
    if (!Array.isArray(v) || v.length === 0) return null;
    const shown = v.slice(0, 5).map((e) => (isObj(e) && typeof e[key] === 'string' ? e[key] : '?'));
    return { count: v.length, names: `${shown.join(', ')}${v.length > 5 ? ', …' : ''}` };
  };
  const sections = [
    ['users', 'name'],
    ['permissions', 'user'],
    ['topic_permissions', 'user'],
    ['policies', 'name'],
    ['parameters', 'component'],
    ['global_parameters', 'name'],
  ] as const;
  for (const [section, key] of sections) {
    const n = names(section, key);
    if (n) report.ignored.push({ section, count: n.count, detail: reason(`defs.ignored.${section}`, { names: n.names }) });
  }
  for (const key of Object.keys(root)) {
    if (!KNOWN_SECTIONS.has(key)) report.ignored.push({ section: key, count: Array.isArray(root[key]) ? (root[key] as unknown[]).length : 1, detail: reason('defs.ignored.unknown') });
  }
}

function sortedJson(t: FieldTable): string {
  return JSON.stringify(t, (_k, v: unknown) => (isObj(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v));
}

function sameExchange(a: ExchangeDef, b: ExchangeDef): boolean {
  return a.type === b.type && a.durable === b.durable && a.autoDelete === b.autoDelete && a.internal === b.internal && sortedJson(a.arguments) === sortedJson(b.arguments);
}

function sameQueue(a: QueueDef, b: QueueDef): boolean {
  return a.durable === b.durable && a.autoDelete === b.autoDelete && sortedJson(a.arguments) === sortedJson(b.arguments);
}

/** The report as lines a person reads (CLI and page). */
export function reportLines(report: ImportReport): string[] {
  const lines = [`virtual host '${report.vhost}': ${report.imported.exchanges} exchanges, ${report.imported.queues} queues, ${report.imported.bindings} bindings`];
  for (const s of report.skipped) lines.push(`skipped ${skippedText(s)}`);
  for (const i of report.ignored) lines.push(`not imported: ${i.section} (${i.count}): ${sayReason(i.detail, english)}`);
  return lines;
}
