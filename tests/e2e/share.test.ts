/**
 * Share and save in headless Chromium: the sandbox comes back after a
 * reload, a share link opens exactly its scenario in a fresh browser, a
 * scenario file round-trips, and hostile or broken input is shown as text
 * or refused with the current state untouched.
 */
import { describe, expect, it } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { chromiumPath, openSandbox, siteAndBrowser, typeLine as type } from './browser.ts';

const HOSTILE_QUEUE = '<img src=x onerror="window.pwned=1">';
const HOSTILE_BODY = '<script>window.pwned=2</script>';

describe.skipIf(!chromiumPath)('share and save', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  const open = (context: BrowserContext, at = site.url) => openSandbox(context, at, errors);


  const transcript = (page: Page) => page.locator('.shell pre').textContent();
  const saved = (page: Page) => page.waitForFunction(() => (localStorage.getItem('warren:scenario') ?? '').includes('"end"'));

  it('a reload restores the whole state: topology, messages, agents, transcript', async () => {
    const context = await site.browser.newContext();
    const page = await open(context);
    for (const line of ['exchange.declare jobs direct', 'queue.declare work', 'queue.bind work jobs go', 'basic.publish one jobs go', 'basic.publish two jobs go']) await type(page, line);
    await page.evaluate(() => {
      const w = (window as unknown as { warren: { agents: { addConsumer(s: object): string }; touch(): void } }).warren;
      w.agents.addConsumer({ queue: 'work', prefetch: 1, autoAck: false, processing: null });
      w.touch();
    });
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue work:"]')?.getAttribute('aria-label') === 'Queue work: 1 ready, 1 unacked');
    const before = await transcript(page);
    await page.waitForTimeout(1200);
    await saved(page);
    await page.reload();
    await page.waitForFunction(() => document.querySelector('[aria-label^="Queue work:"]')?.getAttribute('aria-label') === 'Queue work: 1 ready, 1 unacked');
    await expect(transcript(page)).resolves.toBe(before);
    await expect(page.evaluate(() => (window as unknown as { warren: { agents: { list: unknown[] } } }).warren.agents.list.length)).resolves.toBe(1);
    await page.getByRole('tab', { name: 'Agents' }).click();
    await expect(page.locator('.agents').textContent()).resolves.toContain('work');
    await context.close();
  });

  it('a share link opens exactly its scenario in another browser; hostile names and bodies stay text', async () => {
    const a = await site.browser.newContext();
    const page = await open(a);
    await type(page, `queue.declare '${HOSTILE_QUEUE}'`);
    await type(page, `basic.publish '${HOSTILE_BODY}' '' '${HOSTILE_QUEUE}'`);
    await type(page, `basic.get '${HOSTILE_QUEUE}'`);
    await page.waitForFunction((body) => document.querySelector('.shell pre')!.textContent!.includes(`{'body': '${body}'`), HOSTILE_BODY);
    await page.getByRole('button', { name: 'Share' }).click();
    await page.getByRole('button', { name: 'Copy a link to this scenario' }).click();
    const link = await page.locator('input[aria-label="Share link"]').inputValue();
    expect(link).toMatch(/#s=[A-Za-z0-9_-]+$/);
    const before = await transcript(page);
    await a.close();

    const b = await site.browser.newContext();
    const other = await open(b, link);
    await other.waitForFunction((t) => document.querySelector('.shell pre')!.textContent === t, before);
    // Got, not acked: the message is out of the queue, unacked.
    await other.waitForFunction((label) => [...document.querySelectorAll('[aria-label^="Queue "]')].some((e) => e.getAttribute('aria-label') === label), `Queue ${HOSTILE_QUEUE}: 0 ready, 1 unacked`);
    await expect(other.getByText(HOSTILE_QUEUE, { exact: true }).first().isVisible()).resolves.toBe(true);
    await expect(other.locator('.shell pre').textContent()).resolves.toContain(HOSTILE_BODY);
    await expect(other.evaluate(() => (window as unknown as { pwned?: number }).pwned)).resolves.toBeUndefined();
    await expect(other.evaluate(() => document.querySelectorAll('img[src="x"], script:not([type="module"]):not([src])').length)).resolves.toBe(0);
    // Opened, the link leaves the address bar: a reload shows the local state from then on.
    expect(other.url()).not.toContain('#s=');
    await b.close();
  });

  it('a broken or truncated link, and a bad file, are refused with a message and nothing changes', async () => {
    const context = await site.browser.newContext();
    const page = await open(context);
    await type(page, 'queue.declare keep');
    const before = await transcript(page);
    await page.evaluate(() => (location.hash = '#s=definitely-not-a-scenario'));
    await page.locator('.status.error').waitFor();
    await expect(page.locator('.status.error').textContent()).resolves.toMatch(/Could not open the link: the link is damaged.*Nothing was changed/);
    await expect(transcript(page)).resolves.toBe(before);

    // A real link cut short.
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.getByRole('button', { name: 'Copy a link to this scenario' }).click();
    const link = await page.locator('input[aria-label="Share link"]').inputValue();
    await page.evaluate((h) => (location.hash = h), link.slice(link.indexOf('#'), -8));
    await page.locator('.status.error').waitFor();
    await expect(transcript(page)).resolves.toBe(before);

    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('.share input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"format":"warren-scenario","version":1,"seed":1,"steps":[{"at":0,"line":"queue.declare x","code":"alert(1)"}],"end":0}') });
    await expect(page.locator('.status.error').textContent()).resolves.toContain("Could not open the file: steps[0] has an unknown field 'code'");
    await expect(transcript(page)).resolves.toBe(before);
    await context.close();
  });

  it('a scenario file exports and imports', async () => {
    const context = await site.browser.newContext();
    const page = await open(context);
    await type(page, 'queue.declare exported');
    await type(page, 'basic.publish hi "" exported');
    await page.getByRole('button', { name: 'Share' }).click();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export a scenario file' }).click()]);
    const file = await download.path();
    const before = await transcript(page);
    const fresh = await open(await site.browser.newContext());
    await fresh.getByRole('button', { name: 'Share' }).click();
    await fresh.locator('.share input[type=file]').setInputFiles(file);
    await fresh.waitForFunction((t) => document.querySelector('.shell pre')!.textContent === t, before);
    await expect(fresh.locator('.status.ok').textContent()).resolves.toContain('Opened the file');
    await context.close();
    expect(errors).toEqual([]);
  });
});
