/**
 * Parts of the page's state that live outside the sandbox (the lessons'
 * progress) join a saved or shared scenario through a hook: `save` returns
 * plain JSON, `load` gets it back from a scenario and must check it itself
 * (it comes from a link or a file).
 */
export interface ExtraState {
  save(): unknown;
  load(value: unknown): void;
}

const hooks = new Map<string, ExtraState>();

export function registerExtra(key: string, hook: ExtraState): void {
  hooks.set(key, hook);
}

export function saveExtras(): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, hook] of hooks) {
    const value = hook.save();
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Hands each hook its part; a hook that rejects its part leaves the rest loading. */
export function loadExtras(extras: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [key, hook] of hooks) {
    if (!Object.hasOwn(extras, key)) continue;
    try {
      hook.load(extras[key]);
    } catch (e) {
      problems.push(`${key}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return problems;
}
