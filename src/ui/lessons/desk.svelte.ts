/**
 * The lessons on the page: which workshop is loaded, which lesson is open
 * (or none: the free sandbox), the sandbox it runs on, its goals as they
 * are met, hints shown, progress kept in the browser, "show me", and
 * presenter mode.
 *
 * Opening or resetting a lesson gives it a fresh sandbox and runs its setup
 * there; the views are keyed on `sandbox`, so they follow. Switching the
 * language changes only the text: the sandbox, the goals met and the
 * progress stay.
 */
import { CeleryDriver } from '../../lessons/celery-driver.ts';
import { loadBuiltin } from '../../lessons/builtin.ts';
import { runStep } from '../../lessons/runner.ts';
import { parseStep, type Step } from '../../lessons/steps.ts';
import { GoalTracker } from '../../lessons/tracker.ts';
import { LESSON_LANGS, type Lesson, type LessonLang, type LessonText } from '../../lessons/types.ts';
import { filesWorkshop, pageRequest, urlWorkshop, type Workshop } from '../../lessons/workshop.ts';
import { Sandbox } from '../sandbox.svelte.ts';
import { SandboxHost } from './host.ts';
import { Player } from './player.svelte.ts';
import { clearProgress, loadProgress, saveProgress, type Progress } from './progress.ts';

export class LessonDesk {
  workshop = $state.raw<Workshop | null>(null);
  /** A workshop that could not load at all (no index, network). */
  loadError = $state<string | null>(null);
  /** The open lesson's index, or -1 in the free sandbox. */
  index = $state(-1);
  sandbox = $state.raw<Sandbox>(new Sandbox({ seed: 1 }));
  /** Which goals of the open lesson are met. */
  status = $state.raw<boolean[]>([]);
  progress = $state.raw<Progress>({ done: [], current: null, hints: {}, free: false });
  presenting = $state(false);
  /** The last Celery step's output error, if it failed. */
  celeryError = $state<string | null>(null);
  celerySource = $state('');
  busy = $state(false);
  readonly player = new Player((step) => this.runStep(step).then(() => undefined));
  private celery = new CeleryDriver();
  private tracker: GoalTracker | null = null;
  private opening = 0;

  get lesson(): Lesson | null {
    return this.workshop?.lessons[this.index] ?? null;
  }

  /** The lesson's text in `lang`, else in the language it has. */
  text(lang: LessonLang): { text: LessonText; lang: LessonLang } | null {
    const l = this.lesson;
    if (!l) return null;
    const have = l.text[lang] ? lang : LESSON_LANGS.find((x) => l.text[x]);
    return have ? { text: l.text[have]!, lang: have } : null;
  }

  get usesCelery(): boolean {
    const l = this.lesson;
    return !!l && (Object.keys(l.celeryConfigs).length > 0 || [...l.setup, ...l.solution].some((s) => s.kind.startsWith('celery')));
  }

  get complete(): boolean {
    return this.status.length > 0 && this.status.every(Boolean);
  }

  get hintsShown(): number {
    const l = this.lesson;
    return l ? (this.progress.hints[l.id] ?? 0) : 0;
  }

  private get key(): string {
    return this.workshop?.origin ?? 'builtin';
  }

  /** Reads ?workshop=, ?lesson= and ?present, loads the workshop and opens where the learner was. */
  /**
   * Whether this page load reopens a lesson: one the URL asks for, or the
   * built-in lesson the learner was in. Then the lesson's own start state
   * wins over a sandbox saved in the browser, and the lesson stays open.
   */
  static reopensLesson(search: string): boolean {
    const wanted = pageRequest(search);
    if (wanted.workshop !== null || wanted.lesson !== null) return true;
    const progress = loadProgress('builtin');
    return !progress.free && progress.current !== null;
  }

  async boot(search: string): Promise<void> {
    const wanted = pageRequest(search);
    this.presenting = wanted.present;
    const url = wanted.workshop;
    await this.use(url ? () => urlWorkshop(url, location.href) : loadBuiltin, wanted.lesson);
  }

  async openUrl(url: string): Promise<void> {
    await this.use(() => urlWorkshop(url, location.href), null);
  }

  async openFiles(files: Iterable<File>): Promise<void> {
    await this.use(() => filesWorkshop(files), null);
  }

  async openBuiltin(): Promise<void> {
    await this.use(loadBuiltin, null);
  }

