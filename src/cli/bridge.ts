/**
 * `npm run bridge`: from the sandbox to a real RabbitMQ and back.
 *
 *   npm run --silent bridge -- export-definitions SCRIPT [--vhost V]   definitions JSON of the topology SCRIPT builds
 *   npm run --silent bridge -- import-definitions FILE [--vhost V]     the report (stderr) and a shell script building the topology (stdout)
 *   npm run --silent bridge -- export-code SCRIPT --lang amqplib|pika|kombu
 *
 * SCRIPT is a shell script (docs/shell.md), FILE a definitions file; `-`
 * reads standard input. Exit status: 0; 1 when the input is refused; 2 for
 * a usage mistake.
 */
import { readFileSync } from 'node:fs';
import { Broker } from '../core/broker.ts';
import { EngineBackend } from '../shell/engine-backend.ts';
import { ShellSession } from '../shell/session.ts';
import { amqplibProgram } from '../bridge/code-amqplib.ts';
import { kombuConfig } from '../bridge/code-kombu.ts';
import { pikaProgram } from '../bridge/code-pika.ts';
import { definitionsText, exportDefinitions } from '../bridge/definitions.ts';
import { DefinitionsError, importDefinitions, reportLines } from '../bridge/import.ts';
import { skippedText } from '../bridge/reasons.ts';
import { recordScenario } from '../bridge/recording.ts';
import { topologyScript } from '../bridge/script.ts';
import { readTopology } from '../bridge/topology.ts';

const USAGE = `usage: npm run --silent bridge -- export-definitions SCRIPT|- [--vhost V] [--seed N]
       npm run --silent bridge -- import-definitions FILE|- [--vhost V]
       npm run --silent bridge -- export-code SCRIPT|- --lang amqplib|pika|kombu [--seed N]
`;

function usage(problem?: string): never {
  if (problem) process.stderr.write(`warren bridge: ${problem}\n`);
  process.stderr.write(USAGE);
  process.exit(problem ? 2 : 0);
}

interface Options {
  command: string;
  file: string;
  vhost?: string;
  lang?: string;
  seed: number;
}

function parseArgs(argv: string[]): Options {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') usage();
  if (!['export-definitions', 'import-definitions', 'export-code'].includes(command)) usage(`unknown command '${command}'`);
  const o: Partial<Options> = { command, seed: 1 };
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    const value = () => {
      const eq = a.indexOf('=');
      if (eq >= 0) return a.slice(eq + 1);
      const v = rest[++i];
      if (v === undefined) usage(`${a} needs a value`);
      return v;
    };
    if (a === '--vhost' || a.startsWith('--vhost=')) o.vhost = value();
    else if (a === '--lang' || a.startsWith('--lang=')) o.lang = value();
    else if (a === '--seed' || a.startsWith('--seed=')) {
      o.seed = Number(value());
      if (!Number.isInteger(o.seed)) usage('--seed needs an integer');
    } else if (a.startsWith('-') && a !== '-') usage(`unknown option ${a}`);
    else if (o.file === undefined) o.file = a;
    else usage('only one input file');
  }
  if (o.file === undefined) usage('which file? (- for standard input)');
  if (command === 'export-code' && !['amqplib', 'pika', 'kombu'].includes(o.lang ?? '')) usage('--lang must be amqplib, pika or kombu');
  return o as Options;
}

function read(file: string): string {
  try {
    return readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    process.stderr.write(`warren bridge: cannot read ${file === '-' ? 'standard input' : file}: ${(e as Error).message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const o = parseArgs(process.argv.slice(2));
  const input = read(o.file);
  const title = o.file === '-' ? 'a Warren scenario' : o.file;
  if (o.command === 'import-definitions') {
    try {
      const { topology, report } = importDefinitions(input, { vhost: o.vhost });
      const script = topologyScript(topology);
      for (const line of reportLines(report)) process.stderr.write(`${line}\n`);
      for (const n of script.notes) process.stderr.write(`shell: ${skippedText(n)}\n`);
      process.stdout.write(`# ${title.replace(/[\r\n]+/g, ' ')}: virtual host '${report.vhost.replace(/[\r\n]+/g, ' ')}', imported by Warren\n${script.lines.join('\n')}\n`);
    } catch (e) {
      if (!(e instanceof DefinitionsError)) throw e;
      process.stderr.write(`warren bridge: ${e.message}\n`);
      process.exit(1);
    }
    return;
  }
  if (o.command === 'export-definitions') {
    const broker = new Broker({ seed: o.seed });
    const session = new ShellSession(new EngineBackend(broker), () => {});
    await session.runScript(input);
    const { definitions, skipped } = exportDefinitions(readTopology(broker), { vhost: o.vhost });
    for (const s of skipped) process.stderr.write(`skipped ${skippedText(s)}\n`);
    process.stdout.write(definitionsText(definitions));
    return;
  }
  const recording = await recordScenario(input, { seed: o.seed });
  if (o.lang === 'amqplib') process.stdout.write(amqplibProgram(recording, title));
  else if (o.lang === 'pika') process.stdout.write(pikaProgram(recording, title));
  else process.stdout.write(kombuConfig(recording.topology, title));
}

await main();
