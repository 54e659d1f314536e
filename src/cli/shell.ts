/**
 * `npm run shell`: the `celery amqp`-style shell in a terminal.
 *
 *   npm run shell                          interactive, against the sandbox
 *   npm run --silent shell -- FILE         prints FILE's transcript
 *   … --broker amqp://guest:guest@host:5672   against a real RabbitMQ
 *   … --seed N                             seed of the sandbox's name generator
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Broker } from '../core/broker.ts';
import type { ShellBackend } from '../shell/backend.ts';
import { complete } from '../shell/complete.ts';
import { EngineBackend } from '../shell/engine-backend.ts';
import { ShellSession } from '../shell/session.ts';
import { AmqplibBackend } from './amqplib-backend.ts';

interface Options {
  file?: string;
  broker?: string;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (name: string) => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = argv[++i];
      if (v === undefined) usage(`${name} needs a value`);
      return v;
    };
    if (a === '--broker' || a.startsWith('--broker=')) o.broker = value('--broker');
    else if (a === '--seed' || a.startsWith('--seed=')) {
      o.seed = Number(value('--seed'));
      if (!Number.isInteger(o.seed)) usage('--seed needs an integer');
    } else if (a === '--help' || a === '-h') usage();
    else if (a.startsWith('-') && a !== '-') usage(`unknown option ${a}`);
    else if (o.file === undefined) o.file = a;
    else usage('only one script file');
  }
  return o;
}

function usage(problem?: string): never {
  if (problem) process.stderr.write(`warren shell: ${problem}\n`);
  process.stderr.write('usage: npm run shell -- [FILE|-] [--broker amqp://user:pass@host:port/vhost] [--seed N]\n');
  process.exit(problem ? 2 : 0);
}

function readScript(file: string | undefined): string {
  try {
    return readFileSync(file === undefined || file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    process.stderr.write(`warren shell: cannot read ${file ?? 'standard input'}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const backend: ShellBackend = options.broker ? new AmqplibBackend(options.broker) : new EngineBackend(new Broker({ seed: options.seed }));
  const out = (line: string) => process.stdout.write(`${line}\n`);
  const session = new ShellSession(backend, out);
  const scripted = options.file !== undefined || !process.stdin.isTTY;
  try {
    if (scripted) {
      await session.runScript(readScript(options.file));
    } else {
      await interactive(session, backend);
    }
  } catch (e) {
    process.stderr.write(`warren shell: ${(e as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await session.close();
  }
}

async function interactive(session: ShellSession, backend: ShellBackend): Promise<void> {
  await session.start();
  const rl = createInterface({
    input: process.stdin,
    output: process.stdout,
    historySize: 1000,
    completer: (line: string) => complete(line, (kind) => backend.names(kind)),
  });
  rl.setPrompt(session.prompt);
  rl.prompt();
  for await (const line of rl) {
    await session.execute(line);
    if (session.ended) break;
    rl.setPrompt(session.prompt);
    rl.prompt();
  }
  rl.close();
}

await main();
