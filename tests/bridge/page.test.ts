import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { planImport, scenarioCode } from '../../src/ui/model/rabbit-bridge.ts';

const fileOf = (text: string) => ({ size: new TextEncoder().encode(text).length, text: async () => text });

describe("the page's RabbitMQ panel", () => {
  it('refuses an oversized file without reading it', async () => {
    const file = {
      size: 9 * 1024 * 1024,
      text: async (): Promise<string> => {
        throw new Error('read');
      },
    };
    expect(await planImport(file, new Broker())).toEqual({ error: 'the file is 9.0 MiB; definitions files of at most 8 MiB are read' });
  });

  it('refuses a file that clashes with what the sandbox has, and plans the lines of one that does not', async () => {
    const broker = new Broker();
    broker.createQueue('work', { durable: false, autoDelete: false, owner: null, arguments: {} });
    const clash = await planImport(fileOf('{"queues": [{"name": "work", "durable": true}]}'), broker);
    expect(clash).toEqual({ error: "queue 'work' already exists with other properties in the sandbox" });
    const fine = await planImport(fileOf('{"queues": [{"name": "work", "durable": false}, {"name": "other"}], "users": [{"name": "u"}]}'), broker);
    expect(fine).toMatchObject({ lines: ['queue.declare work no no no no', 'queue.declare other no yes no no'], notes: [] });
    expect('report' in fine && fine.report.ignored.map((i) => i.section)).toEqual(['users']);
  });

  it('writes, for an empty scenario, a program that only connects and closes', async () => {
    const program = await scenarioCode([], 'amqplib');
    expect(program.split('\n').filter((l) => l.startsWith('const connection') || l.startsWith('await '))).toEqual(['const connection = await amqp.connect(url);', 'await connection.close();']);
  });
});
