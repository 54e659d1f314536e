import { describe, expect, it } from 'vitest';
import Build from '../../src/ui/components/Build.svelte';
import { byText, click, fill, openSandbox, render, settle } from './mount.ts';

const submit = async (view: HTMLElement) => {
  view.querySelector('form')!.dispatchEvent(new Event('submit', { bubbles: true, cancelable: true }));
  await settle();
  await settle();
};

describe('Build', () => {
  it('shows the shell line a form makes, runs it, and declares the exchange', async () => {
    const s = await openSandbox();
    const view = render(Build, { sandbox: s });
    fill(view.querySelector('label input'), 'logs');
    fill(view.querySelector('select'), 'fanout');
    expect(view.querySelector('.line')!.textContent).toBe('exchange.declare logs fanout no no no no');
    await submit(view);
    expect(s.backend.names('exchange')).toContain('logs');
    expect(s.transcript.at(-2)).toBe('1> exchange.declare logs fanout no no no no');
    expect(view.querySelector('.outcome')!.textContent).toBe('ok.');
    expect(view.querySelector('.outcome')!.getAttribute('role')).toBe('status');
  });

  it("shows an error in RabbitMQ's words, and the broker keeps what it had", async () => {
    const s = await openSandbox(['exchange.declare logs direct']);
    const view = render(Build, { sandbox: s });
    fill(view.querySelector('label input'), 'logs');
    fill(view.querySelector('select'), 'fanout');
    await submit(view);
    const outcome = view.querySelector('.outcome.error')!;
    expect(outcome.getAttribute('role')).toBe('alert');
    expect(outcome.textContent).toBe(
      "Exchange.declare: (406) PRECONDITION_FAILED - inequivalent arg 'type' for exchange 'logs' in vhost '/': received 'fanout' but current is 'direct'",
    );
    expect(s.backend.names('exchange')).toContain('logs');
  });

  it('binds with headers arguments (x-match first) and hands a many-message publish to a producer agent', async () => {
    const s = await openSandbox(['exchange.declare reports headers', 'queue.declare pdf']);
    const view = render(Build, { sandbox: s });
    click(byText(view, '[role=tab]', 'bind'));
    const input = (label: RegExp) => byText(view, 'label', label).querySelector('input,select');
    fill(input(/^destination/), 'pdf');
    fill(input(/^to exchange/), 'reports');
    fill(input(/^headers/), 'format=pdf, lang=en');
    fill(input(/^x-match/), 'any');
    expect(view.querySelector('.line')!.textContent).toBe("queue.bind pdf reports '' --x-match=any --format=pdf --lang=en");
    await submit(view);
    expect(view.querySelector('.outcome')!.textContent).toBe('ok.');

    click(byText(view, '[role=tab]', 'publish'));
    fill(input(/^exchange/), 'reports');
    fill(input(/^how many/), '30');
    expect(view.querySelector('.line')!.textContent).toContain('… 29 more by a producer agent');
    await submit(view);
    const producer = s.agents.list.find((a) => a.kind === 'producer');
    expect(producer).toMatchObject({ exchange: 'reports', count: 30, interval: 0 });
  });
});
