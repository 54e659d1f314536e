/** A scenario's format and version marks (src/scenario/format.ts), alone: the sandbox stamps them without loading the format's messages. */
export const SCENARIO_FORMAT = 'warren-scenario';
export const SCENARIO_VERSION = 1;
