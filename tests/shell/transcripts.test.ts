/**
 * The shell's transcript tests. Every tests/shell/scripts/NN-name.amqp comes
 * with NN-name.txt: the transcript a real RabbitMQ 3.10 gave for it through
 * the amqplib backend, normalized. Each script runs
 *
 *  (a) against Warren's engine (ShellSession + EngineBackend on a fresh
 *      Broker), whose transcript must equal the .txt;
 *  (b) when WARREN_AMQP_URL is set, against that RabbitMQ through the
 *      amqplib backend, whose transcript must equal the .txt too: the
 *      differential test, proving the expectations still are RabbitMQ's.
 *
 * Normalization replaces only what legitimately differs between two runs or
 * two brokers: broker-made names (amq.gen-…, amq.ctag-…), the host:port of
 * the connect line, and timestamps the broker adds (x-death 'time').
 *
 * Scripts leave the broker as they found it (they delete what they declare,
 * or close the connection that owns it), so they can share one node.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { AmqplibBackend } from '../../src/cli/amqplib-backend.ts';
import { Broker } from '../../src/core/broker.ts';
import type { ShellBackend } from '../../src/shell/backend.ts';
import { EngineBackend } from '../../src/shell/engine-backend.ts';
import { ShellSession } from '../../src/shell/session.ts';

const SCRIPTS = fileURLToPath(new URL('./scripts/', import.meta.url));
const rabbitUrl = process.env.WARREN_AMQP_URL;
const ci = !!process.env.CI && process.env.CI !== 'false';

/** Replaces what legitimately differs between brokers and runs with placeholders; nothing else. */
function normalizeTranscript(text: string): string {
  return text
    .replace(/amq\.gen-[A-Za-z0-9_-]{22}/g, 'amq.gen-*')
    .replace(/amq\.ctag-[A-Za-z0-9_-]{22}/g, 'amq.ctag-*')
    .replace(/^(-> connecting to amqp:\/\/[^@/\n]*@)[^/\n]+/gm, '$1localhost:5672')
    .replace(/'(time|timestamp_in_ms)': \d+/g, "'$1': <time>");
}

/** Runs a script in script mode and returns what the shell printed, one line per line. */
async function transcript(backend: ShellBackend, script: string): Promise<string> {
  const lines: string[] = [];
  const session = new ShellSession(backend, (line) => lines.push(line));
  try {
    await session.runScript(script);
  } finally {
    await session.close();
  }
  return lines.map((line) => `${line}\n`).join('');
}

const scripts = readdirSync(SCRIPTS)
  .filter((f) => f.endsWith('.amqp'))
  .sort()
  .map((f) => {
    const name = f.slice(0, -'.amqp'.length);
    return { name, script: readFileSync(`${SCRIPTS}${f}`, 'utf8'), expected: readFileSync(`${SCRIPTS}${name}.txt`, 'utf8') };
  });

const predeclared = new Set(new Broker({ seed: 1 }).exchanges.keys());

if (!rabbitUrl) {
  if (ci) throw new Error('CI is set but WARREN_AMQP_URL is not: the shell transcript tests need RabbitMQ');
  console.warn(
    '\n!!! shell transcripts: WARREN_AMQP_URL is not set, so the expected transcripts are NOT checked against RabbitMQ' +
      ' (run through `npm test`, which starts a node, or set WARREN_AMQP_URL=amqp://guest:guest@host:port)\n',
  );
}

describe('shell transcripts', () => {
  it('has the scripts the dialect needs, each with its transcript', () => {
    expect(scripts.length).toBeGreaterThanOrEqual(45);
    expect(scripts[0].name).toBe('01-seed-walkthrough');
    for (const f of readdirSync(SCRIPTS).filter((f) => f.endsWith('.txt'))) {
      expect(scripts.map((s) => `${s.name}.txt`)).toContain(f);
    }
  });

  for (const { name, script, expected } of scripts) {
    describe(name, () => {
      it("Warren's engine prints RabbitMQ's transcript", async () => {
        const broker = new Broker({ seed: 1 });
        const actual = await transcript(new EngineBackend(broker), script);
        expect(normalizeTranscript(actual)).toBe(normalizeTranscript(expected));
        // The script cleans up after itself, as it must on a shared RabbitMQ.
        const left = [...broker.queues.keys()].map((q) => `queue ${q}`);
        for (const x of broker.exchanges.keys()) if (!predeclared.has(x)) left.push(`exchange ${x}`);
        expect(left).toEqual([]);
      });

      it.skipIf(!rabbitUrl)(
        'RabbitMQ (amqplib backend) still prints it',
        async () => {
          const actual = await transcript(new AmqplibBackend(rabbitUrl as string), script);
          expect(normalizeTranscript(actual)).toBe(normalizeTranscript(expected));
        },
        30_000,
      );
    });
  }
});
