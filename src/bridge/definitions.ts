/**
 * RabbitMQ's definitions file: the JSON `rabbitmqctl export_definitions`
 * and the management API write and `rabbitmqctl import_definitions` reads.
 *
 * The export writes what RabbitMQ 3.10.8 writes (keys sorted, the same
 * top-level sections) for Warren's one virtual host, with two deliberate
 * differences that make the file import as it should:
 *
 * - internal exchanges are written, with `"internal": true` (RabbitMQ's own
 *   export leaves internal exchanges out but keeps their bindings; its
 *   import honours the flag);
 * - exclusive queues and server-named `amq.*` queues are left out, with
 *   their bindings, and listed as skipped: an exclusive queue belongs to a
 *   connection, and RabbitMQ's import skips every `amq.*` name.
 */
import { typeOf, valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';
import { reason, type Skipped } from './reasons.ts';
import type { Topology } from './topology.ts';

export type { Skipped };

/** The version of RabbitMQ whose behaviour Warren follows, as the files name it. */
export const RABBIT_VERSION = '3.10.8';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface DefinitionsExchange {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  internal: boolean;
  arguments: { [key: string]: Json };
}

export interface DefinitionsQueue {
  name: string;
  vhost: string;
  type: string;
  durable: boolean;
  auto_delete: boolean;
  arguments: { [key: string]: Json };
}

export interface DefinitionsBinding {
  source: string;
  vhost: string;
  destination: string;
  destination_type: 'queue' | 'exchange';
  routing_key: string;
  arguments: { [key: string]: Json };
}

export interface Definitions {
  bindings: DefinitionsBinding[];
  exchanges: DefinitionsExchange[];
  global_parameters: Json[];
  parameters: Json[];
  permissions: Json[];
  policies: Json[];
  queues: DefinitionsQueue[];
  rabbit_version: string;
  rabbitmq_version: string;
  topic_permissions: Json[];
  users: Json[];
  vhosts: Array<{ name: string; limits: Json[]; metadata: { description: string; tags: string[] } }>;
}

export interface ExportResult {
  definitions: Definitions;
  skipped: Skipped[];
}

/** A field value as JSON, as RabbitMQ writes it; undefined when JSON cannot hold it. */
export function fieldToJson(v: FieldValue): Json | undefined {
  const t = typeOf(v);
  const raw = valueOf(v);
  switch (t) {
    case 'longstr':
    case 'bool':
      return raw as string | boolean;
    case 'void':
      return null;
    case 'byte':
    case 'short':
    case 'signedint':
    case 'long':
    case 'unsignedbyte':
    case 'unsignedshort':
    case 'unsignedint':
    case 'double':
    case 'float':
    case 'timestamp':
      return Number(raw);
    case 'array': {
      const out: Json[] = [];
      for (const item of raw as FieldValue[]) {
        const j = fieldToJson(item);
        if (j === undefined) return undefined;
        out.push(j);
      }
      return out;
    }
    case 'table': {
      const out = tableToJson(v as FieldTable);
      return out.problems.length ? undefined : out.json;
    }
    default:
      // binary and decimal values have no JSON form in a definitions file
      return undefined;
  }
}

/** A table as JSON (keys sorted as RabbitMQ writes them), and the keys JSON cannot hold. */
export function tableToJson(table: FieldTable): { json: { [key: string]: Json }; problems: string[] } {
  const json: { [key: string]: Json } = {};
  const problems: string[] = [];
  for (const key of Object.keys(table).sort()) {
    const v = table[key];
    if (v === undefined) continue;
    const j = fieldToJson(v);
    if (j === undefined) problems.push(`${key} (a ${typeOf(v)} value)`);
    else json[key] = j;
  }
  return { json, problems };
}

const isServerNamed = (name: string) => name.startsWith('amq.');

/** Warren's topology as a definitions file for the virtual host `vhost`. */
export function exportDefinitions(topology: Topology, options: { vhost?: string } = {}): ExportResult {
  const vhost = options.vhost ?? '/';
  const skipped: Skipped[] = [];
  const args = (kind: Skipped['kind'], name: string, table: FieldTable) => {
    const { json, problems } = tableToJson(table);
    for (const p of problems) skipped.push({ kind: 'argument', name: `${kind} '${name}': ${p}`, reason: reason('defs.export.json') });
    return json;
  };
  const leftOut = new Set<string>();
  const queues: DefinitionsQueue[] = [];
  for (const q of topology.queues) {
    if (q.exclusive) {
      skipped.push({ kind: 'queue', name: q.name, reason: reason('defs.export.exclusive') });
      leftOut.add(q.name);
    } else if (isServerNamed(q.name)) {
      skipped.push({ kind: 'queue', name: q.name, reason: reason('defs.export.server.named') });
      leftOut.add(q.name);
    } else {
      queues.push({ arguments: args('queue', q.name, q.arguments), auto_delete: q.autoDelete, durable: q.durable, name: q.name, type: 'classic', vhost });
    }
  }
  const exchanges: DefinitionsExchange[] = topology.exchanges.map((x) => ({
    arguments: args('exchange', x.name, x.arguments),
    auto_delete: x.autoDelete,
    durable: x.durable,
    internal: x.internal,
    name: x.name,
    type: x.type,
    vhost,
  }));
  const bindings: DefinitionsBinding[] = [];
  for (const b of topology.bindings) {
    const label = `${b.source || '(default)'} -> ${b.destination} '${b.routingKey}'`;
    if (b.source === '') continue; // the default exchange's bindings are implicit
    if (b.destinationType === 'queue' && leftOut.has(b.destination)) {
      skipped.push({ kind: 'binding', name: label, reason: reason('defs.export.queue.left.out', { queue: b.destination }) });
      continue;
    }
    bindings.push({
      arguments: args('binding', label, b.arguments),
      destination: b.destination,
      destination_type: b.destinationType,
      routing_key: b.routingKey,
      source: b.source,
      vhost,
    });
  }
  return {
    definitions: {
      bindings,
      exchanges,
      global_parameters: [],
      parameters: [],
      permissions: [],
      policies: [],
      queues,
      rabbit_version: RABBIT_VERSION,
      rabbitmq_version: RABBIT_VERSION,
      topic_permissions: [],
      users: [],
      vhosts: [{ limits: [], metadata: { description: vhost === '/' ? 'Default virtual host' : '', tags: [] }, name: vhost }],
    },
    skipped,
  };
}

/** The file's text: JSON as RabbitMQ writes it (one object, keys in its order). */
export function definitionsText(d: Definitions): string {
  return `${JSON.stringify(d, null, 2)}\n`;
}