  private async use(load: () => Promise<Workshop>, lessonId: string | null): Promise<void> {
    this.loadError = null;
    let w: Workshop;
    try {
      w = await load();
    } catch (e) {
      this.loadError = (e as Error).message;
      return;
    }
    this.player.stop();
    this.workshop = w;
    this.progress = loadProgress(w.origin);
    // A first visit starts in the free sandbox with the list open; later visits where the learner was.
    const wanted = lessonId ?? (this.progress.free ? null : this.progress.current);
    const i = w.lessons.findIndex((l) => l.id === wanted);
    if (i >= 0) await this.open(i);
    else if (lessonId !== null && w.lessons.length) await this.open(0);
    else this.free();
  }

  /** Opens lesson `i` on a fresh sandbox, with its setup run. */
  async open(i: number): Promise<void> {
    const lesson = this.workshop?.lessons[i];
    if (!lesson) return;
    const ticket = ++this.opening;
    this.player.stop();
    this.busy = true;
    try {
      this.tracker?.detach();
      this.tracker = null;
      this.index = i;
      this.status = lesson.goals.map(() => false);
      this.celeryError = null;
      this.celery = new CeleryDriver(lesson.seed);
      this.celerySource = '';
      const sandbox = new Sandbox({ seed: lesson.seed });
      await sandbox.open();
      this.sandbox = sandbox;
      for (const step of lesson.setup) {
        if (ticket !== this.opening) return;
        await this.runStep(step);
      }
      if (ticket !== this.opening) return;
      this.tracker = new GoalTracker(lesson.goals);
      this.tracker.attach(sandbox.broker);
      this.save({ current: lesson.id, free: false });
      this.refresh();
    } finally {
      if (ticket === this.opening) this.busy = false;
    }
  }

  reset(): Promise<void> {
    return this.open(this.index);
  }

  next(): Promise<void> {
    return this.open(Math.min(this.index + 1, (this.workshop?.lessons.length ?? 1) - 1));
  }

  previous(): Promise<void> {
    return this.open(Math.max(this.index - 1, 0));
  }

  /** Leaves lessons; the sandbox stays as it is. */
  free(): void {
    this.player.stop();
    this.tracker?.detach();
    this.tracker = null;
    this.index = -1;
    this.status = [];
    this.save({ free: true });
  }

  /** Resets the lesson, then types its solution. */
  async showMe(): Promise<void> {
    const lesson = this.lesson;
    if (!lesson) return;
    await this.reset();
    this.player.load(lesson.solution);
    this.player.play();
  }

  hint(): void {
    const l = this.lesson;
    if (!l) return;
    const most = Math.max(...LESSON_LANGS.map((x) => l.text[x]?.hints.length ?? 0));
    this.save({ hints: { ...this.progress.hints, [l.id]: Math.min(this.hintsShown + 1, most) } });
  }

  resetProgress(): void {
    this.progress = clearProgress(this.key);
    if (this.lesson) this.save({ current: this.lesson.id });
  }

  /** Re-checks the goals (after anything changed); marks the lesson done when all are met. */
  refresh(): void {
    const lesson = this.lesson;
    if (!lesson || !this.tracker) return;
    this.tracker.attach(this.sandbox.broker); // again after a rewind replaced the broker
    const now = this.tracker.status();
    if (now.some((m, i) => m !== this.status[i])) this.status = now;
    if (now.every(Boolean) && !this.progress.done.includes(lesson.id)) this.save({ done: [...this.progress.done, lesson.id] });
  }

  /** A step typed or clicked by the learner: the Celery box's line, Restart broker. */
  async act(line: string): Promise<void> {
    let step: Step;
    try {
      step = parseStep(line, 0);
    } catch (e) {
      this.celeryError = (e as Error).message;
      return;
    }
    if (step.kind === 'shell') await this.sandbox.run(line);
    else await this.runStep(step);
  }

  /** Loads a configuration the learner edited. */
  loadCelery(source: string): void {
    const host = new SandboxHost(this.sandbox);
    this.celeryError = null;
    try {
      host.note(['celery config', ...this.celery.load(source, this.sandbox.broker)]);
      this.celerySource = source;
    } catch (e) {
      this.celeryError = CeleryDriver.describe(e).replace(/^-> celery: /, '');
      host.note([`-> celery: ${this.celeryError}`]);
    }
    this.refresh();
  }

  private async runStep(step: Step): Promise<boolean> {
    const host = new SandboxHost(this.sandbox);
    const ok = await runStep(step, this.lesson ?? { celeryConfigs: {} }, host, this.celery);
    if (step.kind.startsWith('celery')) {
      this.celerySource = this.celery.source;
      this.celeryError = ok ? null : (this.sandbox.transcript.at(-1) ?? '').replace(/^-> celery: /, '');
    }
    this.refresh();
    return ok;
  }

  private save(change: Partial<Progress>): void {
    this.progress = { ...this.progress, ...change };
    saveProgress(this.key, this.progress);
  }
}
