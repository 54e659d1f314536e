/**
 * The lesson file format (docs/lessons.md):
 *
 *   <id>.lesson.md   front matter, then fenced blocks: ```setup, ```goals,
 *                    ```solution (one step or goal a line) and ```celery NAME
 *                    (a Celery configuration in Python). Language-neutral.
 *   <id>.en.md       the text: `# Title`, the explanation, `## Goals` (one
 *   <id>.zh.md       line per goal, in order) and `## Hints`. Translators edit
 *                    only these.
 *   index.txt        a workshop's lesson ids, one a line, in order.
 *
 * Every error names the file and the line, and says what was expected.
 */
import { parseGoal, type Goal } from './goals.ts';
import { parseBlocks, parseInline, type Inline } from './markdown.ts';
import { parseStep, type Step } from './steps.ts';
import { LessonFormatError, type Lesson, type LessonLang, type LessonText } from './types.ts';

export const ID_PATTERN = /^[a-z0-9][a-z0-9_-]*$/;

type Spec = Omit<Lesson, 'text'>;

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').split(/\r?\n/);
}

/** Parses `<id>.lesson.md`. */
export function parseLessonFile(file: string, text: string, defaultId: string): Spec {
  const all = lines(text);
  const fail = (line: number, detail: string): never => {
    throw new LessonFormatError(file, line, detail);
  };
  let id = defaultId;
  let seed = 1;
  let i = 0;
  if (all[0]?.trim() === '---') {
    for (i = 1; i < all.length && all[i].trim() !== '---'; i++) {
      const l = all[i];
      if (!l.trim() || l.trim().startsWith('#')) continue;
      const m = /^([a-z]+):\s*(.*?)\s*$/.exec(l);
      if (!m) fail(i + 1, `expected 'name: value' in the front matter, got '${l.trim()}'`);
      const [, key, value] = m!;
      if (key === 'id') {
        if (!ID_PATTERN.test(value)) fail(i + 1, `id '${value}' must be lower-case letters, digits, - and _`);
        id = value;
      } else if (key === 'seed') {
        if (!/^\d+$/.test(value)) fail(i + 1, `seed must be a whole number, got '${value}'`);
        seed = Number(value);
      } else fail(i + 1, `unknown front matter key '${key}' (expected id or seed)`);
    }
    if (i >= all.length) fail(1, "the front matter is not closed: expected a line '---'");
    i++;
  }
  const blocks = new Map<string, { line: number; body: Array<{ text: string; line: number }> }>();
  const celeryConfigs: Record<string, string> = {};
  for (; i < all.length; i++) {
    const fence = /^```(.*)$/.exec(all[i]);
    if (!fence) continue;
    const start = i + 1;
    const [kind, name, ...extra] = fence[1].trim().split(/\s+/);
    const body: Array<{ text: string; line: number }> = [];
    for (i++; i < all.length && !/^```\s*$/.test(all[i]); i++) body.push({ text: all[i], line: i + 1 });
    if (i >= all.length) fail(start, `the \`\`\`${fence[1].trim()} block is not closed: expected a line \`\`\``);
    if (kind === 'celery') {
      if (!name || extra.length) fail(start, 'expected ```celery NAME (one word naming the configuration)');
      if (name in celeryConfigs) fail(start, `a celery configuration named '${name}' is already defined`);
      celeryConfigs[name] = body.map((b) => b.text).join('\n');
      continue;
    }
    if (kind !== 'setup' && kind !== 'goals' && kind !== 'solution') fail(start, `unknown block \`\`\`${kind ?? ''} (expected setup, goals, solution or celery NAME)`);
    if (name) fail(start, `\`\`\`${kind} takes no name`);
    if (blocks.has(kind)) fail(start, `a second \`\`\`${kind} block (the first is at line ${blocks.get(kind)!.line})`);
    blocks.set(kind, { line: start, body });
  }
  const items = <T>(kind: string, parse: (text: string, line: number) => T): T[] =>
    (blocks.get(kind)?.body ?? [])
      .filter((b) => b.text.trim() && !b.text.trim().startsWith('#'))
      .map((b) => {
        try {
          return parse(b.text, b.line);
        } catch (e) {
          if (e instanceof LessonFormatError) throw e;
          return fail(b.line, `${kind}: ${(e as Error).message}`);
        }
      });
  const setup = items<Step>('setup', parseStep);
  const goals = items<Goal>('goals', parseGoal);
  const solution = items<Step>('solution', parseStep);
  if (!goals.length) fail(blocks.get('goals')?.line ?? all.length, 'a lesson needs a ```goals block with at least one goal');
  if (!solution.length) fail(blocks.get('solution')?.line ?? all.length, 'a lesson needs a ```solution block with at least one step');
  for (const step of [...setup, ...solution]) {
    if (step.kind === 'celery-config' && !(step.name in celeryConfigs)) {
      const known = Object.keys(celeryConfigs);
      fail(step.line, `no \`\`\`celery ${step.name} block in this file${known.length ? ` (there is ${known.join(', ')})` : ''}`);
    }
  }
  return { id, seed, setup, goals, solution, celeryConfigs, file };
}

