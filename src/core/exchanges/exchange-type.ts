import type { FieldTable } from '../fields.ts';
import type { BindingRef } from '../events.ts';

/** What a binding points at: a queue or an exchange (e2e binding). */
export interface BindingTarget {
  readonly name: string;
  /** Per-publish stamp used to collect each destination once. */
  routeStamp: number;
}

export interface Binding<D extends BindingTarget = BindingTarget> {
  readonly source: string;
  readonly destination: D;
  readonly destinationKind: 'queue' | 'exchange';
  readonly routingKey: string;
  readonly arguments: FieldTable;
  /** Identity within its source: destination, key and arguments with their types. */
  readonly identity: string;
  /** Precomputed by the exchange type (e.g. a headers matcher). */
  compiled?: unknown;
  /** Per-publish stamp so a binding matched by two routing keys is listed once. */
  routeStamp: number;
  readonly ref: BindingRef;
}

/**
 * The bindings of one exchange, indexed the way its type routes. Like
 * RabbitMQ's rabbit_exchange_type: routing reports matching bindings and the
 * caller collects destinations, each once.
 */
export interface BindingIndex {
  add(binding: Binding): void;
  remove(binding: Binding): void;
  route(routingKey: string, headers: FieldTable | undefined, visit: (binding: Binding) => void): void;
}

export interface ExchangeType {
  readonly name: string;
  /** An error text (406) when the binding's arguments are unacceptable. */
  validateBinding(args: FieldTable): string | null;
  createIndex(): BindingIndex;
}
