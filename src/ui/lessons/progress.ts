/**
 * What a learner did, kept in the browser per workshop: the lessons done,
 * the lesson open, how many hints each lesson has shown. Storage that is
 * missing, full or forbidden only means progress lasts for this page.
 */
export interface Progress {
  done: string[];
  current: string | null;
  hints: Record<string, number>;
  /** Free sandbox mode: no lesson open. */
  free: boolean;
}

const empty = (): Progress => ({ done: [], current: null, hints: {}, free: false });

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

const keyOf = (workshop: string) => `warren.lessons.${workshop}`;

export function loadProgress(workshop: string): Progress {
  try {
    const raw = storage()?.getItem(keyOf(workshop));
    if (!raw) return empty();
    const p = JSON.parse(raw) as Partial<Progress>;
    return {
      done: Array.isArray(p.done) ? p.done.filter((x) => typeof x === 'string') : [],
      current: typeof p.current === 'string' ? p.current : null,
      hints: p.hints && typeof p.hints === 'object' ? Object.fromEntries(Object.entries(p.hints).filter(([, n]) => typeof n === 'number')) : {},
      free: p.free === true,
    };
  } catch {
    return empty();
  }
}

export function saveProgress(workshop: string, progress: Progress): void {
  try {
    storage()?.setItem(keyOf(workshop), JSON.stringify(progress));
  } catch {
    // Full or forbidden storage: progress lasts for this page only.
  }
}

export function clearProgress(workshop: string): Progress {
  try {
    storage()?.removeItem(keyOf(workshop));
  } catch {
    // As above.
  }
  return empty();
}
