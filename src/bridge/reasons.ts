/**
 * Why the bridge left something out or refused a file, as reasons a view
 * says in its reader's language (src/i18n/reason.ts); the English, from
 * the same strings file, is what the CLI prints and errors carry.
 */
import ENGLISH from '../i18n/strings/definitions.en.json';
import { ReasonError, sayFrom, sayReason, type Reason, type ReasonParam, type Say } from '../i18n/reason.ts';

export type DefinitionsProblem = keyof typeof ENGLISH;

export const reason = (key: DefinitionsProblem, params: Record<string, ReasonParam> = {}): Reason => ({ key, params });

/** Says a reason in English. */
export const english: Say = sayFrom(ENGLISH);

/** What kind of JSON value `v` is: "an array", "a number"… */
export function got(v: unknown): Reason {
  if (v === null) return reason('defs.got.null');
  if (Array.isArray(v)) return reason('defs.got.array');
  const type = typeof v;
  if (type === 'object' || type === 'string' || type === 'number' || type === 'boolean') return reason(`defs.got.${type}`);
  return reason('defs.got.other', { type });
}

/** A definitions file refused: where in the file (a JSON path, '' for the whole file) and why. */
export class DefinitionsError extends ReasonError {
  override name = 'DefinitionsError';
  constructor(
    readonly path: string,
    readonly problem: Reason,
  ) {
    super(ENGLISH, path ? 'defs.at' : problem.key, path ? { path, problem } : problem.params);
  }
}

/** Something left out of a file or a script, and why. */
export interface Skipped {
  kind: 'exchange' | 'queue' | 'binding' | 'argument';
  name: string;
  reason: Reason;
}

/** "queue votes: a quorum queue: Warren has classic queues only", in `say`'s language. */
export function skippedText(s: Skipped, say: Say = english): string {
  return sayReason(reason('defs.skipped', { kind: reason(`defs.kind.${s.kind}`), name: s.name === '' ? "''" : s.name, reason: s.reason }), say);
}
