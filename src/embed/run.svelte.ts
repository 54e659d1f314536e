/**
 * One scenario playing in an embedded playground: a fresh sandbox, the
 * scenario's lines scheduled on its clock, its goals tracked, and the
 * host told when it is ready, finished, a goal is met, or it went wrong.
 * A new scenario (attribute change) makes a new run.
 */
import { Sandbox } from '../ui/sandbox.svelte.ts';
import type { EmbedOptions } from './options.ts';
import type { Emit } from './events.ts';
import type { GoalTracker } from '../lessons/tracker.ts';

/** Virtual time between two lines of a scenario: a message's hops are seen before the next line. */
export const LINE_GAP_MS = 1500;

export class PlaygroundRun {
  readonly sandbox = new Sandbox({ seed: 1 });
  /** Why the scenario cannot play, in words. */
  error = $state<string | null>(null);
  /** The scenario's goals and which are met. */
  goals = $state.raw<Array<{ source: string; met: boolean }>>([]);
  private lines = 0;
  private tracker: GoalTracker | null = null;
  /** What the host was told (each once); not state, no view reads it. */
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  private told = { finished: false, met: new Set<number>() };

  constructor(
    private readonly options: EmbedOptions,
    private readonly emit: Emit,
    private readonly base: string,
  ) {
    this.sandbox.playing = false;
    this.sandbox.setSpeed(options.speed);
  }

  /** Loads the shell and the scenario, checks it whole, and schedules it (playing if autoplay). */
  async start(): Promise<void> {
    try {
      const [, { parseScript, fetchScript }] = await Promise.all([this.sandbox.open(), import('./script.ts')]);
      const { scenario, src } = this.options;
      const text = scenario ?? (src ? await fetchScript(src, this.base) : '');
      const script = parseScript(text, this.options.goals);
      if (script.goals.length) {
        const { GoalTracker } = await import('../lessons/tracker.ts');
        this.tracker = new GoalTracker(script.goals);
        this.tracker.attach(this.sandbox.broker);
        this.sandbox.onRewind.push((broker) => this.tracker?.attach(broker));
        this.goals = script.goals.map((g) => ({ source: g.source, met: false }));
      }
      this.lines = script.lines.length;
      this.sandbox.schedule(script.lines, LINE_GAP_MS);
      this.emit('ready', { lines: this.lines, goals: script.goals.map((g) => g.source) });
      if (this.options.autoplay) this.sandbox.play();
      this.check();
    } catch (e) {
      this.error = (e as Error).message;
      this.emit('error', { message: this.error });
    }
  }

  /** After the world changed: tells goals newly met and the end of the scenario (each once). */
  check(): void {
    if (this.tracker) {
      const status = this.tracker.status();
      if (status.some((met, i) => met !== this.goals[i].met)) this.goals = this.goals.map((g, i) => ({ ...g, met: status[i] }));
      const met = status.filter(Boolean).length;
      status.forEach((ok, index) => {
        if (!ok || this.told.met.has(index)) return;
        this.told.met.add(index);
        this.emit('goal', { index, goal: this.goals[index].source, met, total: status.length });
      });
    }
    if (this.lines && !this.told.finished && this.sandbox.scriptDone && !this.sandbox.busy) {
      this.told.finished = true;
      this.emit('finished', { lines: this.lines });
    }
  }

  stop(): void {
    this.sandbox.pause();
    this.tracker?.detach();
  }
}
