/**
 * A lesson as the parser gives it: what to set up, which goals to check,
 * how to solve it (all language-neutral, from `<id>.lesson.md`), and its
 * text in each language (from `<id>.en.md`, `<id>.zh.md`).
 */
import type { Block, Inline } from './markdown.ts';
import type { Goal } from './goals.ts';
import type { Step } from './steps.ts';

export type LessonLang = 'en' | 'zh';
export const LESSON_LANGS: readonly LessonLang[] = ['en', 'zh'];

export interface LessonText {
  title: string;
  /** The explanation: paragraphs, lists and code blocks. */
  body: Block[];
  /** One line per goal, in the order of the goals block (may be empty: the goal's own line is shown). */
  goals: Inline[][];
  hints: Inline[][];
}

export interface Lesson {
  id: string;
  /** The broker's seed (server-made names replay identically). */
  seed: number;
  setup: Step[];
  goals: Goal[];
  solution: Step[];
  /** Named Celery configurations (Python) the steps load with `celery config NAME`. */
  celeryConfigs: Record<string, string>;
  text: Partial<Record<LessonLang, LessonText>>;
  /** The file the lesson came from, for messages. */
  file: string;
}

/** A malformed lesson file: what is wrong, and where. */
export class LessonFormatError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly detail: string,
  ) {
    super(`${file}:${line}: ${detail}`);
    this.name = 'LessonFormatError';
  }
}
