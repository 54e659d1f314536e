import { afterEach, describe, expect, it, vi } from 'vitest';
import { setLang, t } from '../../src/i18n/index.svelte.ts';
import { sayReason } from '../../src/i18n/reason.ts';
import { DefinitionsError, importDefinitions, reportLines } from '../../src/bridge/import.ts';
import { skippedText } from '../../src/bridge/reasons.ts';
import { fromFile } from '../../src/scenario/codec.ts';
import { ScenarioError } from '../../src/scenario/format.ts';
import { loadLocal, STORAGE_KEY } from '../../src/scenario/storage.ts';
import { validateScenario } from '../../src/scenario/validate.ts';

/** The error a call throws. */
function thrown(fn: () => unknown): ScenarioError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error('did not throw');
}

describe('reasons a view says in its reader’s language', () => {
  afterEach(() => {
    setLang('en');
    vi.unstubAllGlobals();
  });

  it('a rejected scenario keeps its English message and is said in Chinese on a Chinese page', () => {
    const e = thrown(() => validateScenario({ format: 'warren-scenario', version: 1, seed: 1, steps: [{ at: 5, line: 'a' }, { at: 2, line: 'b' }], end: 9 }));
    expect(e.message).toBe('steps[1].at goes back in time (2 ms after 5 ms)');
    expect(sayReason(e, t)).toBe(e.message);
    setLang('zh');
    expect(sayReason(e, t)).toBe('steps[1].at 的时间倒退了（2 毫秒在 5 毫秒之后）');
  });

  it('a file that is not JSON says so in either language', () => {
    const e = thrown(() => fromFile('{"format": '));
    expect(e.message).toBe('the file is not valid JSON (is it a Warren scenario file?)');
    setLang('zh');
    expect(sayReason(e, t)).toBe('文件不是有效的 JSON（它是 Warren 场景文件吗？）');
  });

  it('a saved sandbox that no longer validates nests the reason why, each part translated', () => {
    const store = new Map<string, string>([[STORAGE_KEY, '[]']]);
    vi.stubGlobal('localStorage', { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => store.set(k, v), removeItem: (k: string) => store.delete(k) });
    const e = thrown(() => loadLocal());
    expect(e.message).toBe('the saved sandbox could not be restored: scenario must be an object');
    setLang('zh');
    expect(sayReason(e, t)).toBe('无法恢复保存的沙箱：scenario 必须是一个对象');
    expect(store.has(STORAGE_KEY)).toBe(false);
  });

  it('a refused definitions file names the place in the JSON, and why, in either language', () => {
    let e: unknown;
    try {
      importDefinitions('{"queues": [{"name": "q", "durable": "yes"}]}');
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(DefinitionsError);
    expect((e as DefinitionsError).message).toBe('queues[0].durable: expected true or false, got a string');
    setLang('zh');
    expect(sayReason(e as DefinitionsError, t)).toBe('queues[0].durable：应为 true 或 false，实际是字符串');
  });

  it("an import's report lists what was skipped and left out, in English for the CLI and in Chinese on the page", () => {
    const { report } = importDefinitions({ queues: [{ name: 'votes', type: 'quorum' }], users: [{ name: 'admin' }] });
    expect(reportLines(report)).toEqual([
      "virtual host '/': 0 exchanges, 0 queues, 0 bindings",
      'skipped queue votes: a quorum queue: Warren has classic queues only',
      'not imported: users (1): users and password hashes: admin',
    ]);
    setLang('zh');
    expect(skippedText(report.skipped[0], t)).toBe('队列 votes：quorum 队列：Warren 只有经典队列');
    expect(sayReason(report.ignored[0].detail, t)).toBe('用户及密码哈希：admin');
  });
});
