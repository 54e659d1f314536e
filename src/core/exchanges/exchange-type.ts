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
  /** The arguments as tableKey() writes them: equal with their types, whatever the order. */
  readonly argumentsKey: string;
  /** Precomputed by the exchange type (e.g. a headers matcher). */
  compiled?: unknown;
  /** Per-publish stamp so a binding matched by two routing keys is listed once. */
  routeStamp: number;
  readonly ref: BindingRef;
  /** Whether this binding has the identity (destination, routing key, arguments) within its source. */
  is(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): boolean;
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
  /**
   * The binding with this identity, when the index can find it by its
   * routing key without a search (otherwise the broker looks among the
   * destination's bindings).
   */
  find?(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): Binding | undefined;
}

export interface ExchangeType {
  readonly name: string;
  /** An error text (406) when the binding's arguments are unacceptable. */
  validateBinding(args: FieldTable): string | null;
  createIndex(): BindingIndex;
}
