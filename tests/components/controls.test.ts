import { describe, expect, it } from 'vitest';
import Controls from '../../src/ui/components/Controls.svelte';
import { byText, click, fill, openSandbox, play, render } from './mount.ts';

describe('Controls', () => {
  it('pauses and plays, steps, sets the speed, and scrubs the timeline back', async () => {
    const s = await openSandbox(['queue.declare q', "basic.publish m '' q"]);
    const view = render(Controls, { sandbox: s });
    expect(s.playing).toBe(true);
    click(byText(view, 'button', /Pause/));
    expect(s.playing).toBe(false);
    // Paused, the button offers to play.
    const play1 = byText(view, 'button', /Play/);
    const before = s.now;
    click(byText(view, 'button', /Step/));
    expect(s.now).toBeGreaterThan(before);
    click(play1);
    expect(s.playing).toBe(true);

    fill(view.querySelector('select'), '5');
    expect(s.speed).toBe(5);

    play(s, 1000);
    const clock = view.querySelector('.clock')!;
    expect(clock.textContent).toMatch(/^\d+\.\d s$/);
    const range = view.querySelector<HTMLInputElement>('input[type=range]')!;
    expect(Number(range.max)).toBe(s.end);
    fill(range, String(s.start));
    expect(s.reviewing).toBe(s.start);
    expect(s.playing).toBe(false);
    expect(clock.textContent).toContain('reviewing');
  });

  it('answers the space bar (play/pause) and "." (step), but not while typing in a field', async () => {
    const s = await openSandbox(['queue.declare q', "basic.publish m '' q"]);
    render(Controls, { sandbox: s });
    const key = (target: Element, k: string) => target.dispatchEvent(new KeyboardEvent('keydown', { key: k, bubbles: true }));
    key(document.body, ' ');
    expect(s.playing).toBe(false);
    const input = document.createElement('input');
    document.body.appendChild(input);
    key(input, ' ');
    key(input, '.');
    expect(s.playing).toBe(false);
    const before = s.now;
    key(document.body, '.');
    expect(s.now).toBeGreaterThan(before);
    key(document.body, ' ');
    expect(s.playing).toBe(true);
  });
});
