/**
 * The sandbox a page shows: one broker, the shell on it, the agents, the
 * animation's projection, and the controls of time (play, pause, step,
 * speed, and a timeline to scrub back and replay from).
 *
 * Time is the broker's virtual clock. Playing advances it with wall-clock
 * time × speed, so agents, TTLs and the animation all move together; pausing
 * stops all of them. Scrubbing back shows the recorded story up to that
 * moment; acting or playing from there rewinds the broker to it (the latest
 * snapshot before it, then the shell lines typed since) and goes on.
 */
import { Broker, DEFAULT_START_TIME } from '../core/broker.ts';
import type { BrokerSnapshot } from '../core/snapshot.ts';
import type { StampedEvent } from '../core/events.ts';
import type { EngineBackend } from '../shell/engine-backend.ts';
import type { ShellSession } from '../shell/session.ts';
import type { AgentState } from './model/agents.ts';
import type { RecordingAgents } from '../scenario/recording-agents.ts';
import type { AgentOp, Scenario, Step } from '../scenario/format.ts';
import { SCENARIO_FORMAT, SCENARIO_VERSION } from '../scenario/version.ts';
import { Projection } from './model/projection.ts';
import type { ChannelHistory, ChannelStatus } from './model/channel-status.ts';
import { StoryLog, type StoryLine } from './model/story-log.ts';
import type { MessageStories, MessageStory } from './model/message-story.ts';

export type { StoryLine };

/**
 * Playing takes a checkpoint at most every CHECKPOINT_EVERY_MS of virtual
 * time, and only once the engine has worked CHECKPOINT_WORK_RATIO times as
 * long as the last snapshot took: a rewind replays from the last one, and
 * replaying quiet time is nearly free, while a snapshot of a broker holding
 * 10,000 messages is a long task of its own.
 */
const CHECKPOINT_EVERY_MS = 2000;
const CHECKPOINT_WORK_RATIO = 10;

/** The story log's views follow at most this often (real ms) unless a person acted. */
const STORY_EVERY_MS = 250;

interface Checkpoint {
  time: number;
  broker: BrokerSnapshot;
  agents: AgentState[];
  /** Inputs before this checkpoint. */
  inputs: number;
  /** Events before this checkpoint. */
  events: number;
  counter: number;
}

/** A recorded input: a shell line or an agent action, at its virtual time. */
type Input = { time: number; line: string } | { time: number; agent: AgentOp };

export type Selection = { kind: 'message'; id: number } | { kind: 'exchange' | 'queue' | 'consumer' | 'client'; id: string };

export const SPEEDS = [0.1, 0.25, 0.5, 1, 2, 5, 10];

/**
 * Engine work a frame may do: it stops this many ms after the frame began
 * (the animation frame's own timestamp, so whatever ran before the tick
 * counts). The rest of the 16.7 ms goes to drawing the flights, style,
 * layout, paint and commit, and to being preempted on a busy machine.
 */
export const FRAME_BUDGET_MS = 6;

/**
 * The same in a frame where the views Svelte draws follow too: they take
 * the rest (new story lines, counts, their layout), so the engine gets only
 * its least slice.
 */
export const VIEW_FRAME_BUDGET_MS = 1;

/** The engine's least slice of a frame however late the tick starts: a burst always moves on. */
export const MIN_ENGINE_MS = 1;

/**
 * While playing, the views made by Svelte (nodes, counts, the clock) follow
 * the world at most this often (real ms); the canvas follows every frame.
 */
export const VIEW_EVERY_MS = 100;

/** A budget of `ms` real milliseconds from now: asked between clock timers, says when to stop. */
export function realBudget(ms = FRAME_BUDGET_MS): () => boolean {
  const end = performance.now() + ms;
  return () => performance.now() > end;
}

export interface SandboxOptions {
  seed?: number;
  startTime?: number;
  /** Makes the budget for one slice of engine work of about `ms` (a frame's); tests pass fixed ones. */
  budget?: (ms: number) => () => boolean;
}

