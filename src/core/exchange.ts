import { stringArg, type FieldTable } from './fields.ts';
import { BindingList } from './binding-list.ts';
import type { BindingIndex, BindingTarget, ExchangeType } from './exchanges/index.ts';

export interface ExchangeOptions {
  durable: boolean;
  autoDelete: boolean;
  internal: boolean;
  arguments: FieldTable;
}

/** An exchange: its type's binding index and the bindings it is source of. */
export class Exchange implements BindingTarget {
  routeStamp = 0;
  readonly durable: boolean;
  readonly autoDelete: boolean;
  readonly internal: boolean;
  readonly arguments: FieldTable;
  readonly index: BindingIndex;
  /** Bindings where this exchange is the source, in creation order (its index finds one by identity). */
  readonly bindings = new BindingList('source');
  /** Bindings where this exchange is the destination. */
  readonly incoming = new BindingList('destination');

  constructor(
    readonly name: string,
    readonly type: ExchangeType,
    options: ExchangeOptions,
  ) {
    this.durable = options.durable;
    this.autoDelete = options.autoDelete;
    this.internal = options.internal;
    this.arguments = options.arguments;
    this.index = type.createIndex();
  }

  get alternateExchange(): string | undefined {
    return stringArg(this.arguments, 'alternate-exchange') ?? undefined;
  }
}
