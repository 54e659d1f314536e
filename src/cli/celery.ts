/**
 * `npm run --silent celery -- …`: Celery's routing on the sandbox, from a
 * terminal.
 *
 *   celery route CONFIG TASK [--options JSON] [--args JSON] [--kwargs JSON] [--send-task]
 *       prints, as one JSON line, the routing options Celery's router
 *       would produce (queues as kombu's fields)
 *   celery send CONFIG TASK [--args JSON] [--kwargs JSON] [--options JSON] [--send-task]
 *       on a fresh sandbox broker: declares what the Celery client would
 *       declare, publishes the task message, and prints one JSON line:
 *       task, id, exchange, routing_key, priority and the queues it landed
 *       in — or `error`, the line Celery would raise (py-amqp's, for what
 *       the broker refuses)
 *
 * CONFIG is a Python file ('-': standard input). A task the configuration
 * defines with @app.task is sent with apply_async (its own routing options
 * apply), others with app.send_task; --send-task forces the latter.
 * Options: --seed N (ids and names). Exit status: 0, 1 when the send or
 * routing failed, 2 for bad usage or a configuration that does not load.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { failureOf } from '../celery/app.ts';
import { ConfigError, CelerySandbox } from '../celery/index.ts';
import { parseJson } from '../celery/python/json.ts';
import { PyException } from '../celery/python/errors.ts';
import { PyDict, PyList, type PyValue } from '../celery/python/values.ts';

export interface CliIo {
  readFile(path: string): string;
  stdout(line: string): void;
  stderr(line: string): void;
}

const USAGE = [
  'usage: npm run --silent celery -- route CONFIG TASK [--options JSON] [--args JSON] [--kwargs JSON] [--send-task] [--seed N]',
  '       npm run --silent celery -- send CONFIG TASK [--args JSON] [--kwargs JSON] [--options JSON] [--send-task] [--seed N]',
];

class UsageError extends Error {}

interface Parsed {
  command: 'route' | 'send';
  config: string;
  task: string;
  args: PyValue;
  kwargs: PyValue;
  options: PyDict;
  sendTask: boolean;
  seed: number;
}

function json(flag: string, text: string): PyValue {
  try {
    return parseJson(text);
  } catch (e) {
    if (e instanceof PyException) throw new UsageError(`${flag} is not JSON: ${e.detail}`);
    throw e;
  }
}

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const p: Partial<Parsed> = { args: null, kwargs: null, options: new PyDict(), sendTask: false, seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const eq = a.indexOf('=');
    const flag = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const value = (): string => {
      if (a.startsWith('--') && eq > 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--args': {
        const v = json(flag, value());
        if (!(v instanceof PyList)) throw new UsageError('--args must be a JSON array');
        p.args = v;
        break;
      }
      case '--kwargs': {
        const v = json(flag, value());
        if (!(v instanceof PyDict)) throw new UsageError('--kwargs must be a JSON object');
        p.kwargs = v;
        break;
      }
      case '--options': {
        const v = json(flag, value());
        if (!(v instanceof PyDict)) throw new UsageError('--options must be a JSON object');
        p.options = v;
        break;
      }
      case '--send-task':
        p.sendTask = true;
        break;
      case '--seed': {
        const n = Number(value());
        if (!Number.isInteger(n)) throw new UsageError('--seed needs an integer');
        p.seed = n;
        break;
      }
      case '--help':
      case '-h':
        throw new UsageError('');
      default:
        if (a.startsWith('--')) throw new UsageError(`unknown option ${a}`);
        positional.push(a);
    }
  }
  const [command, config, task, ...rest] = positional;
  if (command !== 'route' && command !== 'send') throw new UsageError(command ? `unknown command '${command}'` : 'a command is needed');
  if (!config || !task) throw new UsageError(`${command} needs CONFIG and TASK`);
  if (rest.length) throw new UsageError(`unexpected argument '${rest[0]}'`);
  return { ...(p as Parsed), command, config, task };
}

/** Runs the CLI; returns the exit status. */
export function runCeleryCli(argv: string[], io: CliIo): number {
  let p: Parsed;
  try {
    p = parse(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (e.message) io.stderr(`warren celery: ${e.message}`);
    for (const line of USAGE) io.stderr(line);
    return e.message ? 2 : 0;
  }
  let source: string;
  try {
    source = io.readFile(p.config);
  } catch (e) {
    io.stderr(`warren celery: cannot read ${p.config === '-' ? 'standard input' : p.config}: ${(e as Error).message}`);
    return 2;
  }
  let sandbox: CelerySandbox;
  try {
    sandbox = CelerySandbox.load(source, { seed: p.seed });
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    io.stderr(e.pretty(p.config === '-' ? '<stdin>' : p.config));
    return 2;
  }
  for (const w of sandbox.warnings) io.stderr(`warning: ${w}`);
  if (p.command === 'route') {
    try {
      const route = sandbox.app.route(p.task, { args: p.args, kwargs: p.kwargs, options: p.options, sendTask: p.sendTask }, sandbox.broker.now);
      io.stdout(JSON.stringify(route));
      return 0;
    } catch (e) {
      const f = failureOf(e);
      io.stdout(JSON.stringify({ error: `${f.type}: ${f.message}`, error_type: f.type, ...(f.line ? { line: f.line, column: f.column } : {}) }));
      return 1;
    }
  }
  const r = sandbox.producer.send(p.task, { args: p.args, kwargs: p.kwargs, options: p.options, sendTask: p.sendTask });
  if (r.error) {
    const amqp = /^[A-Z][a-z]+\.[a-z_-]+: \(\d{3}\) /.test(r.error.message);
    io.stdout(
      JSON.stringify({
        task: r.task,
        id: r.id,
        via: r.via,
        error: amqp ? r.error.message : `${r.error.type}: ${r.error.message}`,
        error_type: r.error.type,
        ...(r.error.line ? { line: r.error.line, column: r.error.column } : {}),
        ...(r.exchange !== undefined ? { exchange: r.exchange, routing_key: r.routing_key } : {}),
      }),
    );
    return 1;
  }
  io.stdout(JSON.stringify({ task: r.task, id: r.id, via: r.via, exchange: r.exchange, routing_key: r.routing_key, priority: r.priority, queues: r.queues }));
  return 0;
}

const isMain = process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  process.exitCode = runCeleryCli(process.argv.slice(2), {
    readFile: (path) => readFileSync(path === '-' ? 0 : path, 'utf8'),
    stdout: (line) => process.stdout.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
}
