/** The lesson format's parser: what it accepts, and errors that say what and where. */
import { describe, expect, it } from 'vitest';
import { parseIndex, parseLessonFile, parseTextFile } from '../../src/lessons/parse.ts';
import { parseGoal } from '../../src/lessons/goals.ts';
import { loadWorkshop, mapReader } from '../../src/lessons/workshop.ts';
import { LessonFormatError } from '../../src/lessons/types.ts';

const fence = '```';
const lesson = (body: string) => body.replaceAll("'''", fence);

function errorOf(fn: () => unknown): LessonFormatError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LessonFormatError) return e;
    throw e;
  }
  throw new Error('expected a LessonFormatError');
}

describe('lesson files', () => {
  it('reads front matter, setup, goals, solution and named celery blocks', () => {
    const spec = parseLessonFile(
      'x.lesson.md',
      lesson(`---\nid: topic\nseed: 7\n---\n\nNotes for the author.\n\n'''setup\nexchange.declare news topic\n# a comment\n'''\n\n'''goals\nrouted exchange=news key=usa.news to=usa not=europe\nqueue usa durable=no arg.x-max-length=10\n'''\n\n'''solution\nqueue.bind usa news 'usa.#'\ncelery config start\ncelery send tasks.add --args='[4, 4]' --options='{"queue": "videos"}'\nrestart\n'''\n\n'''celery start\ntask_default_queue = 'default'\n'''\n`),
      'x',
    );
    expect(spec.id).toBe('topic');
    expect(spec.seed).toBe(7);
    expect(spec.setup.map((s) => s.kind)).toEqual(['shell']);
    expect(spec.goals[0]).toMatchObject({ kind: 'event', verb: 'routed', props: { exchange: 'news', key: 'usa.news', to: 'usa', not: 'europe' }, line: 14 });
    expect(spec.goals[1]).toMatchObject({ kind: 'state', entity: 'queue', name: 'usa', props: { durable: 'no', 'arg.x-max-length': '10' } });
    expect(spec.solution.map((s) => s.kind)).toEqual(['shell', 'celery-config', 'celery-send', 'restart']);
    expect(spec.solution[2]).toMatchObject({ task: 'tasks.add', call: { args: [4, 4], options: { queue: 'videos' } } });
    expect(spec.celeryConfigs.start).toBe("task_default_queue = 'default'");
  });

  const cases: Array<[string, string, number, RegExp]> = [
    ['a shell line the shell does not know', "'''goals\nrestarted\n'''\n'''solution\nqueue.declar q\n'''", 5, /solution: not a line of the shell: unknown syntax: 'queue.declar q'/],
    ['a shell line with a bad argument', "'''goals\nrestarted\n'''\n'''solution\nbasic.qos lots\n'''", 5, /solution: not a line of the shell: error: .*prefetch_count/],
    ['an unknown goal', "'''goals\nroutd key=a\n'''\n'''solution\nrestart\n'''", 2, /goals: unknown goal 'routd' \(expected one of: exchange, queue, binding, no, survived, published, routed/],
    ['an unknown goal parameter', "'''goals\nrouted destination=q\n'''\n'''solution\nrestart\n'''", 2, /goals: unknown destination= for routed \(expected to, not, via, count, key, exchange/],
    ['a number that is not one', "'''goals\nqueue q messages=many\n'''\n'''solution\nrestart\n'''", 2, /goals: messages=many: expected a whole number/],
    ['an unclosed block', "'''goals\nrestarted\n", 1, /the '''goals block is not closed/],
    ['an unknown block', "'''setp\nqueue.declare q\n'''", 1, /unknown block '''setp \(expected setup, goals, solution or celery NAME\)/],
    ['no goals', "'''solution\nrestart\n'''", 3, /a lesson needs a '''goals block/],
    ['a missing celery configuration', "'''goals\nrestarted\n'''\n'''solution\ncelery config fixed\n'''", 5, /no '''celery fixed block in this file/],
    ['bad JSON in a celery step', "'''goals\nrestarted\n'''\n'''solution\ncelery send t --args='[4,'\n'''", 5, /--args is not JSON/],
    ['an unknown front matter key', '---\ntitle: x\n---\n', 2, /unknown front matter key 'title'/],
    ['an unclosed front matter', '---\nid: x\n', 1, /front matter is not closed/],
  ];
  for (const [what, text, line, message] of cases) {
    it(`says where and what: ${what}`, () => {
      const e = errorOf(() => parseLessonFile('bad.lesson.md', lesson(text), 'bad'));
      expect(e.file).toBe('bad.lesson.md');
      expect(e.line).toBe(line);
      expect(e.message.replaceAll(fence, "'''")).toMatch(message);
      expect(e.message.startsWith(`bad.lesson.md:${line}: `)).toBe(true);
    });
  }
});

describe('goal lines', () => {
  it('reads negation, survived, subjects, flags and counts', () => {
    expect(parseGoal('no queue scratch', 1)).toMatchObject({ kind: 'state', negated: true, entity: 'queue', name: 'scratch' });
    expect(parseGoal('survived queue jobs durable=yes messages=1', 1)).toMatchObject({ kind: 'survived', state: { entity: 'queue', props: { durable: 'yes', messages: '1' } } });
    expect(parseGoal('deleted exchange testexchange', 1)).toMatchObject({ verb: 'deleted', what: 'exchange', subject: 'testexchange' });
    expect(parseGoal('delivered queue=jobs priority=9 first count=2', 1)).toMatchObject({ flags: ['first'], count: 2, props: { queue: 'jobs', priority: '9' } });
    expect(parseGoal("binding usa news key='usa.#'", 1)).toMatchObject({ entity: 'binding', name: 'usa', exchange: 'news', props: { key: 'usa.#' } });
    expect(parseGoal('task tasks.add queue=default', 1)).toMatchObject({ verb: 'task', subject: 'tasks.add' });
  });

  it('refuses what it cannot check', () => {
    expect(() => parseGoal('binding usa', 1)).toThrow('usage: binding QUEUE EXCHANGE');
    expect(() => parseGoal('deleted usa', 1)).toThrow('usage: deleted exchange|queue NAME');
    expect(() => parseGoal('acked channel=1', 1)).toThrow('channel=1: expected CONNECTION:NUMBER');
    expect(() => parseGoal('routed first', 1)).toThrow("unexpected 'first' after routed");
    expect(() => parseGoal('acked redelivered=maybe', 1)).toThrow('redelivered=maybe: expected yes or no');
    expect(() => parseGoal("routed key='usa", 1)).toThrow('unterminated single quote');
  });
});

describe('text files', () => {
  it('reads the title, the explanation, goals and hints', () => {
    const t = parseTextFile('x.en.md', '# Topic exchanges\n\nA *topic* exchange matches `usa.#`.\n\n- one\n- two\n\n## Goals\n- Bind **usa**\n- Publish\n  on two lines\n\n## Hints\n- Try `usa.#`\n', 2);
    expect(t.title).toBe('Topic exchanges');
    expect(t.body.map((b) => b.kind)).toEqual(['p', 'list']);
    expect(t.goals).toHaveLength(2);
    expect(t.goals[1].map((i) => i.text).join('')).toBe('Publish on two lines');
    expect(t.hints[0]).toEqual([{ kind: 'text', text: 'Try ' }, { kind: 'code', text: 'usa.#' }]);
  });

  it('accepts the Chinese section names', () => {
    const t = parseTextFile('x.zh.md', '# 主题交换机\n\n正文。\n\n## 目标\n- 绑定\n\n## 提示\n- 试试\n', 1);
    expect(t.goals).toHaveLength(1);
    expect(t.hints).toHaveLength(1);
  });

  it('says where and what', () => {
    expect(errorOf(() => parseTextFile('x.zh.md', 'no title\n', 1)).message).toBe("x.zh.md:1: expected the lesson's title as the first line: '# Title'");
    expect(errorOf(() => parseTextFile('x.en.md', '# T\n\n## Goals\n- one\n', 2)).message).toBe('x.en.md:3: ## Goals lists 1 goal, but the lesson has 2 (one line per goal, in order)');
    expect(errorOf(() => parseTextFile('x.en.md', '# T\n\n## Tips\n', 1)).message).toMatch(/^x\.en\.md:3: unknown section '## Tips'/);
    expect(errorOf(() => parseTextFile('x.en.md', '# T\n\n## Hints\nplain text\n', 1)).message).toBe("x.en.md:4: expected a list item '- …' in ## Hints");
  });

  it('never produces HTML: tags stay text, links only to http(s)', () => {
    const t = parseTextFile('x.en.md', '# T\n\n<img src=x onerror=alert(1)> [click](javascript:alert(1)) [ok](https://www.rabbitmq.com/)\n', 0);
    const p = t.body[0] as { kind: 'p'; inlines: Array<{ kind: string; text: string }> };
    expect(p.inlines.filter((i) => i.kind === 'link')).toEqual([{ kind: 'link', text: 'ok', href: 'https://www.rabbitmq.com/' }]);
    expect(p.inlines[0]).toEqual({ kind: 'text', text: '<img src=x onerror=alert(1)> ' });
  });
});

describe('workshops', () => {
  it('loads the lessons listed in index.txt, and reports a malformed one with its file and line', async () => {
    const good = lesson("'''goals\nexchange x\n'''\n'''solution\nexchange.declare x direct\n'''\n");
    const workshop = await loadWorkshop(
      mapReader({
        'ws/index.txt': 'title: Monday\n# comment\none\ntwo\n',
        'ws/one.lesson.md': good,
        'ws/one.en.md': '# One\n\nDeclare x.\n',
        'ws/two.lesson.md': lesson("'''goals\nexchange x type=funout\n'''\n'''solution\nexchange.declare x direct\n'''\n").replace('exchange x type=funout', 'exchange x kind=fanout'),
        'ws/two.en.md': '# Two\n',
      }),
      'test',
    );
    expect(workshop.title).toBe('Monday');
    expect(workshop.lessons.map((l) => l.id)).toEqual(['one']);
    expect(workshop.errors.map((e) => e.message)).toEqual(['two.lesson.md:2: goals: unknown kind= for exchange (expected type, durable, auto_delete, internal, alternate, arg.NAME)']);
  });

  it('reports a missing index, lesson or text', async () => {
    await expect(loadWorkshop(mapReader({}), 'test')).rejects.toThrow('index.txt:0: file not found');
    const w = await loadWorkshop(mapReader({ 'index.txt': 'gone\nmute\n', 'mute.lesson.md': lesson("'''goals\nrestarted\n'''\n'''solution\nrestart\n'''") }), 'test');
    expect(w.errors.map((e) => e.message)).toEqual(['gone.lesson.md:0: file not found', 'mute.en.md:0: file not found: a lesson needs its text in at least one language (mute.en.md, mute.zh.md)']);
    expect(() => parseIndex('index.txt', 'One Lesson\n')).toThrow("index.txt:1: 'One Lesson' is not a lesson id");
  });
});
