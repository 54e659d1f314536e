/**
 * Messages in flight on one canvas: where each is at a moment, and drawing
 * them all in a handful of canvas calls. Called every animation frame with
 * a thousand flights or more, so it allocates nothing per frame: positions
 * go into buffers kept from frame to frame, dots of one colour (and one
 * fading step) share one path, and a dot that would land on the very pixel
 * of one already drawn in the same colour (and fading step) is skipped (a
 * burst of messages published at one instant flies, and fades, as one stack
 * of identical dots).
 */
import type { Flight, FlightStyle } from './projection.ts';

/** Node size in the topology: flights leave a node's right side and reach the next one's left side. */
export interface NodeBox {
  x: number;
  y: number;
}

export interface Geometry {
  /** Node width and height. */
  w: number;
  h: number;
}

export const FLIGHT_COLORS: Record<FlightStyle, string> = {
  publish: '#2f6fde',
  route: '#2f6fde',
  deliver: '#1f9d55',
  requeue: '#e8890c',
  return: '#b83280',
  'dead-letter': '#6b46c1',
  ack: '#1f9d55',
  drop: '#c53030',
  expire: '#718096',
};

const STYLES = Object.keys(FLIGHT_COLORS) as FlightStyle[];
const STYLE_INDEX = new Map(STYLES.map((s, i) => [s, i]));
/** Fading dots are drawn at this many opacity steps. */
const FADE_STEPS = 8;
const RADIUS = 7;
const REDELIVERED = '#e8890c';

/** Where a flight is at `now` (t from 0 to 1 along its hop), or null when it is not in the air or its nodes are gone. */
export function flightPosition(
  f: Flight,
  now: number,
  nodes: ReadonlyMap<string, NodeBox>,
  g: Geometry,
  settled: boolean,
  out: { x: number; y: number; t: number },
): boolean {
  if (f.t0 > now || f.t1 <= now) return false;
  const from = nodes.get(f.from);
  if (!from) return false;
  const t = settled ? 1 : (now - f.t0) / (f.t1 - f.t0);
  if (f.from === f.to) {
    out.x = from.x + g.w / 2;
    out.y = from.y + g.h / 2;
  } else {
    const to = nodes.get(f.to);
    if (!to) return false;
    const ax = from.x + g.w;
    const ay = from.y + g.h / 2;
    out.x = ax + (to.x - ax) * t;
    out.y = ay + (to.y + g.h / 2 - ay) * t;
  }
  out.t = t;
  return true;
}

/** A growable list of dots (x, y, radius) kept between frames. */
class Dots {
  xyr = new Float64Array(3 * 256);
  n = 0;

  push(x: number, y: number, r: number): void {
    if (3 * (this.n + 1) > this.xyr.length) {
      const bigger = new Float64Array(this.xyr.length * 2);
      bigger.set(this.xyr);
      this.xyr = bigger;
    }
    const i = 3 * this.n++;
    this.xyr[i] = x;
    this.xyr[i + 1] = y;
    this.xyr[i + 2] = r;
  }

  path(ctx: CanvasRenderingContext2D): void {
    ctx.beginPath();
    const a = this.xyr;
    for (let i = 0; i < 3 * this.n; i += 3) {
      ctx.moveTo(a[i] + a[i + 2], a[i + 1]);
      ctx.arc(a[i], a[i + 1], a[i + 2], 0, Math.PI * 2);
    }
  }
}

export class FlightLayer {
  /** Solid dots per style; fading ones per style and opacity step. */
  private solid = STYLES.map(() => new Dots());
  private fading = STYLES.map(() => Array.from({ length: FADE_STEPS }, () => new Dots()));
  private ringed = new Dots();
  private seen = new Set<number>();
  private at = { x: 0, y: 0, t: 0 };
  /** Dots drawn by the last frame (after skipping same-pixel ones). */
  drawn = 0;

  /**
   * Draws every flight in the air at `now`, in world coordinates (the
   * caller has set the view's transform; `scale` is its zoom, so that
   * same-pixel dots are found on screen). `settled` (reduced motion): each
   * message is drawn where it is going.
   */
  draw(ctx: CanvasRenderingContext2D, flights: readonly Flight[], now: number, nodes: ReadonlyMap<string, NodeBox>, g: Geometry, scale: number, settled: boolean): void {
    for (const d of this.solid) d.n = 0;
    for (const steps of this.fading) for (const d of steps) d.n = 0;
    this.ringed.n = 0;
    const seen = this.seen;
    seen.clear();
    const p = this.at;
    for (let i = 0; i < flights.length; i++) {
      const f = flights[i];
      if (!flightPosition(f, now, nodes, g, settled, p)) continue;
      const style = STYLE_INDEX.get(f.style)!;
      const pixel = (((p.x * scale) | 0) & 0x3fff) * 0x4000 + (((p.y * scale) | 0) & 0x3fff);
      if (f.from === f.to) {
        // Fading where it is: growing and vanishing; one dot per pixel, colour and step (a burst's acks fade as one).
        const step = Math.min(FADE_STEPS - 1, Math.floor(p.t * FADE_STEPS));
        const key = -((pixel * 16 + style) * FADE_STEPS + step) - 1;
        if (seen.has(key)) continue;
        seen.add(key);
        this.fading[style][step].push(p.x, p.y, RADIUS + 6 * p.t);
        continue;
      }
      // One dot per screen pixel, colour and ring.
      const key = pixel * 32 + style * 2 + (f.redelivered ? 1 : 0);
      if (seen.has(key)) continue;
      seen.add(key);
      this.solid[style].push(p.x, p.y, RADIUS);
      if (f.redelivered) this.ringed.push(p.x, p.y, RADIUS);
    }
    let drawn = 0;
    ctx.globalAlpha = 1;
    for (let s = 0; s < STYLES.length; s++) {
      const d = this.solid[s];
      if (!d.n) continue;
      d.path(ctx);
      ctx.fillStyle = FLIGHT_COLORS[STYLES[s]];
      ctx.fill();
      drawn += d.n;
    }
    if (this.ringed.n) {
      this.ringed.path(ctx);
      ctx.lineWidth = 2.5;
      ctx.strokeStyle = REDELIVERED;
      ctx.stroke();
    }
    for (let s = 0; s < STYLES.length; s++) {
      for (let k = 0; k < FADE_STEPS; k++) {
        const d = this.fading[s][k];
        if (!d.n) continue;
        ctx.globalAlpha = 1 - (k + 0.5) / FADE_STEPS;
        d.path(ctx);
        ctx.fillStyle = FLIGHT_COLORS[STYLES[s]];
        ctx.fill();
        drawn += d.n;
      }
    }
    ctx.globalAlpha = 1;
    this.drawn = drawn;
  }

  /** The message whose dot is within `radius` of (x, y) at `now`, or null. */
  hit(flights: readonly Flight[], now: number, nodes: ReadonlyMap<string, NodeBox>, g: Geometry, x: number, y: number, radius = 12): number | null {
    const p = this.at;
    for (let i = flights.length - 1; i >= 0; i--) {
      const f = flights[i];
      if (f.from === f.to || !flightPosition(f, now, nodes, g, false, p)) continue;
      if ((p.x - x) ** 2 + (p.y - y) ** 2 < radius * radius) return f.messageId;
    }
    return null;
  }
}
