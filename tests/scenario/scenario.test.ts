import { describe, expect, it } from 'vitest';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';
import { decodeLink, encodeLink, fromFile, toFile } from '../../src/scenario/codec.ts';
import { LIMITS, ScenarioError, type Scenario } from '../../src/scenario/format.ts';
import { validateScenario } from '../../src/scenario/validate.ts';

/** A session with lines, agents, time passing and messages waiting and unacked. */
async function busySandbox(): Promise<Sandbox> {
  const s = new Sandbox({ seed: 7 });
  await s.open();
  await s.run('exchange.declare news topic');
  await s.run('queue.declare usa');
  await s.run('queue.declare weather --x-message-ttl=60000');
  await s.run('queue.bind usa news usa.#');
  await s.run('queue.bind weather news *.weather');
  await s.run("basic.publish '<script>alert(1)</script>' news usa.weather");
  for (let i = 0; i < 8; i++) s.tick(200);
  const p = s.agents.addProducer({ exchange: 'news', routingKeys: ['usa.{n}', 'eu.weather'], body: 'm{n}', mandatory: false, count: 5, interval: 300 });
  s.agents.start(p);
  const w = s.agents.addConsumer({ queue: 'usa', prefetch: 2, autoAck: false, processing: null });
  for (let i = 0; i < 12; i++) s.tick(250);
  s.agents.settle(w, 'ack');
  await s.run('basic.get weather');
  for (let i = 0; i < 4; i++) s.tick(250);
  return s;
}

const state = (s: Sandbox) => ({ broker: s.broker.snapshot(), agents: s.agents.save(), transcript: [...s.transcript], now: s.broker.now });

describe('scenarios', () => {
  it('replay to exactly the state they were taken from: topology, messages, agents, transcript', async () => {
    const s = await busySandbox();
    const scenario = s.toScenario();
    const again = await Sandbox.fromScenario(scenario);
    expect(state(again)).toEqual(state(s));
    expect(again.storyLines().map((l) => l.text)).toEqual(s.storyLines().map((l) => l.text));
    expect(again.toScenario()).toEqual(scenario);
    expect(again.projection.queues.get('weather')!.ready.length).toBe(s.projection.queues.get('weather')!.ready.length);
  });

  it('round-trip through a share link and a file', async () => {
    const scenario = (await busySandbox()).toScenario({ lessons: { done: ['intro'] } });
    const code = await encodeLink(scenario);
    expect(code).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(code.length).toBeLessThan(1200);
    await expect(decodeLink(code)).resolves.toEqual(scenario);
    await expect(decodeLink(`#s=${code}`)).resolves.toEqual(scenario);
    expect(fromFile(toFile(scenario))).toEqual(scenario);
  });

  it('a producer running until stopped survives JSON (no Infinity)', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare q');
    const p = s.agents.addProducer({ exchange: '', routingKeys: ['q'], body: 'x', mandatory: false, count: Infinity, interval: 1000 });
    s.agents.start(p);
    for (let i = 0; i < 20; i++) s.tick(250);
    const back = await Sandbox.fromScenario(fromFile(toFile(s.toScenario())));
    expect(back.broker.queues.get('q')!.messageCount).toBe(s.broker.queues.get('q')!.messageCount);
    expect(back.agents.list[0]).toMatchObject({ count: Infinity, nextAt: s.agents.list[0].kind === 'producer' ? s.agents.list[0].nextAt : -1 });
  });

  it('hostile names and bodies stay text: the transcript shows them as typed', async () => {
    const s = new Sandbox();
    await s.open();
    await s.run('queue.declare "<img src=x onerror=alert(1)>"');
    await s.run(`basic.publish "<script>alert('x')</script>" '' "<img src=x onerror=alert(1)>"`);
    const back = await Sandbox.fromScenario(await decodeLink(await encodeLink(s.toScenario())));
    expect([...back.broker.queues.keys()]).toContain('<img src=x onerror=alert(1)>');
    expect(back.transcript).toEqual(s.transcript);
  });
});

