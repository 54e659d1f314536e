/**
 * Lessons in headless Chromium: the first three lessons completed by typing
 * in the shell, goals ticking; the language switched mid-lesson (the text
 * changes, the sandbox and the progress stay); "show me"; presenter keys; a
 * workshop from a URL with a malformed file reported by file and line.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, openSandbox, siteAndBrowser, typeLine as type } from './browser.ts';

describe.skipIf(!chromiumPath)('lessons on the page', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  const open = (query = '') => openSandbox(site.browser, site.url + query, errors);


  const title = (page: Page) => page.locator('.lessons article h2').textContent();
  const met = (page: Page) => page.locator('.goals li').evaluateAll((lis) => lis.map((li) => li.classList.contains('met')));
  const untilMet = (page: Page, expected: boolean[]) =>
    page.waitForFunction((want) => JSON.stringify([...document.querySelectorAll('.goals li')].map((li) => li.classList.contains('met'))) === JSON.stringify(want), expected);

  it('the first three lessons, typed in the shell: goals tick one by one, then the lesson is done', async () => {
    const page = await open();
    // A first visit: the free sandbox, with the list of lessons.
    await page.getByRole('button', { name: 'A message: headers and body' }).click();
    await page.waitForFunction(() => document.querySelector('.shell pre')!.textContent!.includes('1> queue.declare celery'));
    expect(await title(page)).toBe('A message: headers and body');
    expect(await met(page)).toEqual([false, false]);
    await type(page, `basic.publish '{"task": "myapp.tasks.add", "args": [4, 4]}' '' celery --content_type=application/json --header.task=myapp.tasks.add`);
    await untilMet(page, [true, false]);
    await type(page, 'basic.get celery');
    await untilMet(page, [true, true]);
    await page.getByRole('status').filter({ hasText: 'every goal is met' }).waitFor();

    await page.getByRole('button', { name: 'Next ▶' }).click();
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === 'Producers, consumers and the broker');
    await page.waitForFunction(() => document.querySelector('.shell pre')!.textContent!.includes('1> queue.declare hello'));
    await type(page, '@b:1 basic.consume hello');
    await untilMet(page, [true, false]);
    await type(page, "basic.publish 'Hello, consumer!' '' hello");
    await untilMet(page, [true, true]);

    await page.getByRole('button', { name: 'Next ▶' }).click();
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === 'Exchanges, queues and routing keys');
    for (const line of ['exchange.declare logs direct', 'queue.declare errors', 'queue.bind errors logs error']) await type(page, line);
    expect(await met(page)).toEqual([false, false]);
    await type(page, "basic.publish 'disk full' logs error");
    await untilMet(page, [true, false]);

    // Switch to Chinese mid-lesson: the text changes, the goals met and the shell stay.
    const transcript = await page.locator('.shell pre').textContent();
    await page.getByRole('button', { name: '中文' }).click();
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === '交换机，队列和路由键');
    expect(await met(page)).toEqual([true, false]);
    expect(await page.locator('.goals li').first().textContent()).toContain('到达队列');
    expect(await page.locator('.shell pre').textContent()).toBe(transcript);
    await type(page, "basic.publish 'all is well' logs info");
    await untilMet(page, [true, true]);
    await page.screenshot({ path: '/tmp/warren-lessons-zh.png' });

    // Progress survives a reload: three lessons done, the third one open.
    const progress = await page.evaluate(() => JSON.parse(localStorage.getItem('warren.lessons.builtin')!));
    expect(progress).toMatchObject({ done: ['message', 'producers-consumers', 'exchanges-queues'], current: 'exchanges-queues' });
    await page.reload();
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === '交换机，队列和路由键');
    await page.getByRole('button', { name: '☰ 全部课程' }).click();
    expect(await page.locator('.list li .tick').allTextContents()).toEqual(['✓', '✓', '✓', ...Array(22).fill('')]);
    await page.close();
  });

  it('"show me" types the solution into the shell and every goal ticks; presenter keys move between lessons', async () => {
    const page = await open('?lesson=topic&present');
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent?.startsWith('Topic exchanges'));
    expect(await page.locator('.app.presenting').count()).toBe(1);
    await page.locator('body').click({ position: { x: 5, y: 700 } });
    await page.keyboard.press('+');
    await page.keyboard.press('+');
    await page.keyboard.press('s');
    // The input shows the line being typed before it runs.
    await page.waitForFunction(() => (document.querySelector('#shell-input') as HTMLInputElement).value.startsWith('queue.bind'));
    await untilMet(page, [true, true, true, true]);
    expect(await page.locator('.shell pre').textContent()).toContain("11> basic.publish 'Snow in Oslo' news norway.weather");
    await page.screenshot({ path: '/tmp/warren-lessons-present.png' });
    await page.keyboard.press('ArrowRight');
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === 'Fanout: broadcast to every queue');
    await page.keyboard.press('Escape');
    expect(await page.locator('.app.presenting').count()).toBe(0);
    await page.close();
  });

  it('a workshop from a URL: its lessons load, a malformed file is reported with its file and line', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1280, height: 720 } });
    const files: Record<string, string> = {
      'index.txt': 'title: Monday workshop\nfirst\nbroken\n',
      'first.lesson.md': '```goals\nexchange orders type=fanout\n```\n\n```solution\nexchange.declare orders fanout\n```\n',
      'first.en.md': '# Declare a fanout exchange\n\nCall it `orders`.\n',
      'broken.lesson.md': '```goals\nexchange orders\nroutd key=x\n```\n```solution\nexchange.declare orders fanout\n```\n',
      'broken.en.md': '# Broken\n',
    };
    await page.route('https://workshop.example/monday/**', (route) => {
      const name = new URL(route.request().url()).pathname.split('/').pop()!;
      return files[name] === undefined ? route.fulfill({ status: 404, body: '' }) : route.fulfill({ status: 200, body: files[name], headers: { 'access-control-allow-origin': '*' } });
    });
    await page.goto(`${site.url}?workshop=${encodeURIComponent('https://workshop.example/monday/')}&lesson=first`);
    await page.waitForFunction(() => document.querySelector('.lessons article h2')?.textContent === 'Declare a fanout exchange');
    await type(page, 'exchange.declare orders fanout');
    await untilMet(page, [true]);
    await page.getByRole('button', { name: '☰ All lessons' }).click();
    await expect(page.locator('.list h3').first().textContent()).resolves.toBe('Monday workshop');
    await expect(page.locator('.list .errors').textContent()).resolves.toContain("broken.lesson.md:3: goals: unknown goal 'routd'");
    await page.close();
  });

  it('no page errors', () => {
    expect(errors).toEqual([]);
  });
});
