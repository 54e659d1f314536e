/**
 * Shared set-up for browser tests: a Vite dev server on a free loopback
 * port and Debian's Chromium driven by Playwright (never a downloaded
 * browser). Without Chromium the suite is skipped loudly, unless CI is set.
 */
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

export const chromiumPath = process.env.WARREN_CHROMIUM;
const ci = !!process.env.CI && process.env.CI !== 'false';

if (!chromiumPath) {
  if (ci) throw new Error('CI is set but WARREN_CHROMIUM is not: browser tests need Chromium (apt-get install chromium)');
  console.warn('\n!!! browser tests skipped: Chromium not found (apt-get install chromium, then run `npm test`)\n');
}

export async function startSite(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({ server: { host: '127.0.0.1', port: 0, strictPort: false }, logLevel: 'error' });
  await server.listen();
  const address = server.httpServer!.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { server, url: `http://127.0.0.1:${port}/` };
}

export function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-quic', '--disable-sync'],
  });
}

/** Starts the site and Chromium before a suite's tests and stops them after; read `url` and `browser` inside the tests. */
export function siteAndBrowser(): { readonly url: string; readonly browser: Browser } {
  const ctx = {} as { url: string; browser: Browser; server: ViteDevServer };
  beforeAll(async () => {
    const site = await startSite();
    ctx.server = site.server;
    ctx.url = site.url;
    ctx.browser = await launch();
  });
  afterAll(async () => {
    await ctx.browser?.close();
    await ctx.server?.close();
  });
  return ctx;
}

export interface OpenOptions extends BrowserContextOptions {
  /** Also count console.error messages as errors. */
  consoleErrors?: boolean;
}

/**
 * Opens the sandbox page at `url` in a new tab of `where` (a browser, with
 * `options` for its new context, or an existing context), at 1280×720 unless
 * told otherwise, collects uncaught errors into `errors`, and waits until the
 * shell takes input.
 */
export async function openSandbox(where: Browser | BrowserContext, url: string, errors: string[], options: OpenOptions = {}): Promise<Page> {
  const { consoleErrors, ...contextOptions } = options;
  const page = 'newContext' in where ? await where.newPage({ viewport: { width: 1280, height: 720 }, ...contextOptions }) : await where.newPage();
  if (!('newContext' in where)) await page.setViewportSize(contextOptions.viewport ?? { width: 1280, height: 720 });
  page.on('pageerror', (e) => errors.push(e.message));
  if (consoleErrors) page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  await page.waitForSelector('#shell-input');
  return page;
}

/** Types a line into the shell panel and waits until its transcript echoes it. */
export async function typeLine(page: Page, line: string): Promise<void> {
  await page.fill('#shell-input', line);
  await page.press('#shell-input', 'Enter');
  await page.waitForFunction((l) => document.querySelector('.shell pre')!.textContent!.includes(`> ${l}`), line);
}

/** Waits until the story log tells `line`: the views follow the engine at most every 100 ms, so a line shows a moment after its effect. */
export async function storyTells(page: Page, line: string): Promise<void> {
  await page.waitForFunction((l) => !!document.querySelector('.story')?.textContent?.includes(l), line);
}
