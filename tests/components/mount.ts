/**
 * Mounting a view in jsdom: the component on a fresh sandbox (or the
 * one given), flushed, and helpers to act as a person would.
 */
import { flushSync, mount, unmount, type Component } from 'svelte';
import { afterEach } from 'vitest';
import { Sandbox } from '../../src/ui/sandbox.svelte.ts';

const mounted: Array<() => void> = [];

// jsdom lays nothing out, so it has no scrolling; the shell panel scrolls its transcript.
Element.prototype.scrollTo ??= function scrollTo() {};

afterEach(() => {
  while (mounted.length) mounted.pop()!();
  document.body.innerHTML = '';
});

export function render<P extends Record<string, unknown>>(component: Component<P>, props: P): HTMLElement {
  const target = document.createElement('div');
  document.body.appendChild(target);
  const app = mount(component, { target, props });
  mounted.push(() => unmount(app));
  flushSync();
  return target;
}

export async function openSandbox(lines: string[] = []): Promise<Sandbox> {
  const s = new Sandbox({ seed: 1 });
  await s.open();
  for (const line of lines) await s.run(line);
  return s;
}

/** Lets time pass on the sandbox (frames of 100 ms) and flushes the views. */
export function play(s: Sandbox, ms: number): void {
  for (let t = 0; t < ms; t += 100) s.tick(100);
  flushSync();
}

export function click(el: Element | null): void {
  if (!el) throw new Error('nothing to click');
  (el as HTMLElement).click();
  flushSync();
}

/** Types into an input or picks in a select, as a person does (input and change events). */
export function fill(el: Element | null, value: string): void {
  if (!el) throw new Error('nothing to fill');
  const input = el as HTMLInputElement;
  if (el instanceof HTMLSelectElement) {
    const option = [...el.options].find((o) => o.value === value || o.text === value);
    if (!option) throw new Error(`no option ${value} in ${[...el.options].map((o) => o.value).join(', ')}`);
    for (const o of el.options) o.selected = o === option;
  } else input.value = value;
  input.dispatchEvent(new Event('input', { bubbles: true }));
  input.dispatchEvent(new Event('change', { bubbles: true }));
  flushSync();
}

/** The element whose text is exactly `text` (trimmed), among `selector`. */
export function byText(root: ParentNode, selector: string, text: string | RegExp): HTMLElement {
  const all = [...root.querySelectorAll<HTMLElement>(selector)];
  const found = all.find((e) => (typeof text === 'string' ? e.textContent!.trim() === text : text.test(e.textContent!)));
  if (!found) throw new Error(`no ${selector} with text ${text}: ${all.map((e) => JSON.stringify(e.textContent!.trim())).join(', ')}`);
  return found;
}

export const settle = () => new Promise((r) => setTimeout(r, 0)).then(() => flushSync());
