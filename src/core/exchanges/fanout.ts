import type { Binding, BindingIndex, ExchangeType } from './exchange-type.ts';

/** Every binding, whatever the routing key. */
class FanoutIndex implements BindingIndex {
  private all: Binding[] = [];

  add(b: Binding): void {
    this.all.push(b);
  }

  remove(b: Binding): void {
    const i = this.all.indexOf(b);
    if (i >= 0) this.all.splice(i, 1);
  }

  route(_key: string, _headers: unknown, visit: (b: Binding) => void): void {
    const list = this.all;
    for (let i = 0; i < list.length; i++) visit(list[i]);
  }
}

export const fanout: ExchangeType = {
  name: 'fanout',
  validateBinding: () => null,
  createIndex: () => new FanoutIndex(),
};
