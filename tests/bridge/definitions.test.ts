import { describe, expect, it } from 'vitest';
import { Broker } from '../../src/core/broker.ts';
import { EngineBackend } from '../../src/shell/engine-backend.ts';
import { ShellSession } from '../../src/shell/session.ts';
import { exportDefinitions } from '../../src/bridge/definitions.ts';
import { DefinitionsError, MAX_DEFINITIONS_BYTES, MAX_DEFINITIONS_ENTITIES, importDefinitions, reportLines } from '../../src/bridge/import.ts';
import { topologyScript } from '../../src/bridge/script.ts';
import { skippedText } from '../../src/bridge/reasons.ts';
import { applyTopology, readTopology } from '../../src/bridge/topology.ts';

async function brokerFrom(script: string): Promise<Broker> {
  const broker = new Broker({ seed: 1 });
  const lines: string[] = [];
  const session = new ShellSession(new EngineBackend(broker), (l) => lines.push(l));
  await session.runScript(script);
  expect(lines.filter((l) => /^\w+\.\w+: \(\d+\)/.test(l))).toEqual([]);
  return broker;
}

const file = (parts: Record<string, unknown>) => JSON.stringify({ rabbit_version: '3.10.8', ...parts });
const queue = (name: string, extra: Record<string, unknown> = {}) => ({ name, vhost: '/', durable: true, auto_delete: false, arguments: {}, ...extra });

function refusal(input: unknown): DefinitionsError {
  try {
    importDefinitions(input);
  } catch (e) {
    if (e instanceof DefinitionsError) return e;
    throw e;
  }
  throw new Error('the file was accepted');
}

describe('definitions export', () => {
  it("writes RabbitMQ 3.10's sections and fields, leaving out what a file cannot carry, and says so", async () => {
    const broker = await brokerFrom(`exchange.declare news topic no yes --alternate-exchange=unrouted
exchange.declare unrouted fanout no no yes
exchange.declare hidden direct no yes no yes
queue.declare q1 no yes --x-max-length=5 --x-dead-letter-exchange=unrouted
queue.declare '' no no yes
queue.declare mine no no yes
queue.bind q1 news 'a.#'
queue.bind mine news b
exchange.bind hidden news e2e --k=v`);
    const { definitions, skipped } = exportDefinitions(readTopology(broker));
    expect(Object.keys(definitions)).toEqual([
      'bindings',
      'exchanges',
      'global_parameters',
      'parameters',
      'permissions',
      'policies',
      'queues',
      'rabbit_version',
      'rabbitmq_version',
      'topic_permissions',
      'users',
      'vhosts',
    ]);
    expect(definitions.queues).toEqual([{ arguments: { 'x-dead-letter-exchange': 'unrouted', 'x-max-length': 5 }, auto_delete: false, durable: true, name: 'q1', type: 'classic', vhost: '/' }]);
    expect(definitions.exchanges.map((x) => [x.name, x.type, x.durable, x.auto_delete, x.internal, x.arguments])).toEqual([
      ['news', 'topic', true, false, false, { 'alternate-exchange': 'unrouted' }],
      ['unrouted', 'fanout', false, true, false, {}],
      ['hidden', 'direct', true, false, true, {}],
    ]);
    expect(definitions.bindings).toEqual([
      { arguments: {}, destination: 'q1', destination_type: 'queue', routing_key: 'a.#', source: 'news', vhost: '/' },
      { arguments: { k: 'v' }, destination: 'hidden', destination_type: 'exchange', routing_key: 'e2e', source: 'news', vhost: '/' },
    ]);
    expect(skipped.map((s) => [s.kind, s.name])).toEqual([
      ['queue', 'amq.gen-oAh-9Rnub_dfIZPJfEZxSM'],
      ['queue', 'mine'],
      ['binding', "news -> mine 'b'"],
    ]);
  });

  it('names the virtual host it is written for', async () => {
    const broker = await brokerFrom('queue.declare q');
    const { definitions } = exportDefinitions(readTopology(broker), { vhost: 'staging' });
    expect(definitions.vhosts.map((v) => v.name)).toEqual(['staging']);
    expect(definitions.queues[0].vhost).toBe('staging');
  });

  it('reads back into an equal topology', async () => {
    const broker = await brokerFrom(`exchange.declare h headers no yes
queue.declare q no yes --x-max-priority=10 --x-message-ttl=500 --x-overflow=reject-publish
queue.bind q h '' --x-match=all --format=pdf
exchange.bind amq.fanout h`);
    const text = JSON.stringify(exportDefinitions(readTopology(broker)).definitions);
    const { topology, report } = importDefinitions(text);
    expect(report.skipped).toEqual([]);
    const fresh = new Broker();
    applyTopology(fresh, topology);
    expect(exportDefinitions(readTopology(fresh)).definitions).toEqual(exportDefinitions(readTopology(broker)).definitions);
  });
});

