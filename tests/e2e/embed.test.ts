/**
 * <amqp-playground> on a plain HTML page (tests/e2e/embed-page.html): two
 * elements and an iframe, each with its own broker, clock, language and
 * theme; attributes applied and re-applied; the host page's CSS kept out;
 * events reaching the host as DOM events and as postMessage.
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { chromiumPath, siteAndBrowser } from './browser.ts';

interface Seen {
  id: string;
  type: string;
  detail: Record<string, unknown>;
}

describe.skipIf(!chromiumPath)('two playgrounds on a plain page', () => {
  const site = siteAndBrowser();

  async function open(): Promise<{ page: Page; errors: string[] }> {
    const errors: string[] = [];
    const page = await site.browser.newPage({ viewport: { width: 1100, height: 1400 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
    await page.goto(`${site.url}tests/e2e/embed-page.html`);
    // Both drew their topology (Playwright's CSS locators pierce open shadow roots).
    await page.locator('#a .topology').waitFor();
    await page.locator('#b .topology').waitFor();
    return { page, errors };
  }

  const events = (page: Page) => page.evaluate(() => (window as unknown as { events: Seen[] }).events);

  it('plays each scenario on its own broker, tells the host, and keeps editing out of player mode', async () => {
    const { page, errors } = await open();
    const a = page.locator('#a');
    const b = page.locator('#b');
    // A plays its walkthrough to the end and meets its goal; the host hears both.
    await page.waitForFunction(() => (window as unknown as { events: Seen[] }).events.some((e) => e.id === 'a' && e.type === 'finished'), null, { timeout: 30_000 });
    await page.waitForFunction(() => (window as unknown as { events: Seen[] }).events.some((e) => e.id === 'a' && e.type === 'goal'));
    const seen = await events(page);
    expect(seen.find((e) => e.id === 'a' && e.type === 'ready')?.detail).toEqual({ lines: 6, goals: ['acked queue=testqueue'] });
    expect(seen.find((e) => e.id === 'a' && e.type === 'finished')?.detail).toEqual({ lines: 6 });
    expect(seen.find((e) => e.id === 'a' && e.type === 'goal')?.detail).toEqual({ index: 0, goal: 'acked queue=testqueue', met: 1, total: 1 });
    await expect(a.locator('.goals li').first().textContent()).resolves.toContain('✓');
    await expect(a.locator('.shell pre').textContent()).resolves.toContain("'body': 'This is a message!'");
    await a.locator('[aria-label^="Queue testqueue:"]').waitFor();

    // B never autoplays: its queue is not declared until it plays.
    await expect(b.locator('[aria-label^="队列 work"]').count()).resolves.toBe(0);
    // Player mode: B shows its transcript but has no shell input; A has one.
    await expect(b.locator('.shell pre').count()).resolves.toBe(1);
    await expect(b.locator('#shell-input').count()).resolves.toBe(0);
    await expect(a.locator('#shell-input').count()).resolves.toBe(1);

    // Typing in A changes A's broker only.
    await a.locator('#shell-input').fill('queue.declare only-in-a');
    await a.locator('#shell-input').press('Enter');
    await a.locator('[aria-label^="Queue only-in-a:"]').waitFor();
    await expect(b.locator('[aria-label*="only-in-a"]').count()).resolves.toBe(0);

    // B plays from its own controls (its language: 播放), on its own clock.
    await b.getByRole('button', { name: /播放/ }).click();
    await b.locator('[aria-label^="队列 work"]').waitFor();
    await expect(a.locator('[aria-label^="Queue work:"]').count()).resolves.toBe(0);
    // Space pauses only the playground that has the focus.
    await expect(a.getByRole('button', { name: /Pause/ }).count()).resolves.toBe(1);
    await b.locator('.playground').focus();
    await page.keyboard.press(' ');
    await expect(b.getByRole('button', { name: /播放/ }).count()).resolves.toBe(1);
    await expect(a.getByRole('button', { name: /Pause/ }).count()).resolves.toBe(1);
    expect(errors).toEqual([]);
  });

  it('applies its attributes, and changes to them, with the host page CSS kept out', async () => {
    const { page, errors } = await open();
    const a = page.locator('#a');
    const b = page.locator('#b');
    // theme, height, lang, speed, panels as written.
    await expect(a.locator('.playground').getAttribute('data-theme')).resolves.toBe('light');
    await expect(b.locator('.playground').getAttribute('data-theme')).resolves.toBe('dark');
    const box = await b.locator('.playground').boundingBox();
    expect(Math.round(box!.height)).toBe(300);
    await expect(b.locator('.controls').textContent()).resolves.toContain('单步');
    await expect(a.locator('.controls').textContent()).resolves.toContain('Step');
    await expect(a.locator('.controls select').inputValue()).resolves.toBe('5');
    await expect(b.locator('.controls select').inputValue()).resolves.toBe('2');
    await expect(a.locator('.inspector').count()).resolves.toBe(0);
    // Backgrounds differ by theme.
    const bg = (sel: string) => page.locator(sel).evaluate((el) => getComputedStyle(el).backgroundColor);
    expect(await bg('#a .playground')).not.toBe(await bg('#b .playground'));

    // The host page's CSS does not reach inside: not its fonts, colours, button backgrounds or hiding rules.
    const style = await a.getByRole('button', { name: /Step/ }).evaluate((el) => {
      const s = getComputedStyle(el);
      return { font: s.fontFamily, background: s.backgroundColor, visible: el.getBoundingClientRect().width > 0 };
    });
    expect(style.font).toMatch(/^system-ui/);
    expect(style.background).not.toBe('rgb(255, 0, 0)');
    expect(style.visible).toBe(true);
    const text = await a.locator('.playground').evaluate((el) => ({ color: getComputedStyle(el).color, size: getComputedStyle(el).fontSize }));
    expect(text.color).not.toBe('rgb(255, 0, 0)');
    expect(text.size).toBe('14px');
    // And ours does not leak out: the host's own text keeps its styles.
    await expect(page.locator('body > p').evaluate((el) => getComputedStyle(el).color)).resolves.toBe('rgb(255, 0, 0)');

    // Attribute changes after connect take effect.
    await page.evaluate(() => {
      const el = document.getElementById('a')!;
      el.setAttribute('lang', 'zh');
      el.setAttribute('theme', 'dark');
      el.setAttribute('panels', 'topology inspector');
      el.setAttribute('speed', '0.5');
    });
    await page.waitForFunction(() => document.getElementById('a')!.shadowRoot!.querySelector('.controls')!.textContent!.includes('单步'));
    await a.locator('.inspector').waitFor();
    await expect(a.locator('.playground').getAttribute('data-theme')).resolves.toBe('dark');
    await expect(a.locator('.log').count()).resolves.toBe(0);
    await expect(a.locator('.controls select').inputValue()).resolves.toBe('0.5');

    // A bad value: a visible message and an error event, the rest still working.
    await page.evaluate(() => document.getElementById('b')!.setAttribute('speed', 'fast'));
    await b.locator('.problem').waitFor();
    await expect(b.locator('.problem').textContent()).resolves.toContain('speed="fast": speed must be a number from 0.1 to 10');
    const seen = await events(page);
    expect(seen.filter((e) => e.id === 'b' && e.type === 'error').map((e) => e.detail)).toEqual([
      { message: 'speed="fast": speed must be a number from 0.1 to 10', attribute: 'speed' },
    ]);
    await expect(b.locator('p.problem').textContent()).resolves.toBe('speed="fast": speed must be a number from 0.1 to 10');
    await expect(b.locator('.controls').count()).resolves.toBe(1);

    // A scenario fetched from `src` (when there is no inline one), checked and played like one.
    await page.evaluate(() => {
      const el = document.getElementById('b')!;
      el.removeAttribute('scenario');
      el.setAttribute('src', '/tests/e2e/embed-scenario.amqp');
      el.setAttribute('autoplay', '');
      el.setAttribute('speed', '10');
    });
    await b.locator('[aria-label^="队列 from-a-file"]').waitFor();
    await page.waitForFunction(() => (window as unknown as { events: Seen[] }).events.some((e) => e.id === 'b' && e.type === 'finished' && e.detail.lines === 2));
    // The dev server answers a missing file with its HTML page: refused as a scenario, nothing of it run.
    await page.evaluate(() => document.getElementById('b')!.setAttribute('src', '/tests/e2e/no-such-file.amqp'));
    await b.locator('pre.problem').waitFor();
    await expect(b.locator('pre.problem').textContent()).resolves.toMatch(/^scenario line 1: <!doctype html>\nunknown syntax/);
    await expect(b.locator('[aria-label^="队列"]').count()).resolves.toBe(0);

    // A scenario that does not parse: nothing runs, the line is named.
    await page.evaluate(() => document.getElementById('b')!.setAttribute('scenario', 'queue.declare ok\nqueue.frobnicate x'));
    await b.locator('pre.problem').waitFor();
    await expect(b.locator('pre.problem').textContent()).resolves.toContain("scenario line 2: queue.frobnicate x\nunknown syntax: 'queue.frobnicate x'");
    expect(errors).toEqual([]);
  });

  it('docs/embedding.md is a page of live playgrounds: its examples play', async () => {
    const page = await site.browser.newPage({ viewport: { width: 1100, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${site.url}embedding.html`);
    // The walkthrough, topics, redelivery and the Chinese one: shown as code, then live.
    await expect(page.locator('h2', { hasText: 'Live: redelivery' }).count()).resolves.toBe(1);
    await expect(page.locator('.live amqp-playground').count()).resolves.toBe(4);
    await expect(page.locator('pre.code.html').filter({ hasText: "basic.publish 'This is a message!' testexchange testkey" }).count()).resolves.toBe(1);
    const redelivery = page.locator('.live amqp-playground').nth(2);
    await redelivery.scrollIntoViewIfNeeded();
    await redelivery.locator('.goals li', { hasText: '✓' }).waitFor({ timeout: 40_000 });
    await expect(redelivery.locator('#shell-input').count()).resolves.toBe(0);
    expect(errors).toEqual([]);
  });

  it('the iframe form posts its events to the parent', async () => {
    const { page } = await open();
    await page.waitForFunction(() => (window as unknown as { messages: Array<{ type: string }> }).messages.some((m) => m.type === 'finished'), null, { timeout: 30_000 });
    const messages = await page.evaluate(() => (window as unknown as { messages: unknown[] }).messages);
    expect(messages).toContainEqual({ source: 'amqp-playground', frame: 'frame1', type: 'ready', detail: { lines: 1, goals: ['queue hello'] } });
    expect(messages).toContainEqual({ source: 'amqp-playground', frame: 'frame1', type: 'goal', detail: { index: 0, goal: 'queue hello', met: 1, total: 1 } });
    expect(messages).toContainEqual({ source: 'amqp-playground', frame: 'frame1', type: 'finished', detail: { lines: 1 } });
    // The frame's playground has only the panels asked for.
    const frame = page.frameLocator('#frame');
    await frame.locator('.topology').waitFor();
    await expect(frame.locator('.shell').count()).resolves.toBe(0);
  });
});