export class Sandbox {
  broker: Broker;
  /**
   * The shell on the broker and the agents, there once `open()` resolves:
   * their code loads with it (src/ui/sandbox-tools.ts, a dynamic import), so
   * an embedded playground draws before it arrives.
   */
  backend!: EngineBackend;
  session!: ShellSession;
  agents!: RecordingAgents;
  /** Set when the shell and agents are there (views that read them wait for it). */
  ready = $state(false);
  private tools!: typeof import('./sandbox-tools.ts');
  readonly seed: number;
  projection = new Projection();

  /** Bumped when the viewed world changed: views re-read the projection then. */
  version = $state(0);
  playing = $state(true);
  speed = $state(1);
  /** The virtual time on screen, as views show it (updated at most every VIEW_EVERY_MS while playing). */
  now = $state(DEFAULT_START_TIME);
  /** The virtual time on screen, exactly, every frame: what the canvas draws (not reactive). */
  time = DEFAULT_START_TIME;
  /** Real ms played since the views last followed. */
  private sinceShown = 0;
  /** The latest virtual time the broker reached (the end of the timeline). */
  end = $state(DEFAULT_START_TIME);
  /** Set while looking at an earlier moment. */
  reviewing = $state<number | null>(null);
  transcript = $state<string[]>([]);
  /** The whole story (not reactive: views read windows of it and follow `storyLength`). */
  readonly storyLog = new StoryLog();
  /** The story's length as views show it (follows the log at most every STORY_EVERY_MS). */
  storyLength = $state(0);
  private storyFlushedAt = -Infinity;
  selected = $state<Selection | null>(null);
  /** Each channel as its xstate machine says (keyed like the projection's channels), at the time on screen. */
  // Replaced whole at each reading, never mutated: a plain map in raw state.
  // eslint-disable-next-line svelte/prefer-svelte-reactivity
  channels = $state.raw<ReadonlyMap<string, ChannelStatus>>(new Map());
  /** Readings of the channels (from `open()` on: there are no channels before the shell connects). */
  private channelHistory: ChannelHistory | null = null;
  busy = $state(false);

  readonly start: number;
  private events: StampedEvent[] = [];
  private inputs: Input[] = [];
  /** Shell lines to run when the clock reaches their time (a script playing), and the next one. */
  private scheduled: Array<{ at: number; line: string }> = [];
  private nextScheduled = 0;
  private checkpoints: Checkpoint[] = [];
  private unsubscribe: () => void = () => {};
  private replaying = false;
  private readonly budget: (ms?: number) => () => boolean;
  /** Called with the restored broker when a rewind replaces it (clients holding the old one take it back). */
  readonly onRewind: Array<(broker: Broker) => void> = [];

  constructor(options: SandboxOptions = {}) {
    const budget = options.budget ?? realBudget;
    this.budget = (ms = FRAME_BUDGET_MS) => budget(ms);
    this.seed = options.seed ?? 1;
    this.broker = new Broker({ seed: this.seed, startTime: options.startTime });
    this.start = this.broker.now;
    this.now = this.end = this.time = this.start;
    this.listen();
  }

  /** Loads the shell and the agents, connects the shell (the seed's connect lines) and shows the first prompt. */
  async open(): Promise<void> {
    const { EngineBackend, ShellSession, RecordingAgents, ChannelHistory } = (this.tools = await import('./sandbox-tools.ts'));
    this.channelHistory = new ChannelHistory();
    this.agents = new RecordingAgents(
      this.broker,
      (said) => {
        // A replay says again what was already told.
        if (!this.replaying) this.storyLog.note(this.broker.now, said);
      },
      (agent) => {
        if (this.replaying) return;
        this.checkpoint();
        this.inputs.push({ time: this.broker.now, agent });
      },
    );
    this.backend = new EngineBackend(this.broker);
    this.session = new ShellSession(this.backend, (line) => {
      if (!this.replaying) this.transcript.push(line);
    });
    // A shell `sleep` over busy agents runs in slices, the page drawing between them.
    this.backend.pace = { budget: this.budget, pause: () => this.breathe() };
    this.ready = true;
    await this.session.start();
    this.checkpoint();
  }

