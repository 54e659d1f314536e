/** Plain-text tables for the terminal (and Markdown for docs/performance.md). */

export type Cell = string | number;

function width(rows: Cell[][], i: number): number {
  return Math.max(...rows.map((r) => String(r[i] ?? '').length));
}

/** Left-aligns the first column, right-aligns numbers. */
export function textTable(header: string[], rows: Cell[][]): string {
  const all = [header, ...rows];
  const widths = header.map((_, i) => width(all, i));
  const line = (r: Cell[]) =>
    r
      .map((c, i) => {
        const s = String(c ?? '');
        return i === 0 || !/^[\d.,<>≥≤×%~\- ]+/.test(s) ? s.padEnd(widths[i]) : s.padStart(widths[i]);
      })
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  return [line(header), rule, ...rows.map(line)].join('\n');
}

export function markdownTable(header: string[], rows: Cell[][]): string {
  const esc = (c: Cell) => String(c ?? '').replace(/\|/g, '\\|');
  return [`| ${header.map(esc).join(' | ')} |`, `|${header.map((_, i) => (i === 0 ? ' --- ' : ' ---: ')).join('|')}|`, ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`)].join('\n');
}

/** 1234567 → "1,234,567". */
export function int(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

export function fixed(n: number, digits = 1): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** "±7%": half the min–max spread relative to the median. */
export function spread(median: number, min: number, max: number): string {
  if (!median) return '';
  return `±${Math.round(((max - min) / 2 / median) * 100)}%`;
}
