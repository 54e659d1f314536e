/** `{name}` placeholders in translated strings, without any catalog (usable from any module). */

/** The `{name}` placeholders a string uses, sorted and without repeats. */
export function placeholders(text: string): string[] {
  return [...new Set([...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]))].sort();
}

/** Fills `{name}` placeholders; a placeholder without a value is an error. */
export function interpolate(text: string, params: Record<string, string | number> | undefined, key: string): string {
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => {
    const v = params?.[name];
    if (v === undefined) throw new Error(`i18n: '${key}' needs the parameter {${name}}`);
    return String(v);
  });
}
