/** One line of the dialect, parsed against the command table. */
import type { FieldTable } from '../core/fields.ts';
import type { MessageProperties } from '../core/message.ts';
import { argumentValue, COMMAND_BY_NAME, parseBool, PROPERTY_OPTIONS, signature, type CommandSpec, type Invocation } from './commands.ts';
import { tokenize, TokenizeError } from './tokenize.ts';

export interface Address {
  connection: string;
  channel: number;
}

export type ParsedLine =
  | { kind: 'blank' }
  | { kind: 'help'; command?: string }
  | { kind: 'exit' }
  | { kind: 'command'; spec: CommandSpec; address: Address; invocation: Invocation }
  /** A line the shell cannot run: printed as is, nothing touched. */
  | { kind: 'error'; message: string };

export const DEFAULT_ADDRESS: Address = { connection: 'a', channel: 1 };

export function isComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}

const unknown = (line: string): ParsedLine => ({ kind: 'error', message: `unknown syntax: '${line.trim()}'. how about some 'help'?` });

export function parseLine(line: string): ParsedLine {
  if (isComment(line)) return { kind: 'blank' };
  let words: string[];
  try {
    words = tokenize(line.trim());
  } catch (e) {
    if (e instanceof TokenizeError) return { kind: 'error', message: `error: ${e.message}.` };
    throw e;
  }
  let address = DEFAULT_ADDRESS;
  if (words[0]?.startsWith('@')) {
    const m = /^@(?:([a-z]+):)?(\d+)$/.exec(words[0]);
    if (!m || Number(m[2]) < 1 || Number(m[2]) > 2047) {
      return { kind: 'error', message: `error: bad address '${words[0]}' (use @N for channel N, or @C:N for channel N of connection C).` };
    }
    address = { connection: m[1] ?? 'a', channel: Number(m[2]) };
    words = words.slice(1);
  }
  const [name, ...rest] = words;
  if (name === undefined) return unknown(line);
  if (name === 'help') return { kind: 'help', command: rest[0] };
  if (name === 'exit' || name === 'quit') return { kind: 'exit' };
  const spec = COMMAND_BY_NAME.get(name);
  if (!spec) return unknown(line);
  const result = bind(spec, rest);
  if (result instanceof Error) return { kind: 'error', message: `error: ${result.message}. usage: ${signature(spec)}` };
  return { kind: 'command', spec, address, invocation: result };
}

/** Matches words to the command's positionals and named options. */
function bind(spec: CommandSpec, words: string[]): Invocation | Error {
  const positional: string[] = [];
  const table: FieldTable = {};
  const properties: MessageProperties = {};
  let consumerTag: string | undefined;
  for (const w of words) {
    if (!w.startsWith('--')) {
      positional.push(w);
      continue;
    }
    const eq = w.indexOf('=');
    if (eq < 0) return new Error(`option ${w} needs a value (${w}=VALUE)`);
    const key = w.slice(2, eq);
    const raw = w.slice(eq + 1);
    const problem = applyOption(spec, key, raw, table, properties, (t) => (consumerTag = t));
    if (problem) return problem;
  }
  if (positional.length > spec.positionals.length) return new Error('too many arguments');
  const args: Invocation['args'] = {};
  for (let i = 0; i < spec.positionals.length; i++) {
    const p = spec.positionals[i];
    const raw = positional[i];
    if (raw === undefined) {
      if (p.default === undefined) return new Error(`missing argument ${p.name}`);
      args[p.name] = p.default;
      continue;
    }
    if (p.type === 'bool') {
      const v = parseBool(raw);
      if (v === null) return new Error(`${p.name} must be yes or no, not '${raw}'`);
      args[p.name] = v;
    } else if (p.type === 'int') {
      if (!/^[+-]?\d+$/.test(raw)) return new Error(`${p.name} must be an integer, not '${raw}'`);
      args[p.name] = Number(raw);
    } else if (p.type === 'number') {
      if (!/^[+]?(\d+\.?\d*|\.\d+)$/.test(raw)) return new Error(`${p.name} must be a number, not '${raw}'`);
      args[p.name] = Number(raw);
    } else args[p.name] = raw;
  }
  return consumerTag === undefined ? { args, table, properties } : { args, table, properties, consumerTag };
}

function applyOption(
  spec: CommandSpec,
  key: string,
  raw: string,
  table: FieldTable,
  properties: MessageProperties,
  setTag: (tag: string) => void,
): Error | null {
  const put = (name: string) => {
    const v = argumentValue(name, raw);
    if (v instanceof Error) return v;
    table[name] = v;
    return null;
  };
  switch (spec.options) {
    case 'exchange-args':
      if (key === 'alternate-exchange' || key.startsWith('x-')) return put(key);
      break;
    case 'queue-args':
      if (key.startsWith('x-')) return put(key);
      break;
    case 'binding-args':
      return put(key);
    case 'consume':
      if (key === 'consumer_tag') {
        setTag(raw);
        return null;
      }
      if (key.startsWith('x-')) return put(key);
      break;
    case 'publish': {
      if (key.startsWith('header.') && key.length > 7) {
        (properties.headers ??= {})[key.slice(7)] = raw;
        return null;
      }
      const prop = PROPERTY_OPTIONS[key];
      if (!prop) break;
      if (prop.type === 'int') {
        if (!/^[+-]?\d+$/.test(raw)) return new Error(`--${key} must be an integer, not '${raw}'`);
        (properties as Record<string, unknown>)[prop.key] = Number(raw);
      } else (properties as Record<string, unknown>)[prop.key] = raw;
      return null;
    }
    case 'none':
      break;
  }
  return new Error(`unknown option --${key}`);
}
