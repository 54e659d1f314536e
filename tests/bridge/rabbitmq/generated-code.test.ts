/**
 * The generated programs, run against the real node: each runs a scenario
 * in a virtual host of its own, and afterwards every queue must hold the
 * messages the sandbox said it would, in the same order.
 */
import { execFile } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import amqplib from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { amqplibProgram } from '../../../src/bridge/code-amqplib.ts';
import { pikaProgram } from '../../../src/bridge/code-pika.ts';
import { recordScenario, type Recording } from '../../../src/bridge/recording.ts';
import { python, scratch } from '../scratch.ts';
import { dropVhost, freshVhost, haveNode, vhostUrl } from './node.ts';

const run = promisify(execFile);
const ci = !!process.env.CI && process.env.CI !== 'false';
const VHOST = 'warren-bridge-code';
const work = scratch();

const hasPika = await run(python, ['-c', 'import pika']).then(
  () => true,
  () => {
    if (ci) throw new Error(`CI is set but ${python} has no pika (apt-get install python3-pika)`);
    console.warn('\n!!! the generated pika program is not run: apt-get install python3-pika\n');
    return false;
  },
);

afterAll(() => {
  if (haveNode) dropVhost(VHOST);
  rmSync(work, { recursive: true, force: true });
});

/** Fanout, topic, headers, e2e, alternate exchange, DLX, max-length, priority, acks, rejects, confirms, a refused line, two connections. */
const SCENARIO = `exchange.declare logs fanout
exchange.declare news topic no no no no --alternate-exchange=unrouted
exchange.declare unrouted fanout
exchange.declare dlx direct
exchange.declare formats headers
queue.declare all-logs
queue.declare usa
queue.declare europe
queue.declare lost
queue.declare dead
queue.declare capped no no no no --x-max-length=2
queue.declare prio no no no no --x-max-priority=5
queue.declare retry no no no no --x-dead-letter-exchange=dlx --x-dead-letter-routing-key=dead
queue.declare 'pdf "reports" </script>'
queue.declare '' no no yes
queue.bind all-logs logs
queue.bind usa news 'usa.#'
queue.bind europe news '*.europe.*'
queue.bind lost unrouted
queue.bind dead dlx dead
queue.bind retry news 'retry.*'
queue.bind 'pdf "reports" </script>' formats '' --x-match=any --format=pdf --type=report
exchange.bind logs news 'usa.#'
basic.publish 'Election results' news usa.news
basic.publish 'Fjords re-open' news norway.europe.news
basic.publish 'nobody listens' news nowhere
basic.publish one '' capped
basic.publish two '' capped
basic.publish three '' capped
basic.publish low '' prio --priority=1
basic.publish high '' prio --priority=5
basic.publish mid '' prio --priority=3
basic.publish 'try again' news retry.1
basic.get retry
basic.reject 1 no
basic.publish 'it'"'"'s a "report" \\ </script>' formats '' --header.format=pdf
basic.publish image formats '' --header.format=png
basic.consume usa
basic.publish Weather news usa.weather
basic.ack 2
@2 confirm.select
@2 basic.publish confirmed '' europe
queue.declare missing yes
basic.get prio yes
@b:1 basic.publish 'from b' logs
sleep 0.05
`;

/** What each queue of the vhost holds, in delivery order (taken with basic.get). */
async function contents(names: string[]): Promise<Record<string, string[]>> {
  const conn = await amqplib.connect(vhostUrl(VHOST));
  try {
    const ch = await conn.createChannel();
    const out: Record<string, string[]> = {};
    for (const name of names) {
      const { messageCount } = await ch.checkQueue(name);
      out[name] = [];
      for (let i = 0; i < messageCount; i++) {
        const m = await ch.get(name, { noAck: true });
        if (m) out[name].push(m.content.toString());
      }
    }
    return out;
  } finally {
    await conn.close();
  }
}

let recording: Recording;

describe.skipIf(!haveNode)('generated programs against RabbitMQ', () => {
  it('the sandbox says where each message lands', async () => {
    recording = await recordScenario(SCENARIO);
    expect(recording.final).toEqual({
      'all-logs': ['Election results', 'Weather', 'from b'],
      usa: ['Weather'],
      europe: ['Fjords re-open', 'confirmed'],
      lost: ['nobody listens'],
      dead: ['try again'],
      capped: ['two', 'three'],
      prio: ['mid', 'low'],
      retry: [],
      'pdf "reports" </script>': ['it\'s a "report" \\ </script>'],
    });
  });

  it('the amqplib program puts them there on RabbitMQ', async () => {
    freshVhost(VHOST);
    const file = join(work, 'scenario.mjs');
    writeFileSync(file, amqplibProgram(recording));
    const { stdout } = await run(process.execPath, [file, vhostUrl(VHOST)], { timeout: 30_000 });
    expect(stdout).toContain("a:1 <- #1 from 'news' with key 'retry.1': try again");
    expect(stdout).toContain("a:1 <- #2 from 'news' with key 'usa.news': Election results");
    expect(await contents(Object.keys(recording.final))).toEqual(recording.final);
  });

  it.skipIf(!hasPika)('the pika program puts them there on RabbitMQ', async () => {
    freshVhost(VHOST);
    const file = join(work, 'scenario.py');
    writeFileSync(file, pikaProgram(recording));
    const { stdout } = await run(python, [file, vhostUrl(VHOST)], { timeout: 30_000 });
    expect(stdout).toContain("a:1 <- #1 from 'news' with key 'retry.1': try again");
    expect(await contents(Object.keys(recording.final))).toEqual(recording.final);
  });
});