  /** Runs a shell line (typed, or made by a UI action) and records it; returns what the shell printed for it. */
  async run(line: string): Promise<string[]> {
    if (this.reviewing !== null) await this.resume();
    this.busy = true;
    try {
      // What is still due at this instant (a burst's remaining chunks) happens before the line, as a replay will have it.
      while (!this.broker.advance(0, this.budget())) await this.breathe();
      this.checkpoint();
      this.inputs.push({ time: this.broker.now, line });
      if (!line.trim().startsWith('#') && line.trim()) this.transcript.push(`${this.session.prompt}${line}`);
      const from = this.transcript.length;
      await this.session.execute(line);
      this.sync();
      return this.transcript.slice(from);
    } finally {
      this.busy = false;
    }
  }

  /**
   * A person's action on the agents (add, start, ack, crash…), from the
   * moment on screen: while reviewing an earlier moment the broker first
   * goes back to it, so the action (recorded with its time) is one a
   * replay keeps. Synchronous when nothing is under review.
   */
  onAgents(fn: (agents: RecordingAgents) => void): void | Promise<void> {
    const apply = () => {
      fn(this.agents);
      this.touch();
      this.sync();
    };
    if (this.reviewing === null) return apply();
    return this.resume().then(apply);
  }

  /**
   * Runs a UI action that uses the engine directly rather than a shell line
   * (the Celery panel): from the moment on screen, and remembered with a
   * checkpoint after it, so a rewind to a later moment keeps what it did.
   */
  async act<T>(fn: () => T): Promise<T> {
    if (this.reviewing !== null) await this.resume();
    const result = fn();
    this.checkpoint();
    this.sync();
    return result;
  }

  /**
   * Called once per animation frame with the real milliseconds since the
   * last. Engine work stops at the frame's budget, between two timers: what
   * is left (a big burst) goes on next frame, time on screen standing still
   * meanwhile. Paused, only what is due at this instant goes on. A frame
   * where the views follow (every VIEW_EVERY_MS) gives the engine less.
   * `frameStart` (the animation frame's timestamp, performance.now()'s
   * clock) makes the budget count from the frame's beginning.
   */
  tick(realMs: number, frameStart?: number): void {
    if (this.reviewing !== null || this.busy) return;
    // A checkpoint due since the last frame comes first (at the same broker time): the engine gets what is left of this frame.
    if (this.checkpointDue) this.checkpoint();
    // The story's new lines follow in the frame after the other views, so that the two never share a frame.
    const tell = this.storyDue;
    if (tell) {
      this.storyDue = false;
      this.flushStory();
    }
    const show = !tell && this.sinceShown + realMs >= VIEW_EVERY_MS;
    const started = performance.now();
    const spent = frameStart === undefined ? 0 : Math.max(0, started - frameStart);
    const budget = () => this.budget(Math.max(MIN_ENGINE_MS, (show || tell ? VIEW_FRAME_BUDGET_MS : FRAME_BUDGET_MS) - spent));
    if (this.playing) {
      const step = Math.max(0, Math.min(realMs, 250)) * this.speed;
      const due = this.scheduled[this.nextScheduled];
      if (due && due.at <= this.broker.now + step) {
        // A scheduled line is due this frame: time goes to it, then the line runs.
        this.broker.advance(Math.max(0, due.at - this.broker.now), budget());
        if (this.broker.now >= due.at) {
          this.nextScheduled++;
          void this.run(due.line);
          return;
        }
      } else this.broker.advance(step, budget());
    } else if (this.broker.clock.nextAt <= this.broker.now) this.broker.advance(0, budget());
    else return;
    this.workSinceCheckpoint += performance.now() - started;
    const since = this.broker.now - (this.checkpoints.at(-1)?.time ?? 0);
    this.checkpointDue = since > CHECKPOINT_EVERY_MS && this.workSinceCheckpoint >= CHECKPOINT_WORK_RATIO * this.snapshotMs;
    this.sinceShown += realMs;
    this.sync(show, false);
    this.storyDue = show && this.storyWaiting();
  }

  /** The story's new lines are for the next frame (see tick). */
  private storyDue = false;

  play(): void {
    if (this.reviewing !== null) void this.resume();
    this.playing = true;
  }

  pause(): void {
    this.playing = false;
  }

