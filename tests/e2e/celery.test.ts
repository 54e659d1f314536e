/**
 * The Celery panel in Chromium: load the seed's configuration onto the
 * page's broker, route a task by the seed's task_routes example and see it
 * land in the right queue, see why, and have a worker run it.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, openSandbox, siteAndBrowser, storyTells } from './browser.ts';

describe.skipIf(!chromiumPath)('the Celery panel', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  async function open(): Promise<Page> {
    const page = await openSandbox(site.browser, site.url, errors, { locale: 'en-US' });
    await page.getByRole('tab', { name: 'Celery' }).click();
    return page;
  }

  const ready = (page: Page, queue: string, n: number) =>
    page.waitForFunction(([q, k]) => document.querySelector(`[aria-label^="Queue ${q}:"]`)?.getAttribute('aria-label')?.startsWith(`Queue ${q}: ${k} ready`), [queue, n] as const);

  it("routes compress_video by the seed's task_routes into queue video, says why, and a worker runs it", async () => {
    const page = await open();
    await page.getByRole('button', { name: 'Load and declare' }).click();
    for (const q of ['default', 'videos', 'images']) await page.locator(`[aria-label^="Queue ${q}:"]`).waitFor();
    await page.locator('[aria-label="Exchange media, type direct"]').waitFor();

    await page.getByRole('button', { name: 'Send (apply_async)' }).click();
    await ready(page, 'video', 1);
    const why = page.locator('.decision');
    await expect(why.textContent()).resolves.toContain("Router 1 of task_routes (a dict) answers: key 'myapp.tasks.compress_video' matches.");
    await expect(why.textContent()).resolves.toContain('→ landed in video.');
    await expect(page.locator('.decision li.decided').textContent()).resolves.toContain('Router 1');
    // The same page's story tells the Celery client's declare and publish.
    await storyTells(page, 'Queue video declared.');

    // A resize task goes by the glob key to images.
    await page.getByLabel('task', { exact: true }).fill('myapp.tasks.resize_image');
    await page.getByRole('button', { name: 'Send (apply_async)' }).click();
    await ready(page, 'images', 1);

    await page.getByLabel('-Q').fill('video');
    await page.getByLabel('task ms').fill('500');
    await page.getByRole('button', { name: 'Start worker' }).click();
    await ready(page, 'video', 0);
    await page.waitForFunction(() => document.querySelector('.workers')!.textContent!.includes('myapp.tasks.compress_video ← video: done'));
    await page.screenshot({ path: '/tmp/warren-celery.png' });
    await page.close();
  });

  it('shows a configuration error at its line and column, in either language', async () => {
    const page = await open();
    await page.getByLabel('Celery configuration, in Python').fill("task_routes = {\n    'a': {'queue': 'x'},\n]\n");
    await page.getByRole('button', { name: 'Load and declare' }).click();
    const problem = page.locator('.problem');
    await expect(problem.textContent()).resolves.toContain('Line 3, column 1');
    await expect(problem.textContent()).resolves.toContain("SyntaxError: closing parenthesis ']' does not match opening parenthesis '{' on line 1");
    await page.getByRole('button', { name: '中文' }).click();
    await expect(problem.textContent()).resolves.toContain('第 3 行，第 1 列');
    await page.screenshot({ path: '/tmp/warren-celery-zh.png' });
    await page.getByRole('button', { name: 'EN' }).click();
    await page.close();
    expect(errors).toEqual([]);
  });
});
