import { describe, expect, it } from 'vitest';
import { setLang } from '../../src/i18n/index.svelte.ts';
import { explain } from '../../src/ui/model/explain.ts';
import type { BindingRef } from '../../src/core/events.ts';

const binding = (routingKey: string, args: BindingRef['arguments'] = {}): BindingRef => ({ source: 'x', destination: { kind: 'queue', name: 'q' }, routingKey, arguments: args });

describe('explain', () => {
  it('tells a topic match word against word', () => {
    expect(explain('topic', binding('usa.#'), ['usa.news'], undefined)).toEqual({ matched: true, reason: "'usa' = 'usa', '#' takes 'news'" });
    expect(explain('topic', binding('*.weather'), ['norway.weather'], undefined)).toEqual({ matched: true, reason: "'*' takes 'norway', 'weather' = 'weather'" });
    expect(explain('topic', binding('#.weather'), ['usa.news'], undefined)).toEqual({ matched: false, reason: "'weather' ≠ 'news' (word 2 of 'usa.news')" });
    expect(explain('topic', binding('a.*'), ['a'], undefined)).toEqual({ matched: false, reason: "'a.*' needs 2 words, 'a' has 1" });
  });

  it('tells a headers match key against key', () => {
    const b = binding('', { 'x-match': 'any', format: 'pdf', type: 'report' });
    expect(explain('headers', b, [''], { format: 'zip', type: 'report' })).toEqual({
      matched: true,
      reason: 'x-match=any (any one must match): format: "zip" ≠ "pdf", type: "report" = "report"',
    });
    expect(explain('headers', binding('', { format: 'pdf' }), [''], {}).matched).toBe(false);
  });

  it('tells direct and fanout decisions', () => {
    expect(explain('direct', binding('error'), ['info'], undefined)).toEqual({ matched: false, reason: "'info' ≠ 'error'" });
    expect(explain('fanout', binding('ignored'), ['any'], undefined).matched).toBe(true);
  });

  it('explains in Chinese, quoting the words as they are', () => {
    setLang('zh');
    try {
      expect(explain('topic', binding('*.weather'), ['norway.weather'], undefined).reason).toBe("'*' 匹配 'norway', 'weather' = 'weather'");
      expect(explain('topic', binding('#.weather'), ['usa.news'], undefined).reason).toBe("'weather' ≠ 'news'（'usa.news' 的第 2 个单词）");
      expect(explain('headers', binding('', { format: 'pdf' }), [''], {}).reason).toBe('x-match=all (必须全部匹配): format: 不存在 ≠ "pdf"');
    } finally {
      setLang('en');
    }
  });
});