describe('opening a bad link or file: a clear ScenarioError', () => {
  const base = (): Scenario => ({ format: 'warren-scenario', version: 1, seed: 1, steps: [{ at: 0, line: 'queue.declare q' }], end: 10, extras: {} });
  const rejects = (v: unknown, message: RegExp) => expect(() => validateScenario(v)).toThrow(message);

  it('malformed JSON and non-scenarios', () => {
    expect(() => fromFile('{"format": "warren-scenario", ')).toThrow(/not valid JSON/);
    expect(() => fromFile('[]')).toThrow(ScenarioError);
    rejects(null, /must be an object/);
    rejects({ ...base(), format: 'x' }, /not a Warren scenario/);
    rejects({ ...base(), version: 2 }, /version 2 is not supported/);
    rejects({ ...base(), steps: 'queue.declare q' }, /steps must be a list/);
    rejects({ ...base(), steps: [{ at: 0 }] }, /either a shell line or an agent action/);
    rejects({ ...base(), steps: [{ at: 0, line: 'a', agent: { op: 'stop', name: 'p' } }] }, /either/);
    rejects({ ...base(), steps: [{ at: 5, line: 'a' }, { at: 1, line: 'b' }] }, /goes back in time/);
    rejects({ ...base(), steps: [{ at: 0, line: 'a\nb' }] }, /one line/);
    rejects({ ...base(), steps: [{ at: 0, agent: { op: 'eval', name: 'x' } }] }, /op must be one of/);
    rejects({ ...base(), steps: [{ at: 0, agent: { op: 'settle', name: 'w', how: 'drop', tag: null } }] }, /ack, nack or reject/);
    rejects({ ...base(), seed: 1.5 }, /seed must be a whole number/);
    rejects({ ...base(), end: -1 }, /end must be between/);
    rejects({ ...base(), script: 'alert(1)' }, /unknown field 'script'/);
    rejects({ ...base(), extras: [] }, /extras must be an object/);
  });

  it('truncated and damaged links', async () => {
    const code = await encodeLink(base());
    await expect(decodeLink(code.slice(0, code.length - 6))).rejects.toThrow(ScenarioError);
    await expect(decodeLink(code.slice(0, 5))).rejects.toThrow(ScenarioError);
    await expect(decodeLink('')).rejects.toThrow(/no scenario/);
    await expect(decodeLink('abc$%')).rejects.toThrow(/characters a share link never has/);
    await expect(decodeLink('AAAA')).rejects.toThrow(ScenarioError);
    // Valid base64url, not deflate data.
    await expect(decodeLink(btoa('hello world, not deflated').replace(/=+$/, ''))).rejects.toThrow(ScenarioError);
  });

  it('oversized: long links, zip bombs, too many steps, too long, too many messages', async () => {
    await expect(decodeLink('A'.repeat(LIMITS.link + 1))).rejects.toThrow(/longer than/);
    // A few hundred bytes that inflate past the limit stop inflating there.
    const bomb = new Uint8Array(await new Response(new Blob([' '.repeat(4 * 1024 * 1024)]).stream().pipeThrough(new CompressionStream('deflate-raw'))).arrayBuffer());
    const bombCode = btoa(String.fromCharCode(...bomb)).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
    expect(bombCode.length).toBeLessThan(LIMITS.link);
    await expect(decodeLink(bombCode)).rejects.toThrow(/larger than/);
    expect(() => fromFile(' '.repeat(LIMITS.json + 1))).toThrow(/larger than/);
    const steps = Array.from({ length: LIMITS.steps + 1 }, () => ({ at: 0, line: 'queue.declare q' }));
    rejects({ ...base(), steps }, /more than 5000/);
    rejects({ ...base(), steps: [{ at: 0, line: 'x'.repeat(LIMITS.line + 1) }] }, /longer than/);
    rejects({ ...base(), end: LIMITS.duration + 1 }, /end must be between/);
    rejects({ ...base(), steps: [{ at: 0, line: 'sleep 99999999' }] }, /more than 6 hours/);
    const producer = { op: 'producer', exchange: '', routingKeys: ['q'], body: 'x', mandatory: false, count: null, interval: 1 };
    rejects({ ...base(), steps: [{ at: 0, agent: producer }, { at: 0, agent: { op: 'start', name: 'pa' } }], end: 3_600_000 }, /could publish more than/);
    rejects({ ...base(), extras: { lessons: 'x'.repeat(LIMITS.extras) } }, /extras are larger/);
  });
});
