import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { CelerySandbox } from '../../src/celery/index.ts';
import { amqplibProgram } from '../../src/bridge/code-amqplib.ts';
import { kombuConfig } from '../../src/bridge/code-kombu.ts';
import { pikaProgram } from '../../src/bridge/code-pika.ts';
import { jsString, jsTable, pyString } from '../../src/bridge/literals.ts';
import { recordScenario } from '../../src/bridge/recording.ts';
import { readTopology } from '../../src/bridge/topology.ts';
import { exportDefinitions } from '../../src/bridge/definitions.ts';
import { python, scratch } from './scratch.ts';

const ci = !!process.env.CI && process.env.CI !== 'false';
const hasPython = (() => {
  try {
    execFileSync(python, ['--version'], { stdio: 'pipe' });
    return true;
  } catch {
    if (ci) throw new Error(`CI is set but ${python} does not run: the generated Python is compile-checked with it`);
    console.warn(`\n!!! generated Python not compile-checked: ${python} not found\n`);
    return false;
  }
})();

const work = scratch();
afterAll(() => rmSync(work, { recursive: true, force: true }));

const HOSTILE = [`it's`, 'say "hi"', 'back\\slash', '</script><script>alert(1)</script>', 'tab\there', 'nul\u0000byte', 'line\u2028sep', '\u{1F407} warren', 'lone \ud800 surrogate', "''' \"\"\" `${x}`"];

describe('string literals', () => {
  it('JavaScript literals give back exactly the string and never close a <script>', () => {
    for (const s of [...HOSTILE, 'two\nlines\r\n']) {
      const literal = jsString(s);
      expect(literal).not.toMatch(/<\/script/i);
      expect(literal).not.toMatch(/[\n\r\u2028\u2029]/);
      expect(runInNewContext(literal)).toBe(s);
    }
    expect(runInNewContext(`(${jsTable({ "it's": 'a\nb', plain: 1, 'x-match': 'any', list: [1, 'two', true], nested: { deep: null } })})`)).toEqual({
      "it's": 'a\nb',
      plain: 1,
      'x-match': 'any',
      list: [1, 'two', true],
      nested: { deep: null },
    });
  });

  it.skipIf(!hasPython)('Python literals give back exactly the string', () => {
    const strings = [...HOSTILE.filter((s) => !s.includes('\ud800')), 'two\nlines\r\n'];
    const program = `import json, sys\nprint(json.dumps([${strings.map(pyString).join(', ')}]))\n`;
    for (const s of strings) expect(pyString(s)).not.toMatch(/<\/script|[\n\r]/i);
    expect(JSON.parse(execFileSync(python, ['-c', program]).toString())).toEqual(strings);
  });
});

const SCENARIO = `# hostile names and bodies, every command the code generators translate
exchange.declare 'it'"'"'s </script>' topic no no no no --alternate-exchange=unrouted
exchange.declare unrouted fanout
exchange.declare h headers
queue.declare 'say "hi"' no no no no --x-max-length=10
queue.declare unrouted-q
queue.declare '' no no yes
queue.bind 'say "hi"' 'it'"'"'s </script>' 'a.#'
queue.bind unrouted-q unrouted
queue.bind 'say "hi"' h '' --x-match=any --format=pdf
exchange.bind h 'it'"'"'s </script>' 'h.*'
basic.publish 'back\\slash </script>' 'it'"'"'s </script>' a.b --content_type=text/plain --header.format=pdf --priority=3
basic.publish 'nowhere' 'it'"'"'s </script>' z.z yes
basic.get 'say "hi"'
basic.ack 1
basic.consume 'say "hi"'
basic.publish second 'it'"'"'s </script>' a.c
basic.nack 2 no no
basic.qos 5
queue.declare missing yes
@2 confirm.select
@2 basic.publish 'confirmed' '' unrouted-q
@b:1 basic.get unrouted-q yes
sleep 0.01
`;