  /** Paused: moves time to the next thing that changes on screen. */
  step(): void {
    if (this.reviewing !== null) {
      const next = this.projection.nextChangeAfter(this.reviewing);
      if (next !== null) this.scrubTo(Math.min(next, this.end));
      return;
    }
    this.playing = false;
    const due = this.scheduled[this.nextScheduled];
    const next = Math.min(this.projection.nextChangeAfter(this.broker.now) ?? Infinity, this.broker.clock.nextAt, due?.at ?? Infinity);
    if (next === Infinity) return;
    this.broker.advance(next - this.broker.now);
    if (due && due.at <= this.broker.now) {
      this.nextScheduled++;
      void this.run(due.line);
      return;
    }
    this.sync();
  }

  setSpeed(speed: number): void {
    this.speed = Math.min(10, Math.max(0.1, speed));
  }

  /** Shows the world as it was at `time` (between start and end). */
  scrubTo(time: number): void {
    const t = Math.max(this.start, Math.min(time, this.end));
    if (t >= this.end) {
      this.reviewing = null;
      this.rebuild(this.end);
      return;
    }
    this.playing = false;
    this.reviewing = t;
    this.rebuild(t);
  }

  /**
   * Leaves review: the broker goes back to the moment on screen (the
   * latest checkpoint before it, then the lines typed since), and the
   * story after it is forgotten.
   */
  async resume(): Promise<void> {
    const t = this.reviewing;
    if (t === null) return;
    const cp = [...this.checkpoints].reverse().find((c) => c.time <= t) ?? this.checkpoints[0];
    this.replaying = true;
    try {
      this.unsubscribe();
      this.broker = Broker.restore(cp.broker);
      this.events = this.events.slice(0, cp.events);
      this.listen();
      this.backend.rebind(this.broker);
      this.agents.restore(this.broker, cp.agents);
      for (const rebind of this.onRewind) rebind(this.broker);
      this.session.counter = cp.counter;
      const replay = this.inputs.slice(cp.inputs).filter((i) => i.time <= t);
      this.inputs = this.inputs.slice(0, cp.inputs);
      this.checkpoints = this.checkpoints.filter((c) => c.time <= cp.time);
      for (const input of replay) {
        this.broker.advance(input.time - this.broker.now);
        this.inputs.push(input);
        if ('line' in input) await this.session.execute(input.line);
        else this.tools.applyAgentOp(this.agents, input.agent);
      }
      this.broker.advance(t - this.broker.now);
      this.nextScheduled = this.scheduled.filter((s) => s.at <= t).length;
    } finally {
      this.replaying = false;
    }
    this.reviewing = null;
    this.channelHistory?.forgetAfter(t);
    this.storyLog.forgetAfter(t);
    this.flushStory(true);
    this.rebuild(t);
    this.end = t;
  }

  /** Whether scheduled lines are still to run. */
  get scriptDone(): boolean {
    return this.nextScheduled >= this.scheduled.length;
  }

  /**
   * Schedules shell lines to run `gap` ms of virtual time apart, the first
   * `gap` ms from now (comments and blank lines are skipped).
   */
  schedule(lines: string[], gap: number): void {
    let at = this.broker.now;
    for (const line of lines) if (line.trim() && !line.trim().startsWith('#')) this.scheduled.push({ at: (at += gap), line });
  }

  /** What was done here, as a scenario that replays to this state. */
  toScenario(extras: Record<string, unknown> = {}): Scenario {
    const steps = this.inputs.map((i): Step => ('line' in i ? { at: i.time - this.start, line: i.line } : { at: i.time - this.start, agent: i.agent }));
    return { format: SCENARIO_FORMAT, version: SCENARIO_VERSION, seed: this.seed, steps, end: this.end - this.start, extras };
  }

  /**
   * A fresh sandbox that replays a (validated) scenario: the same lines and
   * agent actions at the same virtual times, so the same state, transcript
   * and story, at the scenario's end; time goes on from there as it did.
   */
  static async fromScenario(scenario: Scenario): Promise<Sandbox> {
    const sandbox = new Sandbox({ seed: scenario.seed });
    await sandbox.open();
    for (const step of scenario.steps) {
      sandbox.advanceTo(sandbox.start + step.at);
      if ('line' in step) await sandbox.run(step.line);
      else sandbox.tools.applyAgentOp(sandbox.agents, step.agent);
    }
    sandbox.advanceTo(sandbox.start + scenario.end);
    sandbox.flushStory(true);
    return sandbox;
  }

