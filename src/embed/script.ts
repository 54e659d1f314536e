/**
 * A playground's scenario: a shell script, inline or fetched from a URL.
 * Nothing in it is code: every line must parse as a line of the shell
 * dialect before any runs, `# goal: …` lines are goals (src/lessons/goals.ts),
 * and a fetched file is size-limited. Loaded lazily, with the shell.
 */
import { parseLine } from '../shell/parse.ts';
import { parseGoal, type Goal } from '../lessons/goals.ts';
import { LIMITS } from '../scenario/format.ts';

/** The most a script may be, inline or fetched (characters). */
export const MAX_SCRIPT_CHARS = 64 * 1024;
/** The most command lines a script may have. */
export const MAX_SCRIPT_LINES = 1000;

export interface Script {
  /** The shell lines to run, in order. */
  lines: string[];
  goals: Goal[];
}

/** A script that cannot be played: what is wrong, and where. */
export class ScriptError extends Error {
  override name = 'ScriptError';
}

const GOAL_LINE = /^#\s*goal:\s*(.*)$/i;

/** Splits a script into shell lines and goals (`extraGoals` first); refuses it whole if any line is wrong. */
export function parseScript(text: string, extraGoals: readonly string[] = []): Script {
  if (text.length > MAX_SCRIPT_CHARS) throw new ScriptError(`the scenario is ${text.length} characters long; at most ${MAX_SCRIPT_CHARS} are played`);
  const lines: string[] = [];
  const goals: Goal[] = [];
  const goal = (source: string, where: string, n: number) => {
    try {
      goals.push(parseGoal(source, n));
    } catch (e) {
      throw new ScriptError(`${where}: goal '${source}': ${(e as Error).message}`, { cause: e });
    }
  };
  extraGoals.forEach((g, i) => goal(g, `goals line ${i + 1}`, i + 1));
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `scenario line ${i + 1}`;
    const isGoal = GOAL_LINE.exec(line);
    if (isGoal) return goal(isGoal[1], where, i + 1);
    if (!line || line.startsWith('#')) return;
    if (line.length > LIMITS.line) throw new ScriptError(`${where}: longer than ${LIMITS.line} characters`);
    const parsed = parseLine(line);
    if (parsed.kind === 'error') throw new ScriptError(`${where}: ${line}\n${parsed.message}`);
    if (parsed.kind === 'exit') throw new ScriptError(`${where}: '${line}' would end the shell; a scenario cannot`);
    lines.push(line);
  });
  if (lines.length > MAX_SCRIPT_LINES) throw new ScriptError(`the scenario has ${lines.length} lines; at most ${MAX_SCRIPT_LINES} are played`);
  return { lines, goals };
}

/**
 * Fetches a script file from `src` (relative to `base`): http(s) only, at
 * most MAX_SCRIPT_CHARS, read as text whatever its type.
 */
export async function fetchScript(src: string, base: string, fetcher: typeof fetch = fetch): Promise<string> {
  let url: URL;
  try {
    url = new URL(src, base);
  } catch {
    throw new ScriptError(`src="${src}" is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ScriptError(`src="${src}": only http and https URLs are fetched`);
  let res: Response;
  try {
    res = await fetcher(url.href, { credentials: 'omit' });
  } catch (e) {
    throw new ScriptError(`src="${src}": could not fetch it (${(e as Error).message})`, { cause: e });
  }
  if (!res.ok) throw new ScriptError(`src="${src}": the server answered ${res.status}${res.statusText ? ` ${res.statusText}` : ''}`);
  const tooBig = () => new ScriptError(`src="${src}": the file is larger than ${MAX_SCRIPT_CHARS / 1024} KB`);
  if (Number(res.headers.get('content-length') ?? 0) > MAX_SCRIPT_CHARS * 4) throw tooBig();
  if (!res.body) {
    const text = await res.text();
    if (text.length > MAX_SCRIPT_CHARS) throw tooBig();
    return text;
  }
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  let text = '';
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
    if (text.length > MAX_SCRIPT_CHARS) {
      await reader.cancel();
      throw tooBig();
    }
  }
  return text + decoder.decode();
}
