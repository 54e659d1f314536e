/**
 * A shell session: runs lines of the dialect against a backend and produces
 * exactly the lines a person sees (shared/spec/shell.md): the numbered
 * prompt, each command's output or error, notes when a connection or
 * channel is (re)opened, then whatever the broker sent meanwhile.
 */
import { COMMANDS, signature, type CommandSpec } from './commands.ts';
import { isShellAmqpError, type AsyncOutput, type ShellBackend } from './backend.ts';
import { formatDelivery, formatGet, formatReturn } from './format.ts';
import { DEFAULT_ADDRESS, isComment, parseLine, type Address } from './parse.ts';

export class ShellSession {
  /** The number in the next prompt. */
  counter = 1;
  ended = false;
  private pending: AsyncOutput[] = [];
  private started = false;

  constructor(
    readonly backend: ShellBackend,
    private readonly print: (line: string) => void,
  ) {
    backend.onOutput = (o) => this.pending.push(o);
  }

  get prompt(): string {
    return `${this.counter}> `;
  }

  /** Connects (printing the seed's two connect lines) and opens channel a:1. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.ensureOpen(DEFAULT_ADDRESS, true);
  }

  /**
   * Runs one line as typed interactively: prints its output (not the
   * prompt). Comments and blank lines do nothing and are not counted.
   */
  async execute(line: string): Promise<void> {
    if (isComment(line)) return;
    await this.start();
    this.counter++;
    const parsed = parseLine(line);
    switch (parsed.kind) {
      case 'blank':
        return;
      case 'exit':
        this.ended = true;
        return;
      case 'help':
        for (const l of helpText(parsed.command)) this.print(l);
        return;
      case 'error':
        this.print(parsed.message);
        return;
      case 'command':
        await this.run(parsed.spec, parsed.address, parsed.invocation);
    }
  }

  /** Script mode: the transcript, prompt and line included, for every executed line. */
  async runScript(text: string): Promise<void> {
    await this.start();
    for (const line of text.split(/\r?\n/)) {
      if (this.ended) break;
      if (isComment(line)) continue;
      this.print(`${this.prompt}${line}`);
      await this.execute(line);
    }
  }

  async close(): Promise<void> {
    await this.backend.shutdown();
  }

  private async run(spec: CommandSpec, address: Address, invocation: Parameters<CommandSpec['run']>[1]): Promise<void> {
    const b = this.backend;
    let lines: string[];
    try {
      if (!spec.noChannel) await this.ensureOpen(address, false);
      lines = await spec.run(
        {
          channel: spec.noChannel ? (null as never) : b.channel(address.connection, address.channel),
          sleep: (seconds) => b.sleep(seconds),
          formatGet,
        },
        invocation,
      );
    } catch (e) {
      if (!isShellAmqpError(e)) throw e;
      lines = [`${className(spec.name)}: (${e.code}) ${e.replyText}`];
    }
    for (const l of lines) this.print(l);
    await b.settle();
    this.flushAsync();
  }

  /** Opens what the address needs, printing what a person would see. */
  private async ensureOpen(address: Address, atStart: boolean): Promise<void> {
    const b = this.backend;
    const { connection, channel } = address;
    let justConnected = false;
    if (!b.isConnectionOpen(connection)) {
      this.print(`-> connecting to ${b.url}.`);
      await b.openConnection(connection);
      this.print('-> connected.');
      justConnected = true;
    }
    if (!b.isChannelOpen(connection, channel)) {
      await b.openChannel(connection, channel);
      if (!(justConnected && channel === 1) && !atStart) this.print(`-> channel ${connection}:${channel} opened.`);
    }
  }

  private flushAsync(): void {
    const out = this.pending;
    this.pending = [];
    for (const o of out) {
      if (o.kind === 'cancel') {
        this.print(`<- ${o.at} basic.cancel consumer_tag:${o.consumerTag}.`);
        continue;
      }
      this.print(`<- ${o.at} basic.${o.kind === 'deliver' ? 'deliver' : 'return'}`);
      for (const l of (o.kind === 'deliver' ? formatDelivery(o) : formatReturn(o)).split('\n')) this.print(l);
    }
  }
}

/** queue.declare → Queue.declare, as py-amqp names methods in errors. */
function className(command: string): string {
  return command[0].toUpperCase() + command.slice(1);
}

export function helpText(command?: string): string[] {
  if (command) {
    const spec = COMMANDS.find((c) => c.name === command);
    if (!spec) return [`unknown command '${command}'. 'help' lists them all.`];
    return [signature(spec), `    ${spec.summary}`];
  }
  const lines = COMMANDS.map((c) => signature(c));
  lines.push('help [command]', 'exit');
  lines.push('Prefix a line with @N (channel N) or @C:N (channel N of connection C); booleans are yes/no.');
  return lines;
}
