import type { Binding, BindingIndex, BindingTarget, ExchangeType } from './exchange-type.ts';

/** Byte-for-byte equal routing keys; binding arguments are ignored. */
class DirectIndex implements BindingIndex {
  private byKey = new Map<string, Binding[]>();

  add(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (list) list.push(b);
    else this.byKey.set(b.routingKey, [b]);
  }

  remove(b: Binding): void {
    const list = this.byKey.get(b.routingKey);
    if (!list) return;
    const i = list.indexOf(b);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.byKey.delete(b.routingKey);
  }

  find(destination: BindingTarget, kind: 'queue' | 'exchange', routingKey: string, argumentsKey: string): Binding | undefined {
    const list = this.byKey.get(routingKey);
    if (list) for (let i = 0; i < list.length; i++) if (list[i].is(destination, kind, routingKey, argumentsKey)) return list[i];
    return undefined;
  }

  route(key: string, _headers: unknown, visit: (b: Binding) => void): void {
    const list = this.byKey.get(key);
    if (!list) return;
    for (let i = 0; i < list.length; i++) visit(list[i]);
  }
}

export const direct: ExchangeType = {
  name: 'direct',
  validateBinding: () => null,
  createIndex: () => new DirectIndex(),
};
