/**
 * A scenario: what a person did in the sandbox, as data that replays to
 * exactly the same state. The engine is deterministic, so the seed, the
 * shell lines and agent actions with their virtual times, and the time
 * reached are the whole state (topology, messages, agents, transcript,
 * story); nothing in it is code.
 */
import ENGLISH from '../i18n/strings/scenario.en.json';
import { ReasonError, type ReasonParam } from '../i18n/reason.ts';
import { SCENARIO_FORMAT, SCENARIO_VERSION } from './version.ts';

/** What a person did to an agent (src/ui/model/agents.ts), as plain data. */
export type AgentOp =
  | {
      op: 'producer';
      exchange: string;
      routingKeys: string[];
      body: string;
      mandatory: boolean;
      /** null: until stopped (JSON has no Infinity). */
      count: number | null;
      interval: number;
    }
  | { op: 'consumer'; queue: string; prefetch: number; autoAck: boolean; processing: number | null }
  | { op: 'start' | 'stop' | 'crash' | 'restart' | 'remove'; name: string }
  | { op: 'settle'; name: string; how: 'ack' | 'nack' | 'reject'; tag: number | null };

/** One recorded input, `at` milliseconds of virtual time after the start. */
export type Step = { at: number; line: string } | { at: number; agent: AgentOp };

export { SCENARIO_FORMAT, SCENARIO_VERSION };

export interface Scenario {
  format: typeof SCENARIO_FORMAT;
  version: typeof SCENARIO_VERSION;
  /** The broker's random seed. */
  seed: number;
  steps: Step[];
  /** Virtual milliseconds after the start the scenario reached. */
  end: number;
  /** Other parts of the page's state (lesson progress), by key: plain JSON. */
  extras: Record<string, unknown>;
}

/** What a scenario may hold: past these it is rejected as oversized. */
export const LIMITS = {
  /** A scenario file or decoded link, in characters of JSON. */
  json: 512 * 1024,
  /** A share link's encoded part, in characters. */
  link: 32 * 1024,
  steps: 5000,
  line: 4096,
  name: 255,
  /** The virtual time a scenario may span: replaying it must stay quick. */
  duration: 6 * 60 * 60 * 1000,
  /** Messages agents may publish while it replays. */
  agentMessages: 100_000,
  extras: 64 * 1024,
} as const;

/** What can be wrong with a scenario: the keys of its reasons in the strings files. */
export type ScenarioProblem = keyof typeof ENGLISH;

/** A scenario that cannot be opened, with a reason a view says in its reader's language (`message` is the English). */
export class ScenarioError extends ReasonError {
  override name = 'ScenarioError';
  constructor(problem: ScenarioProblem, params: Record<string, ReasonParam> = {}) {
    super(ENGLISH, problem, params);
  }
}
