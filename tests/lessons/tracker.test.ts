/** Goals are checked against what really happened: near misses do not count. */
import { describe, expect, it } from 'vitest';
import { HeadlessLesson } from '../../src/lessons/headless.ts';
import { parseLessonFile } from '../../src/lessons/parse.ts';
import type { Lesson } from '../../src/lessons/types.ts';

const fence = '```';

function lesson(setup: string[], goals: string[]): Lesson {
  const text = `${fence}setup\n${setup.join('\n')}\n${fence}\n${fence}goals\n${goals.join('\n')}\n${fence}\n${fence}solution\nrestart\n${fence}\n`;
  return { ...parseLessonFile('t.lesson.md', text, 't'), text: {} };
}

async function play(setup: string[], goals: string[], lines: string[]): Promise<boolean[]> {
  const run = new HeadlessLesson(lesson(setup, goals));
  await run.start();
  for (const l of lines) await run.shell(l);
  return run.status();
}

describe('goal checks', () => {
  it('a topic binding that catches too much fails "not"', async () => {
    const setup = ['exchange.declare news topic', 'queue.declare usa', 'queue.declare usa-weather'];
    const goal = ['routed exchange=news key=usa.news to=usa not=usa-weather'];
    expect(await play(setup, goal, ["queue.bind usa news 'usa.#'", "queue.bind usa-weather news 'usa.*'", 'basic.publish x news usa.news'])).toEqual([false]);
    expect(await play(setup, goal, ["queue.bind usa news 'usa.#'", 'queue.bind usa-weather news usa.weather', 'basic.publish x news usa.news'])).toEqual([true]);
  });

  it('delivery tags are told apart by channel', async () => {
    const setup = ['queue.declare q', 'basic.publish a "" q', 'basic.publish b "" q'];
    const goals = ['acked channel=a:1 tag=1', 'acked channel=b:1 tag=1'];
    expect(await play(setup, goals, ['basic.get q', 'basic.get q', 'basic.ack 1', 'basic.ack 2'])).toEqual([true, false]);
  });

  it('state goals follow the state: a deleted queue no longer counts', async () => {
    const goals = ['queue q durable=yes', 'no queue q'];
    expect(await play([], goals, ['queue.declare q no yes'])).toEqual([true, false]);
    expect(await play([], goals, ['queue.declare q no yes', 'queue.delete q'])).toEqual([false, true]);
    expect(await play([], ['queue q durable=yes'], ['queue.declare q'])).toEqual([false]);
  });

  it('"first" is decided by the first delivery only', async () => {
    const setup = ['queue.declare jobs --x-max-priority=10', 'basic.publish low "" jobs --priority=1'];
    const goal = ['delivered queue=jobs priority=9 first'];
    expect(await play(setup, goal, ['basic.get jobs', 'basic.publish high "" jobs --priority=9', 'basic.get jobs'])).toEqual([false]);
    expect(await play(setup, goal, ['basic.publish high "" jobs --priority=9', 'basic.get jobs'])).toEqual([true]);
  });

  it('survived needs a restart, and what holds right after it', async () => {
    const goals = ['survived queue q messages=1', 'restarted'];
    expect(await play([], goals, ['queue.declare q no yes', 'basic.publish m "" q --delivery_mode=2'])).toEqual([false, false]);
    const run = new HeadlessLesson(lesson([], goals));
    await run.start();
    await run.shell('queue.declare q no yes');
    await run.shell('basic.publish m "" q');
    run.broker.restart();
    expect(run.status()).toEqual([false, true]);
  });

  it('count needs that many events', async () => {
    const goals = ['received queue=q count=2'];
    expect(await play(['queue.declare q'], goals, ['basic.publish a "" q'])).toEqual([false]);
    expect(await play(['queue.declare q'], goals, ['basic.publish a "" q', 'basic.publish b "" q'])).toEqual([true]);
  });
});
