/** An element's options as reactive state: the element writes them (attributes changed), the view reads them. */
import { DEFAULTS, type EmbedOptions, type OptionProblem } from './options.ts';

export class EmbedState {
  options = $state.raw<EmbedOptions>(DEFAULTS);
  /** Attribute values refused (each shown, and told as an `error` event). */
  problems = $state.raw<OptionProblem[]>([]);
}
