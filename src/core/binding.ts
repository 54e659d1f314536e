import type { BindingRef } from './events.ts';
import type { Binding, BindingTarget } from './exchanges/index.ts';
import type { FieldTable } from './fields.ts';

/**
 * A binding as the broker keeps it: one object, which is also its own link
 * in the two lists it belongs to (its source's and its destination's, see
 * binding-list.ts), so making one allocates nothing else. Its `ref` (what
 * events and views name it by) is made the first time someone asks, so
 * bindings made in bulk with nobody watching cost no more than this.
 */
export class BrokerBinding<D extends BindingTarget = BindingTarget> implements Binding<D> {
  compiled?: unknown;
  routeStamp = 0;
  /** Until the binding is removed (or its source or destination deleted). */
  live = true;
  readonly arguments: FieldTable;
  /** Neighbours in the source exchange's list of bindings. */
  sourcePrev: BrokerBinding | null = null;
  sourceNext: BrokerBinding | null = null;
  /** Neighbours in the destination's list of bindings. */
  destinationPrev: BrokerBinding | null = null;
  destinationNext: BrokerBinding | null = null;
  private madeRef: BindingRef | null = null;

  constructor(
    readonly source: string,
    readonly destination: D,
    readonly destinationKind: 'queue' | 'exchange',
    readonly routingKey: string,
    args: FieldTable,
    /** The arguments as tableKey() writes them: equal with their types, whatever the order. */
    readonly argumentsKey: string,
  ) {
    this.arguments = args;
  }

  /** Whether this binding and a (destination, key, arguments) name the same binding of one source. */
  is(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): boolean {
    return this.destination === destination && this.destinationKind === kind && this.routingKey === routingKey && this.argumentsKey === argumentsKey;
  }

  get ref(): BindingRef {
    return (this.madeRef ??= {
      source: this.source,
      destination: { kind: this.destinationKind, name: this.destination.name },
      routingKey: this.routingKey,
      arguments: this.arguments,
    });
  }
}
