import { describe, expect, it } from 'vitest';
import { MAX_SCRIPT_CHARS, ScriptError, fetchScript, parseScript } from '../../src/embed/script.ts';

describe("a playground's scenario", () => {
  it('is shell lines and goals; comments and blank lines are dropped', () => {
    const script = parseScript('# the walkthrough\n# goal: acked queue=q\nqueue.declare q\n\n  basic.publish hi "" q  \n', ['queue q']);
    expect(script.lines).toEqual(['queue.declare q', 'basic.publish hi "" q']);
    expect(script.goals.map((g) => g.source)).toEqual(['queue q', 'acked queue=q']);
  });

  it('is refused whole, naming the line, when a line or goal does not parse', () => {
    expect(() => parseScript('queue.declare q\nqueue.frobnicate')).toThrow("scenario line 2: queue.frobnicate\nunknown syntax: 'queue.frobnicate'. how about some 'help'?");
    expect(() => parseScript('exit')).toThrow("scenario line 1: 'exit' would end the shell; a scenario cannot");
    expect(() => parseScript('# goal: routd to=q')).toThrow(/^scenario line 1: goal 'routd to=q': /);
    expect(() => parseScript('', ['queue'])).toThrow(/^goals line 1: goal 'queue': /);
    expect(() => parseScript('x'.repeat(MAX_SCRIPT_CHARS + 1))).toThrow(ScriptError);
  });

  it('is fetched over http(s) only, within the size limit, with the status in words', async () => {
    const ok = (body: string, init?: ResponseInit) => (async () => new Response(body, init)) as unknown as typeof fetch;
    await expect(fetchScript('s.amqp', 'https://docs.example/guide/', ok('queue.declare q'))).resolves.toBe('queue.declare q');
    await expect(fetchScript('javascript:alert(1)', 'https://docs.example/', ok(''))).rejects.toThrow('only http and https URLs are fetched');
    await expect(fetchScript('s.amqp', 'https://docs.example/', ok('', { status: 404, statusText: 'Not Found' }))).rejects.toThrow('the server answered 404 Not Found');
    await expect(fetchScript('s.amqp', 'https://docs.example/', ok('x'.repeat(MAX_SCRIPT_CHARS + 10)))).rejects.toThrow('the file is larger than 64 KB');
    const down = (async () => {
      throw new TypeError('Failed to fetch');
    }) as unknown as typeof fetch;
    await expect(fetchScript('s.amqp', 'https://docs.example/', down)).rejects.toThrow('could not fetch it (Failed to fetch)');
  });
});
