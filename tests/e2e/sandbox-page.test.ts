/**
 * The sandbox page in headless Chromium: type into the shell panel, watch
 * the topology and the messages, use the time controls.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { chromiumPath, openSandbox, siteAndBrowser, typeLine as type } from './browser.ts';

const WALKTHROUGH = [
  'exchange.declare testexchange direct',
  'queue.declare testqueue',
  'queue.bind testqueue testexchange testkey',
  "basic.publish 'This is a message!' testexchange testkey",
  'basic.get testqueue',
  'basic.ack 1',
  'queue.delete testqueue',
  'exchange.delete testexchange',
];

describe.skipIf(!chromiumPath)('the sandbox page', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  const open = () => openSandbox(site.browser, site.url, errors);


  const counts = (page: Page, queue: string) => page.locator(`[aria-label^="Queue ${queue}:"]`).getAttribute('aria-label');

  it("the seed's walkthrough typed into the shell: topology appears, the message travels, the transcript matches", async () => {
    const page = await open();
    for (const line of WALKTHROUGH.slice(0, 4)) await type(page, line);
    await page.locator('[aria-label="Exchange testexchange, type direct"]').waitFor();
    await expect(page.locator('.edge-label').first().textContent()).resolves.toBe('testkey');
    // The message flies publisher → exchange → queue before the queue counts it.
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue testqueue:"]')?.getAttribute('aria-label')?.includes('1 ready'));
    for (const line of WALKTHROUGH.slice(4)) await type(page, line);
    await page.waitForFunction(() => document.querySelector('.shell pre')!.textContent!.includes('8> exchange.delete testexchange\nok.'));
    const transcript = await page.locator('.shell pre').textContent();
    const spec = readFileSync(new URL('../shell/scripts/01-seed-walkthrough.txt', import.meta.url), 'utf8').trim();
    expect(transcript!.trim()).toBe(spec);
    await page.screenshot({ path: '/tmp/warren-walkthrough.png' });
    await page.close();
  });

  it('the topic example: each message reaches the queues whose pattern matches, and the inspector says why', async () => {
    const page = await open();
    for (const line of [
      'exchange.declare news topic',
      'queue.declare usa',
      'queue.declare norway',
      'queue.declare weather',
      'queue.bind usa news usa.#',
      'queue.bind norway news norway.*',
      'queue.bind weather news *.weather',
      'basic.publish a news usa.news',
      'basic.publish b news usa.weather',
      'basic.publish c news norway.news',
      'basic.publish d news norway.weather',
    ]) await type(page, line);
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue weather:"]')?.getAttribute('aria-label')?.startsWith('Queue weather: 2 ready'));
    await expect(counts(page, 'usa')).resolves.toBe('Queue usa: 2 ready, 0 unacked');
    await expect(counts(page, 'norway')).resolves.toBe('Queue norway: 2 ready, 0 unacked');
    await page.locator('[aria-label^="Queue weather:"] [aria-label^="Message #"]').first().click();
    const inspector = page.locator('.inspector');
    await expect(inspector.textContent()).resolves.toMatch(/'\*' takes 'usa', 'weather' = 'weather'/);
    await expect(inspector.textContent()).resolves.toMatch(/'norway' ≠ 'usa' \(word 1 of 'usa.weather'\)/);
    // The story log follows its newest line, as a terminal does: the last line told is in view.
    await page.waitForFunction(() => {
      const list = document.querySelector('.story .lines')!;
      const last = list.querySelector('li:last-child')!.getBoundingClientRect();
      const box = list.getBoundingClientRect();
      return list.scrollHeight > list.clientHeight && last.bottom <= box.bottom + 1 && last.top >= box.top;
    });
    await page.screenshot({ path: '/tmp/warren-topic.png' });
    await page.close();
  });

  it("shows each channel as its machine says: state, next tag, unacked tags, prefetch, confirm mode; headers bindings by their arguments", async () => {
    const page = await open();
    for (const line of [
      'exchange.declare reports headers',
      'queue.declare pdf',
      'queue.bind pdf reports --x-match=any --format=pdf --lang=en',
      '@2 basic.qos 3',
      '@2 basic.consume pdf --consumer_tag=reader',
      'confirm.select',
      'basic.publish r1 reports "" --header.format=pdf',
      'basic.publish r2 reports "" --header.lang=en',
    ]) await type(page, line);
    const label = page.locator('.label', { has: page.locator('.edge-label') }).first();
    await expect(label.locator('.edge-label tspan').allTextContents()).resolves.toEqual(['x-match any', 'format = pdf', 'lang = en']);
    const consumer = page.locator('[aria-label^="Consumer reader on channel"]');
    await page.waitForFunction(() => document.querySelector('[aria-label^="Consumer reader"] [data-unacked]')?.textContent === 'unacked 1 2');
    await expect(consumer.locator('[data-state]').textContent()).resolves.toBe('open');
    await expect(consumer.textContent()).resolves.toContain('prefetch 3');
    await expect(consumer.textContent()).resolves.toContain('next tag 3');
    await expect(page.locator('[aria-label^="Channel "][aria-label*="confirm mode"]').count()).resolves.toBe(1);
    await consumer.click();
    const machine = page.locator('.inspector .machine');
    await expect(machine.locator('[data-field=state]').textContent()).resolves.toBe('open');
    await expect(machine.locator('[data-field=next-tag]').textContent()).resolves.toBe('3');
    await expect(machine.locator('[data-field=unacked]').textContent()).resolves.toBe('1 2');
    await expect(machine.locator('[data-field=prefetch]').textContent()).resolves.toBe('3 per consumer, 0 for the channel');
    // Live: an ack from the shell takes tag 1 away.
    await type(page, '@2 basic.ack 1');
    await page.waitForFunction(() => document.querySelector('.inspector .machine [data-field=unacked]')?.textContent === '2');
    await page.screenshot({ path: '/tmp/warren-channels.png' });
    await page.close();
  });

  it("closing a consumer's channel sends its unacked messages back, redelivered; the timeline scrubs back", async () => {
    const page = await open();
    for (const line of ['queue.declare tasks', '@2 basic.qos 1', '@2 basic.consume tasks --consumer_tag=worker', "basic.publish t1 '' tasks"]) await type(page, line);
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue tasks:"]')?.getAttribute('aria-label')?.includes('1 unacked'));
    await type(page, '@2 channel.close');
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue tasks:"]')?.getAttribute('aria-label')?.startsWith('Queue tasks: 1 ready'));
    await expect(page.locator('.waiting.redelivered').count()).resolves.toBe(1);
    await page.waitForFunction(() => document.querySelector('.story')!.textContent!.includes('back in tasks at its old place, marked redelivered'));
    // Scrub to the start: nothing was declared then.
    await page.locator('input[type=range]').fill(await page.locator('input[type=range]').getAttribute('min') as string);
    await expect(page.locator('[aria-label^="Queue tasks:"]').count()).resolves.toBe(0);
    await expect(page.locator('.clock').textContent()).resolves.toContain('reviewing');
    await page.getByRole('button', { name: /Play/ }).click();
    await page.waitForFunction(() => !document.querySelector('.clock')!.textContent!.includes('reviewing'));
    await page.close();
    expect(errors).toEqual([]);
  });
});
