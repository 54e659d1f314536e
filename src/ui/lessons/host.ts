/** The page's sandbox as a lesson host: steps run through its shell, notes go to its transcript. */
import type { Broker } from '../../core/broker.ts';
import type { LessonHost } from '../../lessons/runner.ts';
import type { Sandbox } from '../sandbox.svelte.ts';

export class SandboxHost implements LessonHost {
  constructor(private readonly sandbox: Sandbox) {}

  get broker(): Broker {
    return this.sandbox.broker;
  }

  async shell(line: string): Promise<void> {
    await this.sandbox.run(line);
  }

  act<T>(fn: () => T): Promise<T> {
    return this.sandbox.act(fn);
  }

  note(lines: string[]): void {
    this.sandbox.transcript.push(...lines);
    this.sandbox.touch();
  }
}
