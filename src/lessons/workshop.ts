/**
 * A workshop: an index of lesson ids and each lesson's files, read from
 * anywhere — the lessons built into the page, a URL (`?workshop=URL`, the
 * folder holding index.txt), or files a trainer picked. A malformed lesson
 * is reported with its file and line; the others still load.
 */
import { parseIndex, readLesson } from './parse.ts';
import { LESSON_LANGS, LessonFormatError, type Lesson } from './types.ts';

export interface Workshop {
  title: string | null;
  /** Where it came from: 'builtin', a URL, or 'local files'. */
  origin: string;
  lessons: Lesson[];
  errors: LessonFormatError[];
}

export type ReadFile = (name: string) => Promise<string | null>;

const asFormatError = (e: unknown, file: string): LessonFormatError => (e instanceof LessonFormatError ? e : new LessonFormatError(file, 0, (e as Error).message));

export async function loadWorkshop(read: ReadFile, origin: string): Promise<Workshop> {
  const indexText = await read('index.txt').catch((e: unknown) => {
    throw asFormatError(e, 'index.txt');
  });
  if (indexText === null) throw new LessonFormatError('index.txt', 0, 'file not found: a workshop is a folder with an index.txt listing its lessons');
  const { title, ids } = parseIndex('index.txt', indexText);
  const lessons: Lesson[] = [];
  const errors: LessonFormatError[] = [];
  for (const id of ids) {
    try {
      lessons.push(await readLesson(id, read, LESSON_LANGS));
    } catch (e) {
      errors.push(asFormatError(e, `${id}.lesson.md`));
    }
  }
  return { title, origin, lessons, errors };
}

/** Files under a URL: `base` is the folder (a trailing index.txt is dropped). */
export function fetchReader(base: string, fetcher: typeof fetch = fetch): ReadFile {
  const folder = base.replace(/index\.txt$/, '').replace(/\/?$/, '/');
  return async (name) => {
    let res: Response;
    try {
      res = await fetcher(new URL(name, folder));
    } catch (e) {
      throw new LessonFormatError(name, 0, `could not fetch ${new URL(name, folder)}: ${(e as Error).message}`);
    }
    if (res.status === 404) return null;
    if (!res.ok) throw new LessonFormatError(name, 0, `could not fetch ${res.url || name}: HTTP ${res.status}`);
    return res.text();
  };
}

/** Files by name (a folder a trainer picked, or bundled files); paths are reduced to their last part. */
export function mapReader(files: ReadonlyMap<string, string> | Record<string, string>): ReadFile {
  const map = new Map<string, string>();
  for (const [path, text] of files instanceof Map ? files : Object.entries(files)) map.set(path.split('/').pop()!, text);
  return async (name) => map.get(name) ?? null;
}
