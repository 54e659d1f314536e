import { direct } from './direct.ts';
import { fanout } from './fanout.ts';
import { headers } from './headers.ts';
import { topic } from './topic.ts';
import type { ExchangeType } from './exchange-type.ts';

export type { Binding, BindingIndex, BindingTarget, ExchangeType } from './exchange-type.ts';
export { splitTopicKey } from './topic.ts';
export { headersMatch } from './headers.ts';

/** The built-in exchange types, by name. */
export const EXCHANGE_TYPES: ReadonlyMap<string, ExchangeType> = new Map([direct, fanout, topic, headers].map((t) => [t.name, t]));
