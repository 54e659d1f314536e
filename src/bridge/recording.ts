/**
 * A scenario, recorded: a shell script run once on a fresh sandbox broker,
 * keeping every AMQP call the shell made (on which connection and channel,
 * with which fields, and what the broker answered or refused), the
 * deliveries each call let through, and where the messages were when the
 * script's connections closed. The code generators write their programs
 * from this, and the tests check a real broker against `final`.
 */
import { Broker } from '../core/broker.ts';
import type { AsyncOutput, ShellBackend, ShellChannel } from '../shell/backend.ts';
import { isShellAmqpError } from '../shell/backend.ts';
import { EngineBackend } from '../shell/engine-backend.ts';
import { ShellSession } from '../shell/session.ts';
import { readTopology, type Topology } from './topology.ts';

export type CallName = Exclude<keyof ShellChannel, never>;

export interface CallStep {
  kind: 'call';
  connection: string;
  channel: number;
  method: CallName;
  params: Record<string, unknown>;
  /** What the broker answered (queue.declare's name, basic.consume's tag, basic.get's message…). */
  result?: unknown;
  /** The broker refused it: py-amqp's words, and what it closed. */
  error?: { code: number; replyText: string; scope: 'channel' | 'connection' };
  /** Deliveries that arrived after this call, per channel ("a:1"): the highest delivery tag. */
  delivered: Record<string, number>;
  /** Messages returned (mandatory, unroutable) or consumers cancelled by the broker after it. */
  returned: number;
  cancelled: string[];
}

export type Step =
  | { kind: 'open-connection'; connection: string }
  | { kind: 'open-channel'; connection: string; channel: number }
  | { kind: 'sleep'; seconds: number }
  | CallStep;

export interface Recording {
  steps: Step[];
  /** The script's transcript, as the shell printed it. */
  transcript: string[];
  /** The topology at the end of the script (exclusive queues included), and each queue's ready messages (bodies, in order) once its connections closed. */
  topology: Topology;
  final: Record<string, string[]>;
}

const decoder = new TextDecoder();

/** Wraps a backend, recording what goes through it. */
class RecordingBackend implements ShellBackend {
  readonly steps: Step[] = [];
  private last: CallStep | null = null;

  constructor(private readonly inner: ShellBackend) {
    inner.onOutput = (o) => {
      this.note(o);
      this.onOutput(o);
    };
  }

  onOutput: (output: AsyncOutput) => void = () => {};

  get url(): string {
    return this.inner.url;
  }

  isConnectionOpen(connection: string): boolean {
    return this.inner.isConnectionOpen(connection);
  }

  async openConnection(connection: string): Promise<void> {
    this.steps.push({ kind: 'open-connection', connection });
    await this.inner.openConnection(connection);
  }

  isChannelOpen(connection: string, channel: number): boolean {
    return this.inner.isChannelOpen(connection, channel);
  }

  async openChannel(connection: string, channel: number): Promise<void> {
    this.steps.push({ kind: 'open-channel', connection, channel });
    await this.inner.openChannel(connection, channel);
  }

  channel(connection: string, channel: number): ShellChannel {
    const inner = this.inner.channel(connection, channel);
    return new Proxy(inner, {
      get: (target, prop) => {
        const original = target[prop as keyof ShellChannel] as unknown;
        if (typeof original !== 'function') return original;
        return async (params: Record<string, unknown> = {}) => {
          const step: CallStep = { kind: 'call', connection, channel, method: prop as CallName, params, delivered: {}, returned: 0, cancelled: [] };
          this.steps.push(step);
          this.last = step;
          try {
            step.result = await (original as (p: unknown) => Promise<unknown>).call(target, params);
            return step.result;
          } catch (e) {
            if (isShellAmqpError(e)) step.error = { code: e.code, replyText: e.replyText, scope: e.scope };
            throw e;
          }
        };
      },
    });
  }

  private note(o: AsyncOutput): void {
    const step = this.last;
    if (!step) return;
    if (o.kind === 'deliver') step.delivered[o.at] = Math.max(step.delivered[o.at] ?? 0, o.deliveryTag);
    else if (o.kind === 'return') step.returned++;
    else step.cancelled.push(o.consumerTag);
  }

  settle(): Promise<void> {
    return this.inner.settle();
  }

  async sleep(seconds: number): Promise<void> {
    this.steps.push({ kind: 'sleep', seconds });
    this.last = null;
    await this.inner.sleep(seconds);
  }

  names(kind: 'exchange' | 'queue'): string[] {
    return this.inner.names(kind);
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Runs a shell script on a fresh sandbox broker and records it. */
export async function recordScenario(script: string, options: { seed?: number } = {}): Promise<Recording> {
  const broker = new Broker({ seed: options.seed ?? 1 });
  const backend = new RecordingBackend(new EngineBackend(broker));
  const transcript: string[] = [];
  const session = new ShellSession(backend, (line) => transcript.push(line));
  await session.runScript(script);
  const topology = readTopology(broker);
  await session.close();
  const final: Record<string, string[]> = {};
  for (const q of broker.queues.values()) final[q.name] = q.ready.toArray().map((e) => decoder.decode(e.message.body));
  return { steps: backend.steps, transcript, topology, final };
}
