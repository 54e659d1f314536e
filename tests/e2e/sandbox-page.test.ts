import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { ViteDevServer } from 'vite';
import { chromiumPath, launch, startSite } from './browser.ts';

describe.skipIf(!chromiumPath)('the sandbox page', () => {
  let server: ViteDevServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    const site = await startSite();
    server = site.server;
    browser = await launch();
    page = await browser.newPage({ viewport: { width: 1280, height: 720 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(site.url);
    await page.waitForSelector('[data-queue="testqueue"]');
    expect(errors).toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it("shows the engine's topology: the walkthrough's exchange, binding and queue", async () => {
    await expect(page.locator('[data-exchange="testexchange"]').textContent()).resolves.toContain("queue testqueue with key 'testkey'");
    await expect(page.locator('[data-queue="testqueue"] [data-ready]').textContent()).resolves.toBe('0');
  });

  it('publishing routes a message into the queue; get + ack takes it out again', async () => {
    await page.getByRole('button', { name: "basic.publish to testexchange with key 'testkey'" }).click();
    await expect(page.locator('[data-queue="testqueue"] [data-ready]').textContent()).resolves.toBe('1');
    await page.getByRole('button', { name: /unroutable/ }).click();
    await expect(page.locator('[data-queue="testqueue"] [data-ready]').textContent()).resolves.toBe('1');
    await expect(page.locator('.log').textContent()).resolves.toContain('matched no binding');
    await page.screenshot({ path: process.env.WARREN_SCREENSHOT ?? '/tmp/warren-sandbox.png' });
    await page.getByRole('button', { name: /basic\.get/ }).click();
    await expect(page.locator('[data-queue="testqueue"] [data-ready]').textContent()).resolves.toBe('0');
  });
});