  /** Moves the clock forward to `time`, with the checkpoints playing would have taken. */
  private advanceTo(time: number): void {
    while (this.broker.now < time) {
      this.broker.advance(Math.min(2000, time - this.broker.now));
      this.checkpoint();
    }
    this.sync();
  }

  /** The shell lines run so far, in order (the scenario the bridge exports as code). */
  get script(): string[] {
    return this.inputs.flatMap((i) => ('line' in i ? [i.line] : []));
  }

  /** The agents' list changed (views re-read it). */
  touch(): void {
    this.version++;
  }

  /** Between two slices of engine work: the screen catches up and the page gets a turn. */
  private breathe(): Promise<void> {
    if (!this.replaying) this.sync();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  private listen(): void {
    this.broker.events.routeDetail = true;
    this.unsubscribe = this.broker.subscribe((e) => {
      this.events.push(e);
      this.projection.apply(e);
      if (!this.replaying) this.storyLog.event(e);
    });
  }

  /** Shows the story's new lines: at most four times a second unless forced. */
  flushStory(force = false): void {
    if (force ? this.storyLength === this.storyLog.length : !this.storyWaiting()) return;
    this.storyFlushedAt = performance.now();
    this.storyLength = this.storyLog.length;
  }

  /** Whether the story has new lines that flushStory() would show now. */
  private storyWaiting(): boolean {
    return this.storyLength !== this.storyLog.length && performance.now() - this.storyFlushedAt >= STORY_EVERY_MS;
  }

  /** A message's routes and history up to the moment on screen (read from the recorded events). */
  messageStory(id: number): MessageStory {
    this.messageStories ??= new this.tools.MessageStories();
    return this.messageStories.of(this.events, id, this.reviewing ?? Infinity);
  }

  /** Made when first asked (by the inspector, after `open()` brought its code). */
  private messageStories: MessageStories | null = null;

  /** Lines of the story, `from` (inclusive) to `to` (exclusive), in words when read. */
  storyLines(from = 0, to = this.storyLog.length): StoryLine[] {
    return this.storyLog.lines(from, to);
  }

  /** Brings the screen up to the broker's time: the canvas always, the views when `show` (or a person acted). */
  private sync(show = true, story = show): void {
    this.time = this.broker.now;
    this.projection.advanceTo(this.time);
    if (story) this.flushStory();
    if (!show) return;
    this.sinceShown = 0;
    this.end = this.time;
    this.now = this.time;
    if (this.channelHistory) this.channels = this.channelHistory.record(this.time, this.tools.readChannels(this.broker));
    if (this.projection.version !== this.seenVersion) {
      this.seenVersion = this.projection.version;
      this.version++;
    }
  }

  private seenVersion = -1;

  /** A fresh projection of the recorded events up to `time`. */
  private rebuild(time: number): void {
    const p = new Projection();
    p.hop = this.projection.hop;
    for (const e of this.events) {
      if (e.time > time) break;
      p.apply(e);
    }
    p.advanceTo(time);
    this.projection = p;
    this.now = this.time = time;
    // Replaced whole, never mutated (as `channels` always is).
    // eslint-disable-next-line svelte/prefer-svelte-reactivity
    this.channels = this.channelHistory?.at(time) ?? new Map();
    this.seenVersion = p.version;
    this.version++;
  }

  /** Real ms of engine work in frames since the last checkpoint, and how long the last snapshot took. */
  private workSinceCheckpoint = 0;
  private snapshotMs = 0;
  /** A periodic checkpoint is due: the next frame takes it before any engine work (a snapshot of 10,000 waiting messages is ~10 ms). */
  private checkpointDue = false;

  private checkpoint(): void {
    const started = performance.now();
    this.checkpointDue = false;
    const broker = this.broker.snapshot();
    this.snapshotMs = performance.now() - started;
    this.workSinceCheckpoint = 0;
    this.checkpoints.push({
      time: this.broker.now,
      broker,
      agents: this.agents?.save() ?? [],
      inputs: this.inputs.length,
      events: this.events.length,
      counter: this.session?.counter ?? 1,
    });
    if (this.checkpoints.length > 500) this.checkpoints.splice(1, 1);
  }
}