const SECTIONS: Record<string, 'goals' | 'hints'> = { goals: 'goals', hints: 'hints', 目标: 'goals', 提示: 'hints' };

/** Parses `<id>.<lang>.md`; `goalCount` is the number of goals the lesson has. */
export function parseTextFile(file: string, text: string, goalCount: number): LessonText {
  const all = lines(text);
  let i = 0;
  while (i < all.length && !all[i].trim()) i++;
  const title = /^#\s+(.+)$/.exec(all[i] ?? '');
  if (!title) throw new LessonFormatError(file, i + 1, "expected the lesson's title as the first line: '# Title'");
  const parts: { body: string[]; goals: number; hints: number } = { body: [], goals: -1, hints: -1 };
  const sections: Record<'body' | 'goals' | 'hints', Array<{ text: string; line: number }>> = { body: [], goals: [], hints: [] };
  let current: 'body' | 'goals' | 'hints' = 'body';
  let inFence = false;
  for (i++; i < all.length; i++) {
    const l = all[i];
    if (/^```/.test(l)) inFence = !inFence;
    const h = !inFence && /^##\s+(.+?)\s*$/.exec(l);
    if (h) {
      const section = SECTIONS[h[1].toLowerCase()];
      if (!section) throw new LessonFormatError(file, i + 1, `unknown section '## ${h[1]}' (expected ## Goals or ## Hints, or ### for a heading in the text)`);
      if (parts[section] >= 0) throw new LessonFormatError(file, i + 1, `a second '## ${h[1]}' section (the first is at line ${parts[section]})`);
      parts[section] = i + 1;
      current = section;
      continue;
    }
    if (/^#\s/.test(l) && !inFence) throw new LessonFormatError(file, i + 1, "only one '# Title' per file (use ### for a heading in the text)");
    sections[current].push({ text: l, line: i + 1 });
  }
  const listItems = (section: 'goals' | 'hints'): Inline[][] => {
    const out: Inline[][] = [];
    for (const { text: l, line } of sections[section]) {
      if (!l.trim()) continue;
      const item = /^\s*[-*]\s+(.*)$/.exec(l);
      if (item) out.push(parseInline(item[1].trim()));
      else if (/^\s+\S/.test(l) && out.length) out[out.length - 1].push({ kind: 'text', text: ' ' }, ...parseInline(l.trim()));
      else throw new LessonFormatError(file, line, `expected a list item '- …' in ## ${section === 'goals' ? 'Goals' : 'Hints'}`);
    }
    return out;
  };
  const goals = listItems('goals');
  if (parts.goals >= 0 && goals.length !== goalCount) {
    throw new LessonFormatError(file, parts.goals, `## Goals lists ${goals.length} goal${goals.length === 1 ? '' : 's'}, but the lesson has ${goalCount} (one line per goal, in order)`);
  }
  return { title: title[1].trim(), body: parseBlocks(sections.body.map((s) => s.text)), goals, hints: listItems('hints') };
}

/** Parses a workshop's `index.txt`: an optional `title: …` line, then lesson ids. */
export function parseIndex(file: string, text: string): { title: string | null; ids: string[] } {
  let title: string | null = null;
  const ids: string[] = [];
  lines(text).forEach((raw, n) => {
    const l = raw.trim();
    if (!l || l.startsWith('#')) return;
    const t = /^title:\s*(.+)$/.exec(l);
    if (t) {
      title = t[1];
      return;
    }
    const id = l.replace(/\.lesson\.md$/, '');
    if (!ID_PATTERN.test(id)) throw new LessonFormatError(file, n + 1, `'${l}' is not a lesson id (lower-case letters, digits, - and _; the files are ID.lesson.md, ID.en.md, ID.zh.md)`);
    if (ids.includes(id)) throw new LessonFormatError(file, n + 1, `lesson '${id}' is listed twice`);
    ids.push(id);
  });
  if (!ids.length) throw new LessonFormatError(file, 1, 'no lessons listed (one lesson id a line)');
  return { title, ids };
}

/** Reads a lesson's files: `read(name)` gives a file's text, or null when it does not exist. */
export async function readLesson(id: string, read: (name: string) => Promise<string | null>, langs: readonly LessonLang[]): Promise<Lesson> {
  const file = `${id}.lesson.md`;
  const source = await read(file);
  if (source === null) throw new LessonFormatError(file, 0, 'file not found');
  const spec = parseLessonFile(file, source, id);
  const text: Lesson['text'] = {};
  for (const lang of langs) {
    const name = `${id}.${lang}.md`;
    const t = await read(name);
    if (t !== null) text[lang] = parseTextFile(name, t, spec.goals.length);
  }
  if (!Object.keys(text).length) throw new LessonFormatError(`${id}.en.md`, 0, `file not found: a lesson needs its text in at least one language (${langs.map((l) => `${id}.${l}.md`).join(', ')})`);
  return { ...spec, text };
}
