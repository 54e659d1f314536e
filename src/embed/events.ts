/**
 * What a playground tells the host page. The element dispatches each as a
 * bubbling, composed CustomEvent named `amqp-playground:<type>`; the iframe
 * form posts each to its parent as a `PlaygroundMessage`.
 */
export interface PlaygroundEvents {
  /** The scenario is loaded and checked (its lines are about to play, or wait for Play). */
  ready: { lines: number; goals: string[] };
  /** The scenario's last line has run. */
  finished: { lines: number };
  /** A goal was met (each once); `met` of `total` are met now. */
  goal: { index: number; goal: string; met: number; total: number };
  /** Something is wrong: a bad attribute, a scenario that does not parse or could not be fetched. */
  error: { message: string; attribute?: string };
}

export type PlaygroundEventType = keyof PlaygroundEvents;

/** The element's tag name. */
export const TAG = 'amqp-playground';

export const EVENT_PREFIX = `${TAG}:`;

export type Emit = <T extends PlaygroundEventType>(type: T, detail: PlaygroundEvents[T]) => void;

/** The iframe form's message to its parent window. */
export interface PlaygroundMessage<T extends PlaygroundEventType = PlaygroundEventType> {
  source: 'amqp-playground';
  /** Which frame: its `id` URL parameter, else its window name, else ''. */
  frame: string;
  type: T;
  detail: PlaygroundEvents[T];
}
