/**
 * A broker's topology, apart from its messages and clients: the exchanges,
 * queues and bindings of Warren's one virtual host. The definitions export
 * reads it from a broker, the definitions import builds one and applies it
 * to a broker, and the round-trip tests compare two of them.
 */
import type { Broker } from '../core/broker.ts';
import { tableKey, type FieldTable } from '../core/fields.ts';
import type { Reason } from '../i18n/reason.ts';
import { reason } from './reasons.ts';

export interface ExchangeDef {
  name: string;
  type: string;
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

export interface QueueDef {
  name: string;
  durable: boolean;
  autoDelete: boolean;
  /** Owned by one connection (declared exclusive): not part of a definitions file. */
  exclusive: boolean;
  arguments: FieldTable;
}

export interface BindingDef {
  source: string;
  destination: string;
  destinationType: 'queue' | 'exchange';
  routingKey: string;
  arguments: FieldTable;
}

export interface Topology {
  exchanges: ExchangeDef[];
  queues: QueueDef[];
  bindings: BindingDef[];
}

/** The exchanges every virtual host has from the start. */
export const PREDECLARED_EXCHANGES: ReadonlySet<string> = new Set(['', 'amq.direct', 'amq.fanout', 'amq.headers', 'amq.match', 'amq.topic', 'amq.rabbitmq.trace']);

/** The topology of a broker, in declaration order (predeclared exchanges left out). */
export function readTopology(broker: Broker): Topology {
  const exchanges: ExchangeDef[] = [];
  const bindings: BindingDef[] = [];
  for (const x of broker.exchanges.values()) {
    if (!PREDECLARED_EXCHANGES.has(x.name)) {
      exchanges.push({ name: x.name, type: x.type.name, durable: x.durable, autoDelete: x.autoDelete, internal: x.internal, arguments: x.arguments });
    }
    for (const b of x.bindings.values()) {
      bindings.push({ source: b.source, destination: b.destination.name, destinationType: b.destinationKind, routingKey: b.routingKey, arguments: b.arguments });
    }
  }
  const queues = [...broker.queues.values()].map((q) => ({ name: q.name, durable: q.durable, autoDelete: q.autoDelete, exclusive: q.owner !== null, arguments: q.arguments }));
  return { exchanges, queues, bindings };
}

/**
 * Builds a topology in a broker, as a definitions import does: exchanges,
 * then queues, then bindings, each telling the event stream (so the page
 * animates them in). What already exists with the same name is kept.
 * The topology must have been validated (importDefinitions does).
 */
export function applyTopology(broker: Broker, topology: Topology): void {
  for (const x of topology.exchanges) {
    if (!broker.exchanges.has(x.name)) broker.createExchange(x.name, x.type, x);
  }
  for (const q of topology.queues) {
    if (!broker.queues.has(q.name)) broker.createQueue(q.name, { durable: q.durable, autoDelete: q.autoDelete, owner: null, arguments: q.arguments });
  }
  for (const b of topology.bindings) {
    const source = broker.exchanges.get(b.source);
    const destination = b.destinationType === 'queue' ? broker.queues.get(b.destination) : broker.exchanges.get(b.destination);
    if (source && destination) broker.addBinding(source, destination, b.destinationType, b.routingKey, b.arguments);
  }
}

/**
 * What in `topology` the broker already has with other properties: building
 * it there would be refused (406 PRECONDITION_FAILED, inequivalent arg…),
 * so the page refuses the import before touching anything.
 */
export function conflicts(broker: Broker, topology: Topology): Reason[] {
  const out: Reason[] = [];
  for (const x of topology.exchanges) {
    const have = broker.exchanges.get(x.name);
    if (!have) continue;
    const same = have.type.name === x.type && have.durable === x.durable && have.autoDelete === x.autoDelete && have.internal === x.internal && tableKey(have.arguments) === tableKey(x.arguments);
    if (!same) out.push(reason('defs.clash.exchange', { name: x.name }));
  }
  for (const q of topology.queues) {
    const have = broker.queues.get(q.name);
    if (!have) continue;
    const same = have.owner === null && have.durable === q.durable && have.autoDelete === q.autoDelete && tableKey(have.arguments) === tableKey(q.arguments);
    if (!same) out.push(reason('defs.clash.queue', { name: q.name }));
  }
  return out;
}
