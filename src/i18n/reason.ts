/**
 * Errors that a view can say in the reader's language: the error keeps the
 * key of its text in a strings file and the values to fill in, and its
 * `message` is the English, for logs, the CLI and tests. A value can itself
 * be a reason ("could not restore the saved sandbox: <why>").
 */
import { interpolate } from './interpolate.ts';

export type ReasonParam = string | number | Reason;

export interface Reason {
  readonly key: string;
  readonly params: Readonly<Record<string, ReasonParam>>;
}

/** How a view says a key with its filled-in parameters (the page's `t`). */
export type Say = (key: string, params: Record<string, string | number>) => string;

/** Says `reason` with `say`, its nested reasons first. */
export function sayReason(reason: Reason, say: Say): string {
  const params: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(reason.params)) params[name] = typeof v === 'object' ? sayReason(v, say) : v;
  return say(reason.key, params);
}

/** A `Say` from one language's strings (an area's English file, imported as JSON). */
export const sayFrom =
  (strings: Readonly<Record<string, string>>): Say =>
  (key, params) => {
    const text = strings[key];
    if (text === undefined) throw new Error(`i18n: no string '${key}'`);
    return interpolate(text, params, key);
  };

/** An error whose reason a view says in its own language; `message` is the English. */
export class ReasonError extends Error implements Reason {
  constructor(
    english: Readonly<Record<string, string>>,
    readonly key: string,
    readonly params: Readonly<Record<string, ReasonParam>> = {},
  ) {
    super(sayReason({ key, params }, sayFrom(english)));
  }
}
