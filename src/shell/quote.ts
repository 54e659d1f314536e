/** Quotes a word for a shell line so tokenize() gives it back unchanged. */
export function quote(word: string): string {
  if (word === '') return "''";
  if (/^[A-Za-z0-9_.,:@%+=/#*-]+$/.test(word) && !word.startsWith('#') && !word.startsWith('@') && !word.startsWith('--')) return word;
  return `'${word.replace(/'/g, `'"'"'`)}'`;
}

/** A shell line from a command, its positionals and named options (unset ones left out). */
export function shellLine(command: string, positionals: string[], options: Record<string, string | number | undefined> = {}): string {
  const parts = [command, ...positionals.map(quote)];
  for (const [k, v] of Object.entries(options)) if (v !== undefined && v !== '') parts.push(`--${k}=${quote(String(v))}`.replace(/^--([^=]+)='(.*)'$/, "'--$1=$2'"));
  return parts.join(' ');
}
