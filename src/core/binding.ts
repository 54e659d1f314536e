import type { BindingRef } from './events.ts';
import type { Binding, BindingTarget } from './exchanges/index.ts';
import type { FieldTable } from './fields.ts';

/**
 * A binding as the broker keeps it: one object. Its `ref` (what events and
 * views name it by) is made the first time someone asks, so bindings made
 * in bulk with nobody watching cost no more than this.
 */
export class BrokerBinding<D extends BindingTarget = BindingTarget> implements Binding<D> {
  compiled?: unknown;
  routeStamp = 0;
  readonly arguments: FieldTable;
  private madeRef: BindingRef | null = null;

  constructor(
    readonly source: string,
    readonly destination: D,
    readonly destinationKind: 'queue' | 'exchange',
    readonly routingKey: string,
    args: FieldTable,
    readonly identity: string,
  ) {
    this.arguments = args;
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
