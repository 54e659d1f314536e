/**
 * A topology as a shell script (the dialect of docs/shell.md): what the
 * page runs to build an imported topology line by line, so that it
 * animates in, replays on the timeline and travels in share links, and
 * what `npm run bridge -- import-definitions` prints for trainers.
 *
 * The shell types arguments by name (RabbitMQ's integer arguments are
 * integers, x-single-active-consumer a boolean, everything else a string),
 * so a value of another type is carried as its text, and that is listed;
 * what the shell cannot say at all (a name with a line break, a list or
 * table argument, an exchange argument not starting with x-) is left out
 * and listed. Nothing changes silently.
 */
import { typeOf, valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';
import { BOOLEAN_ARGUMENTS, INTEGER_ARGUMENTS } from '../shell/commands.ts';
import { quote } from '../shell/quote.ts';
import { reason, type Skipped } from './reasons.ts';
import type { Topology } from './topology.ts';

export interface ScriptResult {
  lines: string[];
  /** Left out, or carried with another type. */
  notes: Skipped[];
}

const yesNo = (b: boolean) => (b ? 'yes' : 'no');
const speakable = (name: string) => !/[\r\n]/.test(name);

/** Named options for a table, or the reason one key cannot be said. */
function options(table: FieldTable, accepts: (key: string) => boolean, owner: string, notes: Skipped[]): string[] {
  const out: string[] = [];
  for (const key of Object.keys(table)) {
    const v = table[key];
    if (v === undefined) continue;
    const where = `${owner}: argument '${key}'`;
    if (!accepts(key) || key.includes('=') || !speakable(key)) {
      notes.push({ kind: 'argument', name: where, reason: reason('defs.shell.option') });
      continue;
    }
    const text = optionText(key, v);
    if (text === null) {
      notes.push({ kind: 'argument', name: where, reason: reason('defs.shell.value', { type: typeOf(v) }) });
      continue;
    }
    if (text.converted) notes.push({ kind: 'argument', name: where, reason: reason('defs.shell.converted', { value: JSON.stringify(valueOf(v)), text: text.value }) });
    out.push(/^[\w.-]+$/.test(key) ? `--${key}=${quote(text.value)}` : quote(`--${key}=${text.value}`));
  }
  return out;
}

function optionText(key: string, v: FieldValue): { value: string; converted: boolean } | null {
  const t = typeOf(v);
  const raw = valueOf(v);
  if (t === 'array' || t === 'table' || t === 'binary' || t === 'void') return null;
  const s = String(raw);
  if (!speakable(s)) return null;
  if (INTEGER_ARGUMENTS.has(key)) return typeof raw === 'number' && Number.isInteger(raw) ? { value: s, converted: false } : null;
  if (BOOLEAN_ARGUMENTS.has(key)) return typeof raw === 'boolean' ? { value: yesNo(raw), converted: false } : null;
  return { value: s, converted: t !== 'longstr' };
}

/** The lines that build `topology` from an empty broker. */
export function topologyScript(topology: Topology): ScriptResult {
  const lines: string[] = [];
  const notes: Skipped[] = [];
  const gone = new Set<string>();
  const leaveOut = (kind: 'exchange' | 'queue', name: string) => {
    notes.push({ kind, name: JSON.stringify(name), reason: reason('defs.shell.name.break') });
    gone.add(`${kind}:${name}`);
  };
  for (const x of topology.exchanges) {
    if (!speakable(x.name)) {
      leaveOut('exchange', x.name);
      continue;
    }
    const args = options(x.arguments, (k) => k === 'alternate-exchange' || k.startsWith('x-'), `exchange '${x.name}'`, notes);
    lines.push(['exchange.declare', quote(x.name), x.type, 'no', yesNo(x.durable), yesNo(x.autoDelete), yesNo(x.internal), ...args].join(' '));
  }
  for (const q of topology.queues) {
    if (!speakable(q.name)) {
      leaveOut('queue', q.name);
      continue;
    }
    const args = options(q.arguments, (k) => k.startsWith('x-'), `queue '${q.name}'`, notes);
    lines.push(['queue.declare', quote(q.name), 'no', yesNo(q.durable), yesNo(q.exclusive), yesNo(q.autoDelete), ...args].join(' '));
  }
  for (const b of topology.bindings) {
    const label = `${b.source} -> ${b.destination} '${b.routingKey}'`;
    if (gone.has(`exchange:${b.source}`) || gone.has(`${b.destinationType}:${b.destination}`)) {
      notes.push({ kind: 'binding', name: JSON.stringify(label), reason: reason('defs.shell.binding.gone') });
      continue;
    }
    if (!speakable(b.routingKey)) {
      notes.push({ kind: 'binding', name: JSON.stringify(label), reason: reason('defs.shell.key.break') });
      continue;
    }
    const args = options(b.arguments, () => true, `binding ${label}`, notes);
    const command = b.destinationType === 'queue' ? 'queue.bind' : 'exchange.bind';
    lines.push([command, quote(b.destination), quote(b.source), quote(b.routingKey), ...args].join(' '));
  }
  return { lines, notes };
}

