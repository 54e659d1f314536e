import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCeleryCli } from '../../src/cli/celery.ts';
import { RECORDINGS, replay } from './replay.ts';

function cli(argv: string[], files: Record<string, string> = {}): { code: number; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const code = runCeleryCli(argv, {
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT: no such file '${p}'`);
      return files[p];
    },
    stdout: (l) => out.push(l),
    stderr: (l) => err.push(l),
  });
  return { code, out, err };
}

const seedCase = (id: string) => RECORDINGS.cases.find((c) => c.id === id)!;

describe('celery route', () => {
  it("prints the routing options Celery's router produced for the seed's examples", () => {
    for (const id of ['seed-queues', 'seed-router', 'seed-routes-dict', 'seed-routes-priority', 'seed-expansion']) {
      const c = seedCase(id);
      const s = c.sends[0];
      const r = cli(['route', 'config.py', s.task, '--options', s.options_json], { 'config.py': c.config });
      expect(r.code, id).toBe(0);
      const printed = JSON.parse(r.out[0]);
      expect(Object.keys(printed)).toEqual(Object.keys(s.route as object));
      expect(JSON.parse(JSON.stringify(printed).replace(/bcast\.[0-9a-f-]{36}/g, 'bcast'))).toMatchObject(JSON.parse(JSON.stringify(s.route).replace(/bcast\.\d+/g, 'bcast')));
    }
  });

  it('applies --options over the routes, as apply_async options win', () => {
    const c = seedCase('options-beat-routes');
    const r = cli(['route', 'c.py', 't.a', '--options', '{"queue": "x"}'], { 'c.py': c.config });
    expect(JSON.parse(r.out[0])).toMatchObject({ routing_key: 'y.special', queue: { name: 'x', exchange: { name: 'tx', type: 'topic' } } });
  });

  it('prints the failure when routing fails, with exit status 1', () => {
    const r = cli(['route', 'c.py', 'tasks.add', '--options', '{"queue": "nope"}'], { 'c.py': 'task_create_missing_queues = False\n' });
    expect(r).toEqual({ code: 1, out: [JSON.stringify({ error: "QueueNotFound: Queue 'nope' missing from task_queues", error_type: 'QueueNotFound' })], err: [] });
  });

  it('places failures inside router code', () => {
    const c = seedCase('router-raises');
    const r = cli(['route', 'c.py', 'tasks.bad'], { 'c.py': c.config });
    expect(JSON.parse(r.out[0])).toEqual({ error: "KeyError: 'missing'", error_type: 'KeyError', line: 3, column: 16 });
  });
});

describe('celery send', () => {
  it('prints task, id, exchange, routing key, priority and the queues the message landed in', () => {
    const c = seedCase('seed-routes-priority');
    const r = cli(['send', 'c.py', 'myapp.tasks.compress_video', '--args', '[1, 2]'], { 'c.py': c.config });
    expect(r.code).toBe(0);
    const line = JSON.parse(r.out[0]);
    expect(Object.keys(line)).toEqual(['task', 'id', 'via', 'exchange', 'routing_key', 'priority', 'queues']);
    expect(line).toMatchObject({ task: 'myapp.tasks.compress_video', via: 'send_task', exchange: '', routing_key: 'video', priority: 10, queues: ['video'] });
    expect(line.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("prints the AMQP error line Celery raises when the broker refuses the publish (the seed's router, on a fresh broker)", () => {
    const c = seedCase('seed-router');
    const r = cli(['send', 'c.py', 'myapp.tasks.compress_video'], { 'c.py': c.config });
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out[0])).toMatchObject({ error: c.sends[0].error!.message, error_type: 'NotFound', exchange: 'video', routing_key: 'video.compress' });
  });

  it('uses apply_async for tasks the configuration defines, unless --send-task', () => {
    const config = "@app.task(queue='videos', priority=5)\ndef compress(path):\n    return path\n";
    expect(JSON.parse(cli(['send', 'c.py', 'tasks.compress', '--args', '["a"]'], { 'c.py': config }).out[0])).toMatchObject({ via: 'apply_async', queues: ['videos'], priority: 5 });
    expect(JSON.parse(cli(['send', 'c.py', 'tasks.compress', '--send-task'], { 'c.py': config }).out[0])).toMatchObject({ via: 'send_task', queues: ['celery'], priority: 0 });
    expect(JSON.parse(cli(['send', 'c.py', 'tasks.compress'], { 'c.py': config }).out[0])).toMatchObject({ error: "TypeError: compress() missing 1 required positional argument: 'path'" });
  });

  it("agrees with the recordings on the first send of every seed example: where it landed, or the error", () => {
    let checked = 0;
    for (const c of RECORDINGS.cases.filter((x) => x.id.startsWith('seed-') && !x.workers && 'ok' in x.load)) {
      const ours = replay(c);
      c.sends.forEach((s, i) => {
        if (s.beat || i > 0) return;
        const args = s.args_json === 'null' ? [] : ['--args', s.args_json];
        const r = cli(['send', 'c.py', s.task, ...args, '--options', s.options_json], { 'c.py': c.config });
        const line = JSON.parse(r.out[0]);
        expect(line.error, `${c.id} ${i}`).toBe(s.error?.message);
        if (!s.error) expect(line.queues, `${c.id} ${i}`).toEqual(ours.landed.filter((m) => (m as { headers: { id: string } }).headers.id === '<id:0>').map((m) => (m as { queue: string }).queue));
        checked++;
      });
    }
    expect(checked).toBeGreaterThanOrEqual(8);
  });
});

describe('bad input', () => {
  it('answers a configuration that does not load with a Python-like report and exit status 2', () => {
    const r = cli(['route', 'bad.py', 't'], { 'bad.py': "x = 1\ntask_routes = {'a': [}\n" });
    expect(r.code).toBe(2);
    expect(r.out).toEqual([]);
    expect(r.err.join('\n')).toBe(['  File "bad.py", line 2, column 22', "    task_routes = {'a': [}", `    ${' '.repeat(21)}^`, "SyntaxError: closing parenthesis '}' does not match opening parenthesis '['"].join('\n'));
  });

  it('explains usage mistakes', () => {
    expect(cli(['route', 'c.py']).err[0]).toBe('warren celery: route needs CONFIG and TASK');
    expect(cli(['send', 'c.py', 't', '--args', '{"a": 1}'], { 'c.py': '' }).err[0]).toBe('warren celery: --args must be a JSON array');
    expect(cli(['send', 'c.py', 't', '--options', '{bad'], { 'c.py': '' }).err[0]).toBe('warren celery: --options is not JSON: Expecting property name enclosed in double quotes: line 1 column 2 (char 1)');
    expect(cli(['frobnicate', 'c.py', 't']).code).toBe(2);
    expect(cli(['route', 'missing.py', 't']).err[0]).toMatch(/^warren celery: cannot read missing\.py: /);
  });

  it('prints warnings on stderr and the result on stdout', () => {
    const r = cli(['send', 'c.py', 'tasks.add'], { 'c.py': "app.conf.task_queue = 'typo'\n" });
    expect(r.err).toEqual(['warning: app.conf.task_queue is not a Celery setting; Celery ignores it']);
    expect(JSON.parse(r.out[0]).queues).toEqual(['celery']);
  });
});

describe('the script itself', () => {
  it('runs under node with tsx and reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'warren-celery-'));
    const file = join(dir, 'config.py');
    writeFileSync(file, "task_routes = {'tasks.add': {'queue': 'adds'}}\n");
    const out = execFileSync(process.execPath, ['--import', 'tsx', 'src/cli/celery.ts', 'send', file, 'tasks.add', '--args', '[4, 4]'], { encoding: 'utf8' });
    expect(JSON.parse(out)).toMatchObject({ task: 'tasks.add', exchange: '', routing_key: 'adds', priority: 0, queues: ['adds'] });
  });
});
