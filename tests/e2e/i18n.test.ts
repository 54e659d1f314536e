/**
 * The page in English and Chinese: the header switch changes every text at
 * once without losing what was built, and the choice is remembered.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext } from 'playwright-core';
import { chromiumPath, openSandbox, siteAndBrowser, storyTells } from './browser.ts';

describe.skipIf(!chromiumPath)('the page in two languages', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  const open = (context: BrowserContext) => openSandbox(context, site.url, errors, { consoleErrors: true });

  it('switches to Chinese and back mid-session, keeping the topology and transcript, and remembers the choice', async () => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'en-US' });
    const page = await open(context);
    await expect(page.getByRole('button', { name: /Step/ }).count()).resolves.toBe(1);
    await page.fill('#shell-input', 'queue.declare jobs');
    await page.press('#shell-input', 'Enter');
    await page.locator('[aria-label^="Queue jobs:"]').waitFor();

    await page.getByRole('button', { name: '中文' }).click();
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('zh-CN');
    await expect(page.getByRole('button', { name: '中文' }).getAttribute('aria-pressed')).resolves.toBe('true');
    await expect(page.locator('.controls').textContent()).resolves.toContain('单步');
    await expect(page.locator('header h1').textContent()).resolves.toContain('AMQP 0-9-1 沙盒');
    // What was built and typed is still there; the protocol text stays verbatim.
    await expect(page.locator('.shell pre').textContent()).resolves.toContain('ok. queue:jobs messages:0 consumers:0.');
    // The story already told is retold, the topology relabelled.
    await storyTells(page, '已声明队列 jobs。');
    await expect(page.locator('[aria-label^="队列 jobs："]').count()).resolves.toBe(1);
    // No English UI words are left outside protocol text (shell transcript, code, names).
    const english = /\b(ready|unacked|declared|opened|Build|Agents|Inspector|What happened|Play|Pause|Step|Speed|name|type|Run|queue|exchange|bind|publish|delete|durable|consumer|prefetch)\b/;
    for (const tab of ['创建', '角色', '检查器']) {
      await page.getByRole('tab', { name: tab }).click();
      const shown = await page.evaluate(() => {
        const copy = document.querySelector('.app')!.cloneNode(true) as HTMLElement;
        copy.querySelectorAll('pre, code, select, .title, datalist').forEach((n) => n.remove());
        return copy.textContent!;
      });
      const rest = shown.replace(/'[^']*'|（[a-z-]+）/g, '').replace(/jobs|Warren|AMQP|EN|guest|Celery|direct|fanout|topic|headers/g, '');
      const leftover = rest.match(english);
      // Shows the English word in its context when one is left.
      expect(leftover ? rest.slice(Math.max(0, leftover.index! - 60), leftover.index! + 60) : '').toBe('');
    }
    await page.screenshot({ path: '/tmp/warren-zh.png' });

    await page.reload();
    await page.waitForSelector('#shell-input');
    await expect(page.locator('.controls').textContent()).resolves.toContain('单步');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await expect(page.locator('.controls').textContent()).resolves.toContain('Step');
    await expect(page.locator('html').getAttribute('lang')).resolves.toBe('en');
    await context.close();
  });

  it("starts in the browser's language when nothing was chosen", async () => {
    const context = await site.browser.newContext({ viewport: { width: 1280, height: 720 }, locale: 'zh-CN' });
    const page = await open(context);
    await expect(page.locator('.controls').textContent()).resolves.toContain('单步');
    await context.close();
    expect(errors).toEqual([]);
  });
});
