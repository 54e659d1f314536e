/**
 * "Show me": types a lesson's solution into the shell a character at a
 * time and runs each line, with play, pause, one step and speed. Wall-clock
 * timers (this is the page, not the engine); the broker runs on its own
 * clock as usual.
 */
import type { Step } from '../../lessons/steps.ts';

export const PLAYER_SPEEDS = [0.5, 1, 2, 4];

export class Player {
  /** The line being typed (shown in the shell's input), or null. */
  typing = $state<string | null>(null);
  playing = $state(false);
  /** Index of the next step to run. */
  next = $state(0);
  total = $state(0);
  speed = $state(1);
  private steps: readonly Step[] = [];
  private timer: ReturnType<typeof setTimeout> | null = null;
  private running = false;

  constructor(private readonly run: (step: Step) => Promise<void>) {}

  get active(): boolean {
    return this.total > 0 && this.next < this.total;
  }

  load(steps: readonly Step[]): void {
    this.stop();
    this.steps = steps;
    this.next = 0;
    this.total = steps.length;
  }

  play(): void {
    if (!this.active) return;
    this.playing = true;
    this.schedule();
  }

  pause(): void {
    this.playing = false;
    this.clear();
  }

  toggle(): void {
    if (this.playing) this.pause();
    else this.play();
  }

  /** Runs the next line at once (finishing its typing). */
  async step(): Promise<void> {
    this.pause();
    await this.runNext();
  }

  faster(): void {
    const i = PLAYER_SPEEDS.indexOf(this.speed);
    this.speed = PLAYER_SPEEDS[Math.min(PLAYER_SPEEDS.length - 1, i + 1)];
  }

  slower(): void {
    const i = PLAYER_SPEEDS.indexOf(this.speed);
    this.speed = PLAYER_SPEEDS[Math.max(0, i - 1)];
  }

  stop(): void {
    this.pause();
    this.typing = null;
    this.total = 0;
    this.next = 0;
    this.steps = [];
  }

  private clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    this.clear();
    if (!this.playing || this.running) return;
    const step = this.steps[this.next];
    if (!step) {
      this.playing = false;
      this.typing = null;
      return;
    }
    const typed = this.typing ?? '';
    if (typed.length < step.source.length) {
      this.timer = setTimeout(() => {
        this.typing = step.source.slice(0, typed.length + 1);
        this.schedule();
      }, 35 / this.speed);
      return;
    }
    this.timer = setTimeout(() => void this.runNext().then(() => this.afterLine()), 250 / this.speed);
  }

  private afterLine(): void {
    if (!this.playing) return;
    this.timer = setTimeout(() => this.schedule(), 700 / this.speed);
  }

  private async runNext(): Promise<void> {
    const step = this.steps[this.next];
    if (!step || this.running) return;
    this.running = true;
    this.typing = step.source;
    try {
      this.next++;
      await this.run(step);
    } finally {
      this.running = false;
      this.typing = this.active ? '' : null;
    }
  }
}
