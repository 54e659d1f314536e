/**
 * The sandbox's state kept in the browser (localStorage) between visits:
 * the scenario that replays to it. A saved state that no longer validates
 * is set aside under another key rather than thrown away or half applied.
 */
import { fromFile } from './codec.ts';
import { ScenarioError, type Scenario } from './format.ts';

export const STORAGE_KEY = 'warren:scenario';
const REJECTED_KEY = 'warren:scenario:rejected';

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled (privacy settings, sandboxed iframes)
  }
}

/** Saves; false when the browser refuses (full, disabled). */
export function saveLocal(scenario: Scenario): boolean {
  try {
    storage()?.setItem(STORAGE_KEY, JSON.stringify(scenario));
    return !!storage();
  } catch {
    return false;
  }
}

/** The saved scenario, null when there is none, or a ScenarioError when it does not validate. */
export function loadLocal(): Scenario | null {
  const s = storage();
  const text = s?.getItem(STORAGE_KEY);
  if (!text) return null;
  try {
    return fromFile(text);
  } catch (e) {
    s!.setItem(REJECTED_KEY, text);
    s!.removeItem(STORAGE_KEY);
    throw e instanceof ScenarioError ? new ScenarioError('scenario.saved', { reason: e }) : e;
  }
}

export function clearLocal(): void {
  storage()?.removeItem(STORAGE_KEY);
}
