/**
 * The whole story of a sandbox, kept compact: one reference per line, to
 * the engine event it tells (put into words only when a line is shown) or
 * to what an agent said. A burst of 10,000 messages tells some 50,000
 * lines; they cost an array slot each, no sentence objects, and a view
 * reads any window of them (the latest, or a page further back).
 */
import type { StampedEvent } from '../../core/events.ts';
import { say, tell, tells, type Said } from './story.ts';

/** A line of the story, put into words when read (in the language of the moment). */
export interface StoryLine {
  /** Its place in the story, from 0: a stable key. */
  seq: number;
  time: number;
  /** What to say, kept as a key so that a language switch retells it. */
  said: Said;
  /** The sentence in the current language (reactive in a template). */
  readonly text: string;
}

type Entry = StampedEvent | { time: number; said: Said };

export class StoryLog {
  private entries: Entry[] = [];

  /** Lines told so far. */
  get length(): number {
    return this.entries.length;
  }

  /** Takes an engine event: a line if it tells something. */
  event(e: StampedEvent): void {
    if (tells(e)) this.entries.push(e);
  }

  /** A line said by someone other than the engine (an agent). */
  note(time: number, said: Said): void {
    this.entries.push({ time, said });
  }

  /** How many lines were told by `time` (lines are in time order). */
  countUpTo(time: number): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.entries[mid].time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Forgets the lines told after `time` (a rewind). */
  forgetAfter(time: number): void {
    this.entries.length = this.countUpTo(time);
  }

  /** Lines `from` (inclusive) to `to` (exclusive). */
  lines(from = 0, to = this.entries.length): StoryLine[] {
    const out: StoryLine[] = [];
    for (let i = Math.max(0, from); i < Math.min(to, this.entries.length); i++) out.push(line(i, this.entries[i]));
    return out;
  }
}

function line(seq: number, entry: Entry): StoryLine {
  const said = 'said' in entry ? entry.said : tell(entry)!;
  return {
    seq,
    time: entry.time,
    said,
    get text() {
      return say(said);
    },
  };
}
