/**
 * What a binding's edge says, and where: a routing key or pattern on one
 * line, or a headers binding's arguments one per line (x-match first), in
 * a box placed on its edge and moved down off any label it would cover.
 */
import type { BindingRef } from '../../core/events.ts';
import { valueOf, type FieldValue } from '../../core/fields.ts';

/** Characters per label line before it is cut with an ellipsis (the whole label is its tooltip). */
export const LABEL_CHARS = 22;
/** The label font's advance and line height, in px (11px monospace). */
export const CHAR_W = 6.7;
export const LINE_H = 13;

function show(v: FieldValue | undefined): string {
  const plain = valueOf(v as FieldValue);
  return typeof plain === 'string' ? plain : JSON.stringify(plain);
}

/**
 * The lines of a binding's label. A headers exchange routes on the
 * arguments (x-match defaults to all), so they are the label; other types
 * route on the key, and arguments, if any, follow it.
 */
export function labelLines(b: BindingRef, exchangeType: string): string[] {
  const args = Object.entries(b.arguments).filter(([, v]) => v !== undefined);
  const pairs = args.filter(([k]) => k !== 'x-match').map(([k, v]) => `${k} = ${show(v)}`);
  const key = b.routingKey === '' ? "''" : b.routingKey;
  if (exchangeType === 'headers') {
    const match = args.find(([k]) => k === 'x-match');
    return [`x-match ${match ? show(match[1]) : 'all'}`, ...pairs];
  }
  const match = args.find(([k]) => k === 'x-match');
  return [key, ...(match ? [`x-match ${show(match[1])}`] : []), ...pairs];
}

/** A line cut to LABEL_CHARS with an ellipsis. */
export const cut = (line: string): string => (line.length > LABEL_CHARS ? `${line.slice(0, LABEL_CHARS - 1)}…` : line);

export interface LabelBox {
  id: string;
  /** Centre. */
  x: number;
  y: number;
  w: number;
  h: number;
}

/** The box a label of these lines needs, centred on (x, y). */
export function labelBox(id: string, lines: string[], x: number, y: number): LabelBox {
  const longest = Math.max(1, ...lines.map((l) => cut(l).length));
  return { id, x, y, w: longest * CHAR_W + 8, h: lines.length * LINE_H + 4 };
}

const overlap = (a: LabelBox, b: LabelBox) => Math.abs(a.x - b.x) * 2 < a.w + b.w && Math.abs(a.y - b.y) * 2 < a.h + b.h;

/**
 * Moves labels down until none covers another: top to bottom, each goes
 * just below every placed label it would cover. Returns new boxes, in the
 * order given.
 */
export function placeLabels(boxes: LabelBox[]): LabelBox[] {
  const order = boxes.map((b, i) => i).sort((i, j) => boxes[i].y - boxes[j].y || boxes[i].x - boxes[j].x);
  const placed: LabelBox[] = [];
  const out: LabelBox[] = new Array(boxes.length);
  for (const i of order) {
    const b = { ...boxes[i] };
    for (let moved = true; moved; ) {
      moved = false;
      for (const p of placed) {
        if (overlap(b, p)) {
          b.y = p.y + (p.h + b.h) / 2 + 2;
          moved = true;
        }
      }
    }
    placed.push(b);
    out[i] = b;
  }
  return out;
}
