import { describe, expect, it } from 'vitest';
import { FlightLayer, type NodeBox } from '../../src/ui/model/flight-layer.ts';
import type { Flight, FlightStyle } from '../../src/ui/model/projection.ts';

/** A canvas context that counts the dots it is asked to draw. */
function countingContext() {
  const calls = { arcs: 0, fills: 0 };
  const ctx = {
    globalAlpha: 1,
    fillStyle: '',
    strokeStyle: '',
    lineWidth: 1,
    beginPath() {},
    moveTo() {},
    arc() {
      calls.arcs++;
    },
    fill() {
      calls.fills++;
    },
    stroke() {},
  };
  return { ctx: ctx as unknown as CanvasRenderingContext2D, calls };
}

const nodes = new Map<string, NodeBox>([
  ['a', { x: 0, y: 0 }],
  ['b', { x: 400, y: 200 }],
]);
const g = { w: 180, h: 70 };
const flight = (messageId: number, from: string, to: string, t0: number, style: FlightStyle): Flight => ({ messageId, from, to, t0, t1: t0 + 600, style, redelivered: false });

describe('FlightLayer', () => {
  it('draws a burst flying together as one dot, and messages apart as their own dots', () => {
    const layer = new FlightLayer();
    const { ctx, calls } = countingContext();
    const together = Array.from({ length: 10_000 }, (_, i) => flight(i, 'a', 'b', 0, 'route'));
    layer.draw(ctx, together, 300, nodes, g, 1, false);
    expect([layer.drawn, calls.arcs]).toEqual([1, 1]);
    const apart = Array.from({ length: 50 }, (_, i) => flight(i, 'a', 'b', i * 10, 'route'));
    layer.draw(ctx, apart, 550, nodes, g, 1, false);
    expect(layer.drawn).toBe(50);
  });

  it('fades a burst acked together as one dot per fading step, and keeps colours apart', () => {
    const layer = new FlightLayer();
    const { ctx, calls } = countingContext();
    const fades = Array.from({ length: 10_000 }, (_, i) => flight(i, 'b', 'b', 0, i % 2 ? 'ack' : 'drop'));
    layer.draw(ctx, fades, 100, nodes, g, 1, false);
    expect([layer.drawn, calls.arcs]).toEqual([2, 2]);
    // Fading at different steps: each step is its own dot.
    const staggered = Array.from({ length: 8 }, (_, i) => flight(i, 'b', 'b', -i * 75, 'ack'));
    layer.draw(ctx, staggered, 0, nodes, g, 1, false);
    expect(layer.drawn).toBe(8);
  });
});
