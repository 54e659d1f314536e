import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { english } from '../../src/bridge/reasons.ts';
import { setLang, t } from '../../src/i18n/index.svelte.ts';
import { sayReason } from '../../src/i18n/reason.ts';
import { planImport, scenarioCode } from '../../src/ui/model/rabbit-bridge.ts';

/** Why a file was refused, in English (or, with `say`, another language); null when it was not. */
const refusal = (plan: object, say = english) => ('refused' in plan ? (plan.refused as Parameters<typeof sayReason>[0][]).map((r) => sayReason(r, say)) : null);

const fileOf = (text: string) => ({ size: new TextEncoder().encode(text).length, text: async () => text });

describe("the page's RabbitMQ panel", () => {
  it('refuses an oversized file without reading it', async () => {
    const file = {
      size: 9 * 1024 * 1024,
      text: async (): Promise<string> => {
        throw new Error('read');
      },
    };
    expect(refusal(await planImport(file, new Broker()))).toEqual(['the file is 9.0 MiB; definitions files of at most 8 MiB are read']);
  });

  it('refuses a file that clashes with what the sandbox has, and plans the lines of one that does not', async () => {
    const broker = new Broker();
    broker.createQueue('work', { durable: false, autoDelete: false, owner: null, arguments: {} });
    const clash = await planImport(fileOf('{"queues": [{"name": "work", "durable": true}]}'), broker);
    expect(refusal(clash)).toEqual(["queue 'work' already exists in the sandbox with other properties"]);
    setLang('zh');
    try {
      expect(refusal(clash, t)).toEqual(["沙箱中已有属性不同的队列 'work'"]);
    } finally {
      setLang('en');
    }
    const fine = await planImport(fileOf('{"queues": [{"name": "work", "durable": false}, {"name": "other"}], "users": [{"name": "u"}]}'), broker);
    expect(fine).toMatchObject({ lines: ['queue.declare work no no no no', 'queue.declare other no yes no no'], notes: [] });
    expect('report' in fine && fine.report.ignored.map((i) => i.section)).toEqual(['users']);
  });

  it('writes, for an empty scenario, a program that only connects and closes', async () => {
    const program = await scenarioCode([], 'amqplib');
    expect(program.split('\n').filter((l) => l.startsWith('const connection') || l.startsWith('await '))).toEqual(['const connection = await amqp.connect(url);', 'await connection.close();']);
  });
});
