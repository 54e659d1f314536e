import { describe, expect, it } from 'vitest';
import { cut, labelBox, labelLines, placeLabels, LABEL_CHARS } from '../../src/ui/model/edge-labels.ts';

const b = (routingKey: string, args: Record<string, unknown> = {}) => ({ source: 'x', destination: { kind: 'queue' as const, name: 'q' }, routingKey, arguments: args as never });

describe('edge labels', () => {
  it('a headers binding says its arguments, x-match first (all when not given); other types their key', () => {
    expect(labelLines(b('', { format: 'pdf', 'x-match': 'any', lang: 'en' }), 'headers')).toEqual(['x-match any', 'format = pdf', 'lang = en']);
    expect(labelLines(b('ignored', { size: { '!': 'long', value: 3 } }), 'headers')).toEqual(['x-match all', 'size = 3']);
    expect(labelLines(b('usa.#'), 'topic')).toEqual(['usa.#']);
    expect(labelLines(b(''), 'direct')).toEqual(["''"]);
  });

  it('cuts long lines with an ellipsis', () => {
    expect(cut('a'.repeat(LABEL_CHARS))).toBe('a'.repeat(LABEL_CHARS));
    expect(cut('a'.repeat(LABEL_CHARS + 5))).toBe(`${'a'.repeat(LABEL_CHARS - 1)}…`);
  });

  it('moves labels down until none covers another, keeping their order', () => {
    const boxes = [labelBox('a', ['x-match all', 'k = v'], 100, 50), labelBox('b', ['key'], 100, 55), labelBox('c', ['far'], 400, 50)];
    const placed = placeLabels(boxes);
    expect(placed.map((p) => p.id)).toEqual(['a', 'b', 'c']);
    expect(placed[0].y).toBe(50);
    expect(placed[1].y - placed[1].h / 2).toBeGreaterThanOrEqual(placed[0].y + placed[0].h / 2);
    expect(placed[2].y).toBe(50);
  });
});
