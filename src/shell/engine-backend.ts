/** The shell's default backend: Warren's own engine, in the same process. */
import type { Broker } from '../core/broker.ts';
import type { Channel, Connection } from '../core/channel.ts';
import type { AsyncOutput, ShellBackend, ShellChannel } from './backend.ts';

export class EngineBackend implements ShellBackend {
  readonly url = 'amqp://guest@localhost:5672//';
  onOutput: (output: AsyncOutput) => void = () => {};
  private connections = new Map<string, Connection>();
  private adapters = new Map<string, ShellChannel>();

  constructor(public broker: Broker) {}

  /** Points the shell at another broker (a restored snapshot), keeping its open channels. */
  rebind(broker: Broker): void {
    this.broker = broker;
    const names = [...this.connections.keys()];
    this.connections.clear();
    this.adapters.clear();
    for (const name of names) {
      const conn = broker.connections.get(name);
      if (!conn) continue;
      this.connections.set(name, conn);
      for (const ch of conn.channels.values()) this.wire(ch);
    }
  }

  isConnectionOpen(name: string): boolean {
    return this.connections.get(name)?.isOpen ?? false;
  }

  async openConnection(name: string): Promise<void> {
    this.connections.set(name, this.broker.connect({ name }));
  }

  isChannelOpen(name: string, n: number): boolean {
    return this.connections.get(name)?.channels.get(n)?.isOpen ?? false;
  }

  async openChannel(name: string, n: number): Promise<void> {
    this.wire(this.connections.get(name)!.openChannel(n));
  }

  /** Hears what the broker sends a channel, and adapts it for the shell. */
  private wire(ch: Channel): void {
    const at = `${ch.connection.name}:${ch.number}`;
    let confirm: { sequence: number; ack: boolean } | undefined;
    ch.client = {
      deliver: (d) => this.onOutput({ kind: 'deliver', at, ...d, message: d.message }),
      returned: (r) => this.onOutput({ kind: 'return', at, ...r }),
      cancelled: (consumerTag) => this.onOutput({ kind: 'cancel', at, consumerTag }),
      confirmed: (sequence, ack) => (confirm = { sequence, ack }),
    };
    this.adapters.set(at, adapt(ch, () => {
      const c = confirm;
      confirm = undefined;
      return c;
    }));
  }

  channel(name: string, n: number): ShellChannel {
    return this.adapters.get(`${name}:${n}`)!;
  }

  async settle(): Promise<void> {}

  /**
   * How a long sleep shares the thread with a page's frames: a fresh
   * budget for each slice of clock work, and a pause between slices. Without
   * it a sleep is one call. Either way the same things happen at the same
   * virtual times.
   */
  pace: { budget: () => () => boolean; pause: () => Promise<void> } | null = null;

  async sleep(seconds: number): Promise<void> {
    const target = this.broker.now + Math.round(seconds * 1000);
    if (!this.pace) {
      this.broker.advance(target - this.broker.now);
      return;
    }
    while (!this.broker.advance(Math.max(0, target - this.broker.now), this.pace.budget())) await this.pace.pause();
  }

  names(kind: 'exchange' | 'queue'): string[] {
    const map = kind === 'exchange' ? this.broker.exchanges : this.broker.queues;
    return [...map.keys()].filter((n) => n !== '');
  }

  async shutdown(): Promise<void> {
    for (const c of this.connections.values()) c.close();
  }
}

/** The engine's synchronous channel, seen through the shell's async interface. */
function adapt(ch: Channel, takeConfirm: () => { sequence: number; ack: boolean } | undefined): ShellChannel {
  return {
    exchangeDeclare: async (p) => ch.exchangeDeclare(p),
    exchangeDelete: async (p) => ch.exchangeDelete(p),
    exchangeBind: async (p) => ch.exchangeBind(p),
    exchangeUnbind: async (p) => ch.exchangeUnbind(p),
    queueDeclare: async (p) => ch.queueDeclare(p),
    queueBind: async (p) => ch.queueBind(p),
    queueUnbind: async (p) => ch.queueUnbind(p),
    queuePurge: async (p) => ch.queuePurge(p),
    queueDelete: async (p) => ch.queueDelete(p),
    basicPublish: async (p) => {
      ch.basicPublish(p);
      const confirm = takeConfirm();
      return confirm ? { confirm } : {};
    },
    basicGet: async (p) => ch.basicGet(p),
    basicAck: async (p) => ch.basicAck(p),
    basicNack: async (p) => ch.basicNack(p),
    basicReject: async (p) => ch.basicReject(p),
    basicQos: async (p) => ch.basicQos(p),
    basicConsume: async (p) => ch.basicConsume(p),
    basicCancel: async (p) => void ch.basicCancel(p),
    basicRecover: async (p) => ch.basicRecover(p),
    confirmSelect: async () => ch.confirmSelect(),
    close: async () => ch.close(),
    closeConnection: async () => ch.connection.close(),
  };
}
