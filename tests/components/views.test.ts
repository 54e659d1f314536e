import { describe, expect, it } from 'vitest';
import { flushSync } from 'svelte';
import AgentsPanel from '../../src/ui/components/AgentsPanel.svelte';
import Inspector from '../../src/ui/components/Inspector.svelte';
import ShellPanel from '../../src/ui/components/ShellPanel.svelte';
import StoryLog from '../../src/ui/components/StoryLog.svelte';
import { byText, click, fill, openSandbox, play, render, settle } from './mount.ts';

const key = (el: Element, k: string) => {
  el.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true, cancelable: true }));
  flushSync();
};

describe('StoryLog', () => {
  it('tells what happened, in order, with the time, and only up to the moment under review', async () => {
    const s = await openSandbox(['queue.declare q']);
    const view = render(StoryLog, { sandbox: s });
    play(s, 500);
    await s.run("basic.publish m '' q");
    play(s, 2000);
    // The page hands lines over at most four times a second; the test asks now.
    s.flushStory(true);
    flushSync();
    const lines = [...view.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    expect(lines).toContain('0.0s Queue q declared.');
    expect(lines.some((l) => /^0\.\ds Message #1 published by a:1 to the default exchange with key 'q'\.$/.test(l))).toBe(true);
    expect(view.querySelector('ol')!.getAttribute('aria-live')).toBe('polite');
    s.scrubTo(s.start);
    flushSync();
    expect([...view.querySelectorAll('li')].map((li) => li.textContent)).not.toContainEqual(expect.stringContaining('Message #1'));
  });

  it('shows a page of a long story, follows the latest, and pages back to its very first line', async () => {
    const s = await openSandbox(['queue.declare q']);
    const view = render(StoryLog, { sandbox: s });
    for (let i = 1; i <= 120; i++) await s.run(`basic.publish m${i} '' q`);
    s.flushStory(true);
    flushSync();
    const total = s.storyLength;
    expect(total).toBeGreaterThan(240);
    const texts = () => [...view.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
    const range = () => view.querySelector('.pages span')!.textContent;
    expect(texts()).toHaveLength(50);
    expect(range()).toBe(`Lines ${total - 49}–${total} of ${total}`);
    expect(texts().at(-1)).toMatch(/Message #120 waits in q/);
    expect(view.querySelector('ol')!.getAttribute('start')).toBe(String(total - 49));
    click(byText(view, 'button', /Earlier/));
    expect(range()).toBe(`Lines ${total - 99}–${total - 50} of ${total}`);
    // Paged back, the window stays put as the story grows, and does not announce.
    expect(view.querySelector('ol')!.getAttribute('aria-live')).toBe('off');
    await s.run("basic.publish more '' q");
    s.flushStory(true);
    flushSync();
    const grown = s.storyLength;
    expect(grown).toBe(total + 3);
    expect(range()).toBe(`Lines ${total - 99}–${total - 50} of ${grown}`);
    while (!(byText(view, 'button', /Earlier/) as HTMLButtonElement).disabled) click(byText(view, 'button', /Earlier/));
    expect(range()).toBe(`Lines 1–50 of ${grown}`);
    expect(texts()[0]).toMatch(/^0\.0s Connection a opened/);
    click(byText(view, 'button', /Latest/));
    expect(range()).toBe(`Lines ${grown - 49}–${grown} of ${grown}`);
    expect(view.querySelector('ol')!.getAttribute('aria-live')).toBe('polite');
  });

  it('following the latest, holds only the lines its box fits (and four more); paging back shows whole pages', async () => {
    // jsdom lays nothing out: the observer reports a 180 px box, room for 10 lines of 18 px.
    const observed: Array<(entries: Array<{ contentRect: { height: number } }>) => void> = [];
    globalThis.ResizeObserver = class {
      constructor(cb: (entries: Array<{ contentRect: { height: number } }>) => void) {
        observed.push(cb);
      }
      observe() {}
      disconnect() {}
      unobserve() {}
    } as unknown as typeof ResizeObserver;
    try {
      const s = await openSandbox(['queue.declare q']);
      const view = render(StoryLog, { sandbox: s });
      for (const cb of observed) cb([{ contentRect: { height: 180 } }]);
      const items = () => [...view.querySelectorAll('li')].map((li) => li.textContent!.replace(/\s+/g, ' ').trim());
      // Every line in view: the pages nav keeps its place, hidden.
      const nav = view.querySelector('.pages')!;
      expect(s.storyLength).toBeLessThanOrEqual(14);
      expect(nav.classList.contains('idle')).toBe(true);
      // A story longer than the box but shorter than a page: its first lines are a page back.
      for (let i = 1; i <= 5; i++) await s.run(`basic.publish m${i} '' q`);
      s.flushStory(true);
      flushSync();
      const short = s.storyLength;
      expect(short).toBeGreaterThan(14);
      expect(short).toBeLessThan(50);
      expect(nav.classList.contains('idle')).toBe(false);
      expect(view.querySelector('.pages span')!.textContent).toBe(`Lines ${short - 13}–${short} of ${short}`);
      click(byText(view, 'button', /Earlier/));
      expect(view.querySelector('.pages span')!.textContent).toBe(`Lines 1–${short} of ${short}`);
      expect(items()[0]).toMatch(/^0\.0s Connection a opened/);
      click(byText(view, 'button', /Latest/));
      for (let i = 6; i <= 40; i++) await s.run(`basic.publish m${i} '' q`);
      s.flushStory(true);
      flushSync();
      const total = s.storyLength;
      expect(items()).toHaveLength(14);
      expect(items().at(-1)).toMatch(/Message #40 waits in q/);
      expect(view.querySelector('.pages span')!.textContent).toBe(`Lines ${total - 13}–${total} of ${total}`);
      click(byText(view, 'button', /Earlier/));
      expect(items()).toHaveLength(50);
      expect(view.querySelector('.pages span')!.textContent).toBe(`Lines ${total - 63}–${total - 14} of ${total}`);
      click(byText(view, 'button', /Later/));
      expect(items()).toHaveLength(14);
    } finally {
      delete (globalThis as { ResizeObserver?: unknown }).ResizeObserver;
    }
  });
});

describe('Inspector', () => {
  it('shows a consumer with its channel as the machine says, and a message with its route and why', async () => {
    const s = await openSandbox([
      'exchange.declare news topic',
      'queue.declare usa',
      'queue.bind usa news usa.#',
      '@2 basic.qos 2',
      '@2 basic.consume usa --consumer_tag=reader',
      'basic.publish a news usa.weather',
    ]);
    const view = render(Inspector, { sandbox: s });
    expect(view.textContent).toContain('Click a message');
    play(s, 3000);
    const consumer = [...s.projection.consumers.values()][0];
    s.selected = { kind: 'consumer', id: consumer.id };
    flushSync();
    expect(view.querySelector('h3')!.textContent).toBe('Consumer reader');
    const field = (f: string) => view.querySelector(`.machine [data-field=${f}]`)!.textContent;
    expect(field('state')).toBe('open');
    expect(field('next-tag')).toBe('2');
    expect(field('unacked')).toBe('1');
    expect(field('prefetch')).toBe('2 per consumer, 0 for the channel');
    expect(field('mode')).toBe('no confirms, no transaction');
    // Live: the ack arrives, the machine's view follows.
    await s.run('@2 basic.ack 1');
    flushSync();
    expect(field('unacked')).toBe('—');

    s.selected = { kind: 'message', id: 1 };
    flushSync();
    expect(view.querySelector('h3')!.textContent).toBe('Message #1');
    expect(view.querySelector('dd code')!.textContent).toBe('a');
    const route = [...view.querySelectorAll('.bindings li')].map((li) => li.textContent!.trim());
    expect(route).toEqual([expect.stringMatching(/^✓ → queue usa: .*'usa' = 'usa'.*'#'/)]);
  });

  it('shows an exchange with its bindings in their own terms (headers: the arguments)', async () => {
    const s = await openSandbox(['exchange.declare reports headers', 'queue.declare pdf', 'queue.bind pdf reports --x-match=any --format=pdf']);
    const view = render(Inspector, { sandbox: s });
    s.selected = { kind: 'exchange', id: 'x:reports' };
    flushSync();
    expect(view.querySelector('h3')!.textContent).toBe('Exchange reports');
    expect([...view.querySelectorAll('ul li')].map((l) => l.textContent)).toEqual(['→ queue pdf: x-match any, format = pdf']);
  });
});

describe('AgentsPanel', () => {
  it('adds a consumer, and its buttons ack, nack, reject and crash through the agents', async () => {
    const s = await openSandbox(['queue.declare jobs', "basic.publish j1 '' jobs", "basic.publish j2 '' jobs", "basic.publish j3 '' jobs"]);
    const view = render(AgentsPanel, { sandbox: s });
    expect(view.textContent).toContain('No agents yet');
    fill(byText(view, 'label', /^queue/).querySelector('input'), 'jobs');
    fill(byText(view, 'label', /^prefetch/).querySelector('input'), '2');
    view.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    flushSync();
    play(s, 200);
    const item = () => view.querySelector('ul li')!;
    expect(item().textContent).toMatch(/wa on jobs · acks by hand · got 2/);
    expect(item().querySelector('.held')!.textContent).toBe('holding tags 1 2');
    click(byText(item(), 'button', 'ack'));
    play(s, 200);
    expect(item().querySelector('.held')!.textContent).toBe('holding tags 2 3');
    // basic.reject requeues (AMQP's default): j2 comes straight back, redelivered, as tag 4.
    click(byText(item(), 'button', 'reject'));
    play(s, 200);
    expect(item().querySelector('.held')!.textContent).toBe('holding tags 3 4');
    click(byText(item(), 'button', 'nack'));
    play(s, 200);
    expect(item().querySelector('.held')!.textContent).toBe('holding tags 4 5');
    expect(s.broker.queues.get('jobs')!.messageCount).toBe(0);
    click(byText(item(), 'button', 'crash'));
    play(s, 200);
    expect(item().textContent).toContain('crashed');
    // The crash closed its channel: what it held is back in the queue.
    expect(s.broker.queues.get('jobs')!.messageCount).toBe(2);
    click(byText(item(), 'button', 'restart'));
    expect(s.agents.list[0]).toMatchObject({ kind: 'consumer', consumerTag: 'wa' });
    click(view.querySelector('[aria-label="Remove wa"]'));
    expect(s.agents.list).toEqual([]);
  });
});

describe('ShellPanel', () => {
  it('shows the transcript without an input when not editable (a playground in player mode)', async () => {
    const s = await openSandbox(['queue.declare jobs']);
    const view = render(ShellPanel, { sandbox: s, editable: false });
    expect(view.querySelector('pre')!.textContent).toContain('1> queue.declare jobs');
    expect(view.querySelector('form')).toBeNull();
  });

  it('runs a typed line, recalls it with ↑, and completes with Tab', async () => {
    const s = await openSandbox(['queue.declare jobs']);
    const view = render(ShellPanel, { sandbox: s });
    const input = view.querySelector<HTMLInputElement>('#shell-input')!;
    expect(view.querySelector('label')!.textContent).toBe('2> ');
    fill(input, "basic.publish hi '' jobs");
    view.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
    await settle();
    expect(view.querySelector('pre')!.textContent).toContain("2> basic.publish hi '' jobs\nok.");
    expect(input.value).toBe('');
    // The prompt moves on with the session's counter.
    expect(view.querySelector('label')!.textContent).toBe('3> ');
    key(input, 'ArrowUp');
    expect(input.value).toBe("basic.publish hi '' jobs");
    fill(input, 'queue.pu');
    key(input, 'Tab');
    expect(input.value).toBe('queue.purge ');
    fill(input, 'queue.purge j');
    key(input, 'Tab');
    expect(input.value).toBe('queue.purge jobs ');
    // On an empty line Tab is left to the browser: it moves focus on (no keyboard trap).
    fill(input, '');
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    input.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(false);
  });
});
