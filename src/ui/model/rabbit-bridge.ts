/**
 * What the page's RabbitMQ panel does, apart from its view: the sandbox's
 * topology as a definitions file, its scenario as code, and a definitions
 * file checked (malformed, oversized, in conflict with the sandbox) and
 * turned into the shell lines that build it.
 */
import type { Broker } from '../../core/broker.ts';
import { amqplibProgram } from '../../bridge/code-amqplib.ts';
import { kombuConfig } from '../../bridge/code-kombu.ts';
import { pikaProgram } from '../../bridge/code-pika.ts';
import { definitionsText, exportDefinitions, type Skipped } from '../../bridge/definitions.ts';
import { DefinitionsError, MAX_DEFINITIONS_BYTES, importDefinitions, tooBig, type ImportReport } from '../../bridge/import.ts';
import type { Reason } from '../../i18n/reason.ts';
import { recordScenario } from '../../bridge/recording.ts';
import { topologyScript } from '../../bridge/script.ts';
import { conflicts, readTopology } from '../../bridge/topology.ts';

export type CodeLanguage = 'amqplib' | 'pika' | 'kombu';

export const CODE_FILES: Record<CodeLanguage, { file: string; mime: string }> = {
  amqplib: { file: 'scenario.mjs', mime: 'text/javascript' },
  pika: { file: 'scenario.py', mime: 'text/x-python' },
  kombu: { file: 'celeryconfig.py', mime: 'text/x-python' },
};

export function definitionsFile(broker: Broker): { text: string; skipped: Skipped[] } {
  const { definitions, skipped } = exportDefinitions(readTopology(broker));
  return { text: definitionsText(definitions), skipped };
}

/** The scenario (the shell lines run so far) as a program, replayed on a fresh sandbox to record it. */
export async function scenarioCode(lines: readonly string[], lang: CodeLanguage): Promise<string> {
  const recording = await recordScenario(lines.join('\n'));
  if (lang === 'amqplib') return amqplibProgram(recording, 'the Warren sandbox');
  if (lang === 'pika') return pikaProgram(recording, 'the Warren sandbox');
  return kombuConfig(recording.topology, 'the Warren sandbox');
}

export interface ImportPlan {
  report: ImportReport;
  /** Left out or changed on the way into the shell. */
  notes: Skipped[];
  lines: string[];
}

/** Reads a picked file: why it is refused (nothing to apply), or the lines to run. */
export async function planImport(file: { size: number; text(): Promise<string> }, broker: Broker): Promise<ImportPlan | { refused: Reason[] }> {
  if (file.size > MAX_DEFINITIONS_BYTES) return { refused: [tooBig(file.size)] };
  try {
    const { topology, report } = importDefinitions(await file.text());
    const clash = conflicts(broker, topology);
    if (clash.length) return { refused: clash };
    const script = topologyScript(topology);
    return { report, notes: script.notes, lines: script.lines };
  } catch (e) {
    if (e instanceof DefinitionsError) return { refused: [e] };
    throw e;
  }
}
