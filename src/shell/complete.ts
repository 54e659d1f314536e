/**
 * Tab completion derived from the command table: command names first, then
 * existing exchange and queue names where an argument takes one.
 */
import { EXCHANGE_TYPES } from '../core/exchanges/index.ts';
import { COMMANDS, COMMAND_BY_NAME } from './commands.ts';

export type NameSource = (kind: 'exchange' | 'queue') => string[];

/** Candidates for the last (partial) word of `line`, and that word. */
export function complete(line: string, names: NameSource): [string[], string] {
  const words = line.split(/\s+/);
  let start = 0;
  if (words[0]?.startsWith('@') && words.length > 1) start = 1;
  const partial = words[words.length - 1] ?? '';
  const index = words.length - 1 - start;
  if (index === 0) {
    const all = [...COMMANDS.map((c) => c.name), 'help', 'exit'];
    return [all.filter((n) => n.startsWith(partial)), partial];
  }
  const spec = COMMAND_BY_NAME.get(words[start]);
  if (!spec || partial.startsWith('--')) return [[], partial];
  const positionalIndex = words.slice(start + 1, -1).filter((w) => !w.startsWith('--')).length;
  const p = spec.positionals[positionalIndex];
  if (!p?.completes) return [[], partial];
  const pool = p.completes === 'exchange-type' ? [...EXCHANGE_TYPES.keys()] : names(p.completes);
  return [pool.filter((n) => n.startsWith(partial)).sort(), partial];
}
