import type { EngineModule } from '../lib/engine.ts';

export type WarrenBroker = InstanceType<EngineModule['Broker']>;
export type WarrenChannel = ReturnType<ReturnType<WarrenBroker['connect']>['openChannel']>;

/** A figure measured for one broker, with whatever it took to check it. */
export interface Figure {
  value: number;
  min?: number;
  max?: number;
  /** Every round measured (rates per second, or ms), when there were rounds. */
  samples?: number[];
  /** A short remark printed under the table (sanity checks, counts). */
  detail?: string;
}

/** Throws when a benchmark did not do what it claims (so no figure is printed for it). */
export function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(`benchmark self-check failed: ${what}`);
}
