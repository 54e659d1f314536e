/**
 * The views of an embed (the playback controls and the panels), each in a
 * chunk of its own, loaded the first time a playground on the page shows it
 * (and then shared): a page whose playgrounds show only the topology never
 * loads the shell's code, and the first load stays within its budget.
 */
import type { Component } from 'svelte';
import type { Panel } from './options.ts';

/** The playback controls, the goals list, or a panel. */
export type ViewName = Panel | 'controls' | 'goals';

// Each view takes the sandbox (the shell also `editable`, the controls `keys`).
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type View = Component<any>;

const LOADERS: Record<ViewName, () => Promise<{ default: View }>> = {
  controls: () => import('../ui/components/Controls.svelte'),
  goals: () => import('./Goals.svelte'),
  topology: () => import('../ui/components/Topology.svelte'),
  shell: () => import('../ui/components/ShellPanel.svelte'),
  inspector: () => import('../ui/components/Inspector.svelte'),
  log: () => import('../ui/components/StoryLog.svelte'),
};

/** The panels loaded so far (reactive: a view shows its panel once it is here). */
export const views = $state<Partial<Record<ViewName, View>>>({});
// Not state: which chunks were asked for (views above is what templates read).
// eslint-disable-next-line svelte/prefer-svelte-reactivity
const loading = new Set<ViewName>();

/** Starts loading a panel's chunk (once per page); a failure is reported to `onError`. */
export function load(name: ViewName, onError: (e: Error) => void): void {
  if (loading.has(name)) return;
  loading.add(name);
  LOADERS[name]().then(
    (m) => (views[name] = m.default),
    (e: Error) => {
      loading.delete(name);
      onError(e);
    },
  );
}