describe('code export', () => {
  it('records what the sandbox did and where the messages ended', async () => {
    const rec = await recordScenario(SCENARIO);
    // 'nowhere' went to the alternate exchange's queue, and b:1 took it from there
    expect(rec.final).toEqual({ 'say "hi"': [], 'unrouted-q': ['confirmed'] });
    expect(rec.steps.filter((s) => s.kind === 'call' && s.error).map((s) => (s as { error: { replyText: string } }).error.replyText)).toEqual(["NOT_FOUND - no queue 'missing' in vhost '/'"]);
  });

  it('writes an amqplib program that Node accepts, with every name as a literal', async () => {
    const rec = await recordScenario(SCENARIO);
    const program = amqplibProgram(rec, 'hostile </script> "title"\nsecond line');
    expect(program).not.toMatch(/<\/script/i);
    for (const expected of [
      "await channelA1.assertExchange('it\\'s <\\/script>', 'topic', { durable: false, arguments: { 'alternate-exchange': 'unrouted' } });",
      "await channelA1.assertQueue('say \"hi\"', { durable: false, arguments: { 'x-max-length': 10 } });",
      "const { queue: queue1 } = await channelA1.assertQueue('', { durable: false, exclusive: true });",
      "await channelA1.bindQueue('say \"hi\"', 'h', '', { 'x-match': 'any', format: 'pdf' });",
      "await channelA1.bindExchange('h', 'it\\'s <\\/script>', 'h.*');",
      "channelA1.publish('it\\'s <\\/script>', 'a.b', Buffer.from('back\\\\slash <\\/script>'), { contentType: 'text/plain', headers: { format: 'pdf' }, priority: 3 });",
      "channelA1.publish('it\\'s <\\/script>', 'z.z', Buffer.from('nowhere'), { mandatory: true });",
      "remember(receivedA1, 'a:1', await channelA1.get('say \"hi\"'));",
      'channelA1.ack(receivedA1.get(1));',
      'await delivery(receivedA1, 2);',
      'channelA1.nack(receivedA1.get(2), false, false);',
      'await channelA1.prefetch(5);',
      "// The sandbox's broker refused this step: Queue.declare: (404) NOT_FOUND - no queue 'missing' in vhost '/'",
      'await channelA1.close();',
      'const channelA2 = await connA.createConfirmChannel();',
      'await channelA2.waitForConfirms();',
      'const connB = await amqp.connect(url);',
      "remember(receivedB1, 'b:1', await channelB1.get('unrouted-q', { noAck: true }));",
      'await sleep(10);',
      'await connA.close();',
      'await connB.close();',
    ]) {
      expect(program).toContain(expected);
    }
    const file = join(work, 'scenario.mjs');
    writeFileSync(file, program);
    execFileSync(process.execPath, ['--check', file]);
  });

  it.skipIf(!hasPython)('writes a pika program and a kombu configuration that Python compiles', async () => {
    const rec = await recordScenario(SCENARIO);
    const pika = pikaProgram(rec, 'hostile """ title');
    for (const expected of [
      "channel_a1.exchange_declare('it\\'s <\\x2fscript>', exchange_type='topic', arguments={'alternate-exchange': 'unrouted'})",
      "queue_1 = channel_a1.queue_declare('', exclusive=True).method.queue",
      "channel_a1.basic_publish('it\\'s <\\x2fscript>', 'a.b', 'back\\\\slash <\\x2fscript>'.encode(), properties=pika.BasicProperties(content_type='text/plain', headers={'format': 'pdf'}, priority=3))",
      'channel_a1.basic_nack(delivery_tag=2, requeue=False)',
      'channel_a2.confirm_delivery()',
      "remember(received_b1, 'b:1', *channel_b1.basic_get('unrouted-q', auto_ack=True))",
    ]) {
      expect(pika).toContain(expected);
    }
    const kombu = kombuConfig(rec.topology, 'hostile """ title');
    writeFileSync(join(work, 'scenario.py'), pika);
    writeFileSync(join(work, 'celeryconfig.py'), kombu);
    execFileSync(python, ['-m', 'py_compile', join(work, 'scenario.py'), join(work, 'celeryconfig.py')]);
  });

  it('writes a Celery configuration that declares the same queues and bindings when a worker starts', async () => {
    const rec = await recordScenario(`exchange.declare media direct no yes
exchange.declare news topic
exchange.declare h headers
exchange.declare lonely fanout
queue.declare images no yes --x-max-priority=10
queue.declare videos no yes --x-message-ttl=60000 --x-dead-letter-exchange=media
queue.declare headlines
queue.declare plain
queue.bind images media image
queue.bind videos media video
queue.bind videos news 'video.#'
queue.bind headlines h '' --x-match=all --type=headline
queue.bind headlines amq.topic 'news.*'
exchange.bind lonely news x`);
    const config = kombuConfig(rec.topology);
    expect(config).toContain('Not expressed here:');
    expect(config).toContain("- exchange-to-exchange binding 'news' -> 'lonely' (key 'x'): a Celery configuration cannot declare it");
    expect(config).toContain("- queue 'plain' is bound to no exchange in the sandbox; Celery binds such a queue to its task_default_exchange");
    const celery = CelerySandbox.load(config, { broker: new Broker() });
    celery.startWorker({ name: 'w1', concurrency: 1 });
    const declared = exportDefinitions(readTopology(celery.broker)).definitions;
    const expected = exportDefinitions(rec.topology).definitions;
    for (const q of expected.queues) expect(declared.queues).toContainEqual(q);
    const queueBindings = expected.bindings.filter((b) => b.destination_type === 'queue');
    for (const b of queueBindings) expect(declared.bindings).toContainEqual(b);
    // and Celery's own: its default exchange, for the queues kombu gives no exchange of their own
    const extra = declared.bindings.filter((b) => !queueBindings.some((e) => JSON.stringify(e) === JSON.stringify(b)));
    expect(extra.map((b) => `${b.source} -> ${b.destination}`).sort()).toEqual(['celery -> headlines', 'celery -> plain', 'celery -> videos']);
    expect(config).toContain("- queue 'videos' has 2 bindings: kombu then drops the queue's own exchange, and Celery binds it to its task_default_exchange too");
    for (const x of expected.exchanges.filter((x) => x.name !== 'lonely')) expect(declared.exchanges).toContainEqual(x);
  });
});
