import { describe, expect, it } from 'vitest';
import { isoformat, taskMessage, wireMessage } from '../../src/celery/message.ts';
import { Interpreter } from '../../src/celery/python/interpreter.ts';
import { jsonDumps, parseJson } from '../../src/celery/python/json.ts';
import { parseModule } from '../../src/celery/python/parser.ts';
import { PyDict, PyFloat, PyList, PyTuple, type PyValue } from '../../src/celery/python/values.ts';
import { celerySaferepr } from '../../src/celery/saferepr.ts';
import subset from './fixtures/python-subset.json' with { type: 'json' };

function py(expr: string): PyValue {
  const it = new Interpreter();
  it.run(parseModule(`x = ${expr}\n`));
  return it.globals.get('x')!;
}

describe("celery.utils.saferepr, which writes argsrepr and kwargsrepr", () => {
  it.each(subset.saferepr.map((c) => [`${c.expr} (maxlen ${c.maxlen})`, c] as const))('%s', (_n, c) => {
    expect(celerySaferepr(py(c.expr), c.maxlen)).toBe(c.repr);
  });
});

describe("json.dumps, which writes the body", () => {
  it.each(subset.json.map((c) => [c.expr, c] as const))('%s', (_n, c) => {
    expect(jsonDumps(py(c.expr))).toBe(c.json);
  });

  it('refuses what JSON cannot hold, with Python’s TypeError', () => {
    expect(() => jsonDumps(py("{(1, 2): 'x'}"))).toThrow('keys must be str, int, float, bool or None, not tuple');
  });
});

describe('json.loads, which reads CLI arguments', () => {
  it('keeps ints and floats apart as Python does', () => {
    expect(parseJson('[1, 1.0, 1e3, -0, "a", null, true, {"k": [2]}]')).toEqual(
      new PyList([1, new PyFloat(1), new PyFloat(1000), -0, 'a', null, true, PyDict.of([['k', new PyList([2])]])]),
    );
  });

  it('points at the position of bad JSON', () => {
    expect(() => parseJson('{"a": 1,}')).toThrow('Expecting property name enclosed in double quotes: line 1 column 9 (char 8)');
    expect(() => parseJson('[1 2]')).toThrow("Expecting ',' delimiter: line 1 column 4 (char 3)");
  });
});

describe('the protocol 2 task message', () => {
  const base = { taskId: 'id-1', name: 'tasks.add', args: new PyList([4, 4]), kwargs: null, now: Date.UTC(2026, 0, 1), replyTo: 'oid', origin: 'gen1@warren', ignoreResult: false };

  it("writes Celery's headers in Celery's order", () => {
    const m = taskMessage(base);
    expect(m.headers.keys()).toEqual(['lang', 'task', 'id', 'shadow', 'eta', 'expires', 'group', 'group_index', 'retries', 'timelimit', 'root_id', 'parent_id', 'argsrepr', 'kwargsrepr', 'origin', 'ignore_result']);
    expect(m.headers.get('root_id')).toBe('id-1');
    expect(m.headers.get('argsrepr')).toBe('[4, 4]');
  });

  it('turns countdown and expires into ISO dates from the virtual clock', () => {
    const m = taskMessage({ ...base, countdown: 30, expires: new PyFloat(1.5) });
    expect(m.headers.get('eta')).toBe('2026-01-01T00:00:30+00:00');
    expect(m.headers.get('expires')).toBe('2026-01-01T00:00:01.500000+00:00');
    expect(isoformat(Date.UTC(2026, 1, 3, 4, 5, 6, 7))).toBe('2026-02-03T04:05:06.007000+00:00');
  });

  it('sends empty args as an empty tuple (argsrepr "()") and checks their types', () => {
    expect(taskMessage({ ...base, args: new PyList([]) }).headers.get('argsrepr')).toBe('()');
    expect(() => taskMessage({ ...base, args: 'ab' })).toThrow('task args must be a list or tuple');
    expect(() => taskMessage({ ...base, kwargs: new PyList([]) })).toThrow('task keyword arguments must be a mapping');
  });

  it('puts what py-amqp would put on the wire: JSON body, typed headers, priority only when set', () => {
    const m = taskMessage({ ...base, args: new PyTuple([1, 'é']) });
    const w = wireMessage(m, { deliveryMode: 2, priority: null, expiration: 60, extraProperties: new PyDict() });
    expect(new TextDecoder().decode(w.body)).toBe('[[1, "\\u00e9"], {}, {"callbacks": null, "errbacks": null, "chain": null, "chord": null}]');
    expect(w.properties).toMatchObject({ contentType: 'application/json', contentEncoding: 'utf-8', deliveryMode: 2, correlationId: 'id-1', replyTo: 'oid', expiration: '60000' });
    expect('priority' in w.properties).toBe(false);
    expect(w.properties.headers?.retries).toEqual({ '!': 'int', value: 0 });
    expect(wireMessage(m, { deliveryMode: 1, priority: 7, expiration: null, extraProperties: new PyDict() }).properties.priority).toBe(7);
  });
});