describe('definitions import', () => {
  it('lists every part Warren does not take, and takes the rest', () => {
    const { topology, report } = importDefinitions(
      file({
        users: [{ name: 'admin', password_hash: 'x', tags: ['administrator'] }],
        permissions: [{ user: 'admin', vhost: '/', configure: '.*', write: '.*', read: '.*' }],
        policies: [{ vhost: '/', name: 'ha', pattern: '.*', definition: { 'ha-mode': 'all' } }],
        parameters: [{ component: 'shovel', name: 'move', vhost: '/', value: {} }],
        global_parameters: [{ name: 'cluster_name', value: 'rabbit@prod' }],
        vhosts: [{ name: '/' }, { name: 'other' }],
        exchanges: [
          { name: 'orders', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} },
          { name: 'delayed', vhost: '/', type: 'x-delayed-message', durable: true, auto_delete: false, internal: false, arguments: { 'x-delayed-type': 'direct' } },
          { name: 'amq.custom', vhost: '/', type: 'direct', durable: true, auto_delete: false, internal: false, arguments: {} },
          { name: 'elsewhere', vhost: 'other', type: 'fanout', durable: true, auto_delete: false, internal: false, arguments: {} },
        ],
        queues: [queue('work', { arguments: { 'x-max-length': 100 } }), queue('votes', { type: 'quorum', arguments: { 'x-queue-type': 'quorum' } }), queue('log', { type: 'stream' })],
        bindings: [
          { source: 'orders', vhost: '/', destination: 'work', destination_type: 'queue', routing_key: 'order.*', arguments: {} },
          { source: 'orders', vhost: '/', destination: 'votes', destination_type: 'queue', routing_key: 'vote', arguments: {} },
          { source: 'delayed', vhost: '/', destination: 'work', destination_type: 'queue', routing_key: 'later', arguments: {} },
        ],
        operator_policies: [],
      }),
    );
    expect(topology.exchanges.map((x) => x.name)).toEqual(['orders']);
    expect(topology.queues.map((q) => q.name)).toEqual(['work']);
    expect(topology.bindings.map((b) => b.routingKey)).toEqual(['order.*']);
    const lines = reportLines(report);
    expect(lines[0]).toBe("virtual host '/': 1 exchanges, 1 queues, 1 bindings");
    for (const expected of [
      /skipped exchange delayed: type 'x-delayed-message'/,
      /skipped exchange amq.custom: an amq\.\* name/,
      /skipped queue votes: a quorum queue/,
      /skipped queue log: a stream queue/,
      /skipped binding orders -> queue votes 'vote': queue 'votes' is not in the import/,
      /skipped binding delayed -> queue work 'later': exchange 'delayed' is not in the import/,
      /not imported: vhost \(1\): 'other': 1 exchanges, 0 queues, 0 bindings/,
      /not imported: users \(1\): users and password hashes: admin/,
      /not imported: permissions \(1\)/,
      /not imported: policies \(1\): .*ha/,
      /not imported: parameters \(1\): .*shovel/,
      /not imported: global_parameters \(1\): .*cluster_name/,
      /not imported: operator_policies/,
    ]) {
      expect(lines.some((l) => expected.test(l)), `${expected} in\n${lines.join('\n')}`).toBe(true);
    }
  });

  it('reads another virtual host when asked, or the only one there is', () => {
    const doc = file({ queues: [{ ...queue('a'), vhost: 'prod' }, { ...queue('b'), vhost: 'test' }] });
    expect(importDefinitions(doc).report.vhost).toBe('prod');
    const test = importDefinitions(doc, { vhost: 'test' });
    expect(test.topology.queues.map((q) => q.name)).toEqual(['b']);
    expect(reportLines(test.report)).toContain("not imported: vhost (1): 'prod': 0 exchanges, 1 queues, 0 bindings (Warren has one virtual host)");
  });

  it('refuses malformed files, naming the place in the JSON', () => {
    const cases: Array<[unknown, string]> = [
      ['{"queues": [', 'not JSON'],
      ['[]', '(the file): expected an object, got an array'],
      ['{"hello": 1}', 'no exchanges, queues, bindings or vhosts: not a RabbitMQ definitions file'],
      [file({ queues: {} }), 'queues: expected an array, got an object'],
      [file({ queues: [queue('a'), queue('b'), queue('c'), queue('d', { arguments: { 'x-max-length': '5' } })] }), 'queues[3].arguments.x-max-length: expected a number, got a string'],
      [file({ queues: [queue('a', { arguments: { 'x-message-ttl': 1.5 } })] }), 'queues[0].arguments.x-message-ttl: expected an integer, got 1.5'],
      [file({ queues: [queue('a', { arguments: { 'x-max-length': -1 } })] }), "queues[0].arguments: PRECONDITION_FAILED - invalid arg 'x-max-length' for queue 'a' in vhost '/': {value_negative,-1}"],
      [file({ queues: [queue('a', { arguments: { 'x-overflow': 'sideways' } })] }), "queues[0].arguments: PRECONDITION_FAILED - invalid arg 'x-overflow' for queue 'a' in vhost '/': invalid_overflow"],
      [file({ queues: [{ vhost: '/' }] }), 'queues[0].name: missing'],
      [file({ queues: [queue('a', { durable: 'yes' })] }), 'queues[0].durable: expected true or false, got a string'],
      [file({ queues: [queue('x'.repeat(256))] }), 'queues[0].name: longer than 255 bytes (256)'],
      [file({ exchanges: [{ name: 'e', type: 7 }] }), 'exchanges[0].type: expected a string, got a number'],
      [file({ bindings: [{ source: 'e', destination: 'q', destination_type: 'topic' }] }), 'bindings[0].destination_type: expected "queue" or "exchange", got "topic"'],
      [file({ bindings: [{ source: 'e', destination: 'q', destination_type: 'queue', arguments: { 'odd key': [1, { deep: [] }, 'x'], ok: 1 }, routing_key: 5 }] }), 'bindings[0].routing_key: expected a string, got a number'],
      [file({ queues: [queue('a'), queue('a', { durable: false })] }), "queues[1]: queue 'a' is defined twice, differently"],
    ];
    for (const [input, message] of cases) expect(refusal(input).message, String(input).slice(0, 200)).toContain(message);
  });

  it('refuses truncated files', async () => {
    const broker = await brokerFrom('exchange.declare x topic\nqueue.declare q\nqueue.bind q x k');
    const text = JSON.stringify(exportDefinitions(readTopology(broker)).definitions, null, 2);
    for (const cut of [1, 10, text.length / 2, text.length - 2]) expect(refusal(text.slice(0, Math.floor(cut))).message).toMatch(/^not JSON/);
  });

  it('refuses oversized files before parsing them, and files with too many entities', () => {
    const big = `{"queues": [], "padding": "${'x'.repeat(MAX_DEFINITIONS_BYTES)}"}`;
    expect(refusal(big).message).toMatch(/^the file is 8\.0 MiB; definitions files of at most 8 MiB are read/);
    const many = { queues: Array.from({ length: MAX_DEFINITIONS_ENTITIES + 1 }, (_, i) => queue(`q${i}`)) };
    expect(refusal(many).message).toBe(`the file defines ${MAX_DEFINITIONS_ENTITIES + 1} exchanges, queues and bindings; at most ${MAX_DEFINITIONS_ENTITIES} are read`);
    let deep: unknown = 'bottom';
    for (let i = 0; i < 40; i++) deep = { d: deep };
    expect(refusal(file({ queues: [queue('a', { arguments: { 'x-custom': deep } })] })).message).toMatch(/^queues\[0\]\.arguments\.x-custom(\.d)+: nested more than 32 levels deep/);
  });

  it('leaves the broker untouched when a file is refused', async () => {
    const broker = await brokerFrom('queue.declare keep');
    const before = JSON.stringify(readTopology(broker));
    const doc = file({ exchanges: [{ name: 'new', type: 'direct' }], queues: [queue('fine'), queue('bad', { arguments: { 'x-max-priority': 300 } })] });
    expect(() => applyTopology(broker, importDefinitions(doc).topology)).toThrow("queues[1].arguments: PRECONDITION_FAILED - invalid arg 'x-max-priority' for queue 'bad' in vhost '/': {max_value_exceeded,300}");
    expect(JSON.stringify(readTopology(broker))).toBe(before);
  });

  it('takes hostile names as data, and the shell script says what it cannot type', () => {
    const hostile = `</script><script>alert("x")</script> 'q' \\`;
    const { topology, report } = importDefinitions(
      file({
        exchanges: [{ name: hostile, vhost: '/', type: 'fanout' }],
        queues: [queue(hostile), queue('two\nlines')],
        bindings: [
          { source: hostile, vhost: '/', destination: hostile, destination_type: 'queue', routing_key: '', arguments: {} },
          { source: hostile, vhost: '/', destination: 'two\nlines', destination_type: 'queue', routing_key: '', arguments: {} },
        ],
      }),
    );
    expect(report.skipped).toEqual([]);
    const script = topologyScript(topology);
    expect(script.notes.map((n) => `${n.kind} ${n.name}`)).toEqual(['queue "two\\nlines"', `binding ${JSON.stringify(`${hostile} -> two\nlines ''`)}`]);
    return (async () => {
      const broker = await brokerFrom(script.lines.join('\n'));
      expect([...broker.queues.keys()]).toEqual([hostile]);
      expect([...broker.exchanges.get(hostile)!.bindings.values()].map((b) => b.destination.name)).toEqual([hostile]);
    })();
  });

  it('builds the same topology through the shell script as directly, listing what the shell carries as text', async () => {
    const { topology } = importDefinitions(
      file({
        exchanges: [
          { name: 'x', type: 'topic', arguments: { 'alternate-exchange': 'ae' } },
          { name: 'ae', type: 'fanout', durable: false, auto_delete: true },
          { name: 'h', type: 'headers', internal: true },
        ],
        queues: [queue('q', { arguments: { 'x-max-length': 3, 'x-single-active-consumer': true, 'x-dead-letter-exchange': '' } }), queue('n', { durable: false })],
        bindings: [
          { source: 'x', destination: 'q', destination_type: 'queue', routing_key: '#.a b' },
          { source: 'x', destination: 'h', destination_type: 'exchange', routing_key: '' },
          { source: 'h', destination: 'n', destination_type: 'queue', arguments: { 'x-match': 'any', v: 2 } },
        ],
      }),
    );
    const direct = new Broker();
    applyTopology(direct, topology);
    const script = topologyScript(topology);
    expect(script.notes.map((n) => skippedText(n))).toEqual(["argument binding h -> n '': argument 'v': the shell carries 2 as the string '2'"]);
    const viaShell = await brokerFrom(script.lines.join('\n'));
    const defs = (b: Broker) => JSON.stringify(exportDefinitions(readTopology(b)).definitions).replace('"v":"2"', '"v":2');
    expect(defs(viaShell)).toBe(defs(direct));
  });
});
