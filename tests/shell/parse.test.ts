import { describe, expect, it } from 'vitest';
import { complete } from '../../src/shell/complete.ts';
import { parseLine } from '../../src/shell/parse.ts';
import { tokenize } from '../../src/shell/tokenize.ts';

describe('tokenize', () => {
  it('splits words as a POSIX shell does', () => {
    expect(tokenize(`basic.publish 'This is a message!' testexchange testkey`)).toEqual(['basic.publish', 'This is a message!', 'testexchange', 'testkey']);
    expect(tokenize(`a "b \\"c\\" d" e\\ f '' g`)).toEqual(['a', 'b "c" d', 'e f', '', 'g']);
    expect(tokenize(`x 'it'"'"'s'`)).toEqual(['x', "it's"]);
  });

  it('refuses unterminated quotes', () => {
    expect(() => tokenize(`a 'b`)).toThrow('unterminated single quote');
    expect(() => tokenize(`a "b`)).toThrow('unterminated double quote');
  });
});

describe('parseLine', () => {
  it('fills defaults from the right and types every argument', () => {
    const p = parseLine('queue.declare jobs no yes');
    expect(p.kind).toBe('command');
    if (p.kind !== 'command') return;
    expect(p.invocation.args).toEqual({ queue: 'jobs', passive: false, durable: true, exclusive: false, auto_delete: false });
    expect(p.address).toEqual({ connection: 'a', channel: 1 });
  });

  it('reads addresses, typed queue arguments, properties and headers', () => {
    const q = parseLine('@b:3 queue.declare q --x-message-ttl=100 --x-overflow=reject-publish --x-single-active-consumer=yes');
    expect(q.kind === 'command' && [q.address, q.invocation.table]).toEqual([
      { connection: 'b', channel: 3 },
      { 'x-message-ttl': { '!': 'int', value: 100 }, 'x-overflow': 'reject-publish', 'x-single-active-consumer': true },
    ]);
    const pub = parseLine("@2 basic.publish hi '' q --priority=3 --message_id=m1 --header.attempt=1");
    expect(pub.kind === 'command' && pub.invocation.properties).toEqual({ priority: 3, messageId: 'm1', headers: { attempt: '1' } });
  });

  it('answers unknown commands and bad arguments in the shell’s own words', () => {
    expect(parseLine('foo.bar baz')).toEqual({ kind: 'error', message: "unknown syntax: 'foo.bar baz'. how about some 'help'?" });
    expect(parseLine('basic.ack')).toEqual({ kind: 'error', message: 'error: missing argument delivery_tag. usage: basic.ack delivery_tag multiple=no' });
    expect(parseLine('basic.ack 1 yes extra')).toEqual({ kind: 'error', message: 'error: too many arguments. usage: basic.ack delivery_tag multiple=no' });
    expect(parseLine('basic.get q maybe')).toEqual({ kind: 'error', message: "error: no_ack must be yes or no, not 'maybe'. usage: basic.get queue no_ack=no" });
    expect(parseLine('queue.purge q --x-max-length=1').kind).toBe('error');
    expect(parseLine('queue.declare q --x-max-length=ten')).toEqual({
      kind: 'error',
      message: "error: --x-max-length must be an integer, not 'ten'. usage: queue.declare queue='' passive=no durable=no exclusive=no auto_delete=no [--x-ARG=VALUE…]",
    });
    expect(parseLine('@0 basic.get q').kind).toBe('error');
  });

  it('treats blank lines and # comments as nothing', () => {
    expect(parseLine('   ')).toEqual({ kind: 'blank' });
    expect(parseLine('  # a comment')).toEqual({ kind: 'blank' });
  });
});

describe('complete', () => {
  const names = (kind: 'exchange' | 'queue') => (kind === 'exchange' ? ['logs', 'amq.topic'] : ['jobs', 'logs-queue']);

  it('completes command names, then exchange and queue names where the argument takes one', () => {
    expect(complete('queue.b', names)).toEqual([['queue.bind'], 'queue.b']);
    expect(complete('queue.bind j', names)).toEqual([['jobs'], 'j']);
    expect(complete('queue.bind jobs l', names)).toEqual([['logs'], 'l']);
    expect(complete('@2 exchange.declare x t', names)).toEqual([['topic'], 't']);
    expect(complete('basic.publish hello ', names)).toEqual([['amq.topic', 'logs'], '']);
    expect(complete('basic.ack ', names)).toEqual([[], '']);
  });
});

describe('shellLine', () => {
  it('quotes what needs quoting so the line parses back to the same values', async () => {
    const { shellLine } = await import('../../src/shell/quote.ts');
    const line = shellLine('basic.publish', ["it's here", 'logs', ''], { priority: 3, 'header.who': 'a b', expiration: undefined });
    expect(line).toBe(`basic.publish 'it'"'"'s here' logs '' --priority=3 '--header.who=a b'`);
    const p = parseLine(line);
    expect(p.kind === 'command' && [p.invocation.args.msg, p.invocation.args.routing_key, p.invocation.properties]).toEqual(["it's here", '', { priority: 3, headers: { who: 'a b' } }]);
  });
});
