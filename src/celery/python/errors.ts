/**
 * Errors of the Python subset, always with a place: line and column are
 * 1-based, columns count code points as Python's SyntaxError.offset does.
 *
 * `type` is Python's exception name when Python itself would refuse the
 * input the same way (SyntaxError, IndentationError, NameError, TypeError…),
 * or `Unsupported` for valid Python that lies outside the sandbox's subset.
 */
export interface Pos {
  readonly line: number;
  readonly col: number;
}

export class ConfigError extends Error {
  constructor(
    /** Python's exception name, or 'Unsupported' / 'ConfigTooLarge'. */
    readonly type: string,
    /** The explanation, as Python words it where Python would refuse too. */
    readonly detail: string,
    readonly line: number,
    readonly column: number,
    /** The source line, for a caret display. */
    readonly lineText = '',
  ) {
    super(`line ${line}, column ${column}: ${type}: ${detail}`);
    this.name = 'ConfigError';
  }

  /** A Python-like report: where, the line, a caret under the column, the error. */
  pretty(file = 'config.py'): string {
    const out = [`  File "${file}", line ${this.line}, column ${this.column}`];
    if (this.lineText.trim()) {
      const chars = Array.from(this.lineText);
      const indent = chars.findIndex((c) => c !== ' ' && c !== '\t');
      const shown = chars.slice(indent).join('').trimEnd();
      out.push(`    ${shown}`);
      out.push(`    ${' '.repeat(Math.max(0, this.column - 1 - indent))}^`);
    }
    out.push(`${this.type}: ${this.detail}`);
    return out.join('\n');
  }
}

/**
 * A Python exception raised while the interpreter runs: it gets its place
 * from the innermost expression being evaluated when it passes through.
 */
export class PyException extends Error {
  pos: Pos | null;
  /** Function names from the outermost call inwards, for context. */
  readonly frames: string[] = [];

  constructor(
    readonly type: string,
    readonly detail: string,
    pos: Pos | null = null,
  ) {
    super(`${type}: ${detail}`);
    this.name = 'PyException';
    this.pos = pos;
  }
}

export function pyError(type: string, detail: string): PyException {
  return new PyException(type, detail);
}

/** The text of line `n` (1-based) of `source`. */
export function lineOf(source: string, n: number): string {
  let start = 0;
  for (let i = 1; i < n; i++) {
    const next = source.indexOf('\n', start);
    if (next < 0) return '';
    start = next + 1;
  }
  const end = source.indexOf('\n', start);
  return source.slice(start, end < 0 ? source.length : end).replace(/\r$/, '');
}
