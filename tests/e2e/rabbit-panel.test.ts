/**
 * The RabbitMQ panel in headless Chromium: definitions and code out of the
 * sandbox, a definitions file into it (and a malformed one refused, the
 * sandbox unchanged).
 */
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { readFileSync } from 'node:fs';
import { chromiumPath, openSandbox, siteAndBrowser, typeLine as type } from './browser.ts';

describe.skipIf(!chromiumPath)('the RabbitMQ panel', () => {
  const site = siteAndBrowser();
  const errors: string[] = [];

  async function open(): Promise<Page> {
    const page = await openSandbox(site.browser, site.url, errors, { viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    await page.evaluate(() => localStorage.setItem('warren.lang', 'en'));
    await page.getByRole('tab', { name: 'RabbitMQ' }).click();
    return page;
  }


  const names = (page: Page) => page.evaluate(() => [...(window as unknown as { warren: { broker: { queues: Map<string, unknown> } } }).warren.broker.queues.keys()]);

  it('exports the topology as definitions and the shell lines as code', async () => {
    const page = await open();
    await type(page, 'exchange.declare news topic');
    await type(page, "queue.declare 'say \"hi\" </script>'");
    await type(page, "queue.bind 'say \"hi\" </script>' news 'usa.#'");
    await type(page, 'basic.publish hello news usa.news');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Export definitions' }).click()]);
    expect(download.suggestedFilename()).toBe('warren-definitions.json');
    const definitions = JSON.parse(readFileSync((await download.path())!, 'utf8')) as { queues: Array<{ name: string }>; bindings: Array<{ routing_key: string }> };
    expect(definitions.queues.map((q) => q.name)).toEqual(['say "hi" </script>']);
    expect(definitions.bindings.map((b) => b.routing_key)).toEqual(['usa.#']);

    await page.getByRole('button', { name: 'Show code' }).click();
    const code = page.getByRole('textbox', { name: 'Generated code' });
    await expect.poll(() => code.inputValue()).toContain("await channel.bindQueue('say \"hi\" <\\/script>', 'news', 'usa.#');");
    await page.getByLabel('Client library').selectOption('pika');
    await page.getByRole('button', { name: 'Show code' }).click();
    await expect.poll(() => code.inputValue()).toContain("channel.basic_publish('news', 'usa.news', 'hello'.encode())");
    await page.screenshot({ path: '/tmp/warren-rabbit-panel-code.png' });
    await page.close();
  });

  it('imports a definitions file: the report, then the topology built line by line', async () => {
    const page = await open();
    const file = {
      rabbit_version: '3.10.8',
      users: [{ name: 'admin' }],
      policies: [{ name: 'ha', vhost: '/', pattern: '.*', definition: {} }],
      exchanges: [{ name: 'orders', vhost: '/', type: 'topic', durable: true, auto_delete: false, internal: false, arguments: {} }],
      queues: [
        { name: 'work', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-max-length': 10 } },
        { name: 'votes', vhost: '/', durable: true, auto_delete: false, arguments: { 'x-queue-type': 'quorum' } },
      ],
      bindings: [{ source: 'orders', vhost: '/', destination: 'work', destination_type: 'queue', routing_key: 'order.#', arguments: {} }],
    };
    await page.locator('input[type=file]').setInputFiles({ name: 'prod.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.getByText('Virtual host /: 1 exchanges, 1 queues, 1 bindings').waitFor();
    await page.getByText('Built in the sandbox: 3 shell lines.').waitFor();
    await page.getByText('queue votes: a quorum queue: Warren has classic queues only').waitFor();
    await page.getByText('users (1): users and password hashes: admin').waitFor();
    expect(await names(page)).toEqual(['work']);
    await page.locator('[aria-label="Exchange orders, type topic"]').waitFor();
    await page.screenshot({ path: '/tmp/warren-rabbit-panel-import.png' });

    const before = await names(page);
    await page.locator('input[type=file]').setInputFiles({ name: 'bad.json', mimeType: 'application/json', buffer: Buffer.from('{"queues": [{"name": "x", "arguments": {"x-max-length": "ten"}}]}') });
    await expect(page.getByRole('alert').textContent()).resolves.toBe('Not imported, the sandbox is unchanged: queues[0].arguments.x-max-length: expected a number, got a string');
    await page.locator('input[type=file]').setInputFiles({ name: 'clash.json', mimeType: 'application/json', buffer: Buffer.from('{"queues": [{"name": "work", "arguments": {}}]}') });
    await expect(page.getByRole('alert').textContent()).resolves.toBe("Not imported, the sandbox is unchanged: queue 'work' already exists in the sandbox with other properties");
    expect(await names(page)).toEqual(before);
    expect(errors).toEqual([]);
    await page.close();
  });
});
