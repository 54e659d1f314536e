/**
 * Automatic left-to-right layout: publishing clients, then exchanges (an
 * exchange bound to another sits one column further right), then queues,
 * then consumers. Within a column, nodes are ordered by the average row of
 * their neighbours on the left (the barycenter heuristic) to keep edges from
 * crossing. Positions a person dragged a node to win.
 */
import type { Projection } from './projection.ts';

export interface LayoutNode {
  id: string;
  kind: 'client' | 'exchange' | 'queue' | 'consumer';
  x: number;
  y: number;
}

export interface LayoutOptions {
  columnWidth: number;
  rowHeight: number;
  margin: number;
}

export const DEFAULT_LAYOUT: LayoutOptions = { columnWidth: 300, rowHeight: 100, margin: 70 };

export function layout(p: Projection, pinned: ReadonlyMap<string, { x: number; y: number }>, o: LayoutOptions = DEFAULT_LAYOUT): Map<string, LayoutNode> {
  // Exchange depth along e2e bindings (cycles stop at the first repeat).
  const depth = new Map<string, number>();
  for (const x of p.exchanges.values()) depth.set(x.id, 0);
  for (let pass = 0; pass < p.exchanges.size; pass++) {
    let moved = false;
    for (const e of p.edges.values()) {
      if (e.kind !== 'e2e') continue;
      const d = (depth.get(e.from) ?? 0) + 1;
      if (d > (depth.get(e.to) ?? 0) && d <= p.exchanges.size) {
        depth.set(e.to, d);
        moved = true;
      }
    }
    if (!moved) break;
  }
  const exchangeColumns = Math.max(1, ...[...depth.values()].map((d) => d + 1));
  const columns: Array<Array<{ id: string; kind: LayoutNode['kind'] }>> = [];
  const put = (col: number, id: string, kind: LayoutNode['kind']) => (columns[col] ??= []).push({ id, kind });
  const publishers = [...p.clients.values()].filter((c) => c.published > 0 || c.unackedTags.length > 0);
  for (const c of publishers) put(0, c.id, 'client');
  for (const x of p.exchanges.values()) put(1 + (depth.get(x.id) ?? 0), x.id, 'exchange');
  for (const q of p.queues.values()) put(1 + exchangeColumns, q.id, 'queue');
  for (const c of p.consumers.values()) put(2 + exchangeColumns, c.id, 'consumer');

  const row = new Map<string, number>();
  const neighboursLeft = new Map<string, string[]>();
  for (const e of p.edges.values()) (neighboursLeft.get(e.to) ?? neighboursLeft.set(e.to, []).get(e.to)!).push(e.from);
  const out = new Map<string, LayoutNode>();
  columns.forEach((col, c) => {
    if (!col) return;
    const weight = (id: string) => {
      const ns = (neighboursLeft.get(id) ?? []).map((n) => row.get(n)).filter((r): r is number => r !== undefined);
      return ns.length ? ns.reduce((a, b) => a + b, 0) / ns.length : Infinity;
    };
    const sorted = col
      .map((n, i) => ({ ...n, w: weight(n.id), i }))
      .sort((a, b) => (a.w === b.w ? a.i - b.i : a.w === Infinity ? 1 : b.w === Infinity ? -1 : a.w - b.w));
    sorted.forEach((n, r) => {
      row.set(n.id, r);
      const pin = pinned.get(n.id);
      out.set(n.id, { id: n.id, kind: n.kind, x: pin?.x ?? o.margin + c * o.columnWidth, y: pin?.y ?? o.margin + r * o.rowHeight });
    });
  });
  return out;
}
