/**
 * The shell against a real broker, through amqplib (Node only). Methods go
 * out as raw AMQP frames with every field the dialect has (passive,
 * immediate, requeue=false…), so RabbitMQ answers exactly what it would
 * answer any client. Errors of methods that have no reply (publish, ack…)
 * are caught by a harmless round trip right after them.
 */
import amqplib, { type Channel, type ChannelModel, type ConsumeMessage, type Message } from 'amqplib';
import type { FieldTable, FieldValue } from '../core/fields.ts';
import type { MessageProperties } from '../core/message.ts';
import type { AsyncOutput, ShellAmqpError, ShellBackend, ShellChannel, ShellMessage } from '../shell/backend.ts';

/** AMQP 0-9-1 method ids as amqplib numbers them: (class id << 16) + method id. */
const METHODS: Record<string, [number, number]> = {
  ExchangeDeclare: [40, 10],
  ExchangeDeclareOk: [40, 11],
  ExchangeDelete: [40, 20],
  ExchangeDeleteOk: [40, 21],
  ExchangeBind: [40, 30],
  ExchangeBindOk: [40, 31],
  ExchangeUnbind: [40, 40],
  ExchangeUnbindOk: [40, 51],
  QueueDeclare: [50, 10],
  QueueDeclareOk: [50, 11],
  QueueBind: [50, 20],
  QueueBindOk: [50, 21],
  QueuePurge: [50, 30],
  QueuePurgeOk: [50, 31],
  QueueDelete: [50, 40],
  QueueDeleteOk: [50, 41],
  QueueUnbind: [50, 50],
  QueueUnbindOk: [50, 51],
  BasicQos: [60, 10],
  BasicQosOk: [60, 11],
  BasicAck: [60, 80],
  BasicReject: [60, 90],
  BasicRecover: [60, 110],
  BasicRecoverOk: [60, 111],
  BasicNack: [60, 120],
  ConfirmSelect: [85, 10],
  ConfirmSelectOk: [85, 11],
};
const D: Record<string, number> = Object.fromEntries(Object.entries(METHODS).map(([k, [c, m]]) => [k, (c << 16) + m]));

const SOFT = new Set([311, 312, 313, 403, 404, 405, 406]);

/** The AMQP error inside one of amqplib's error messages. */
function toShellError(err: unknown, connectionError: ShellAmqpError | null): ShellAmqpError | unknown {
  const e = err as { message?: string; code?: number; classId?: number; methodId?: number };
  const m = /with message "(.*)"$/s.exec(e?.message ?? '');
  if (m && typeof e.code === 'number') {
    return { code: e.code, replyText: m[1], classId: e.classId ?? 0, methodId: e.methodId ?? 0, scope: SOFT.has(e.code) ? 'channel' : 'connection' };
  }
  if (connectionError && /Channel ended|Channel closed|Connection closed/.test(e?.message ?? '')) return connectionError;
  return err;
}

/** amqplib's decoded field values back into the engine's form. */
function fromAmqplib(v: unknown): FieldValue {
  if (Array.isArray(v)) return v.map(fromAmqplib);
  if (v instanceof Uint8Array) return new Uint8Array(v);
  if (v && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    if (o['!'] === 'timestamp') return { '!': 'timestamp', value: o.value };
    const out: FieldTable = {};
    for (const k of Object.keys(o)) if (o[k] !== undefined) out[k] = fromAmqplib(o[k]);
    return out;
  }
  return v as FieldValue;
}

function messageOf(m: Message): ShellMessage {
  const properties: MessageProperties = {};
  for (const [k, v] of Object.entries(m.properties)) {
    if (v === undefined) continue;
    (properties as Record<string, unknown>)[k] = k === 'headers' ? fromAmqplib(v) : v;
  }
  // amqplib always sends a headers table; an empty one was not set by the shell.
  if (properties.headers && Object.keys(properties.headers).length === 0) delete properties.headers;
  return { body: new Uint8Array(m.content), properties };
}

interface Conn {
  model: ChannelModel;
  open: boolean;
  error: ShellAmqpError | null;
  channels: Map<number, Chan>;
}

interface Chan {
  ch: Channel;
  open: boolean;
  confirmSeq: number;
  confirming: boolean;
  confirms: Map<number, (ack: boolean) => void>;
}

export class AmqplibBackend implements ShellBackend {
  readonly url: string;
  onOutput: (output: AsyncOutput) => void = () => {};
  private conns = new Map<string, Conn>();
  private seen = { exchange: new Set<string>(), queue: new Set<string>() };

  constructor(
    private readonly brokerUrl: string,
    private readonly settleMs = 40,
  ) {
    const u = new URL(brokerUrl);
    const vhost = decodeURIComponent(u.pathname.slice(1)) || '/';
    this.url = `amqp://${decodeURIComponent(u.username || 'guest')}@${u.hostname}:${u.port || 5672}/${vhost}`;
  }

  isConnectionOpen(name: string): boolean {
    return this.conns.get(name)?.open ?? false;
  }

  async openConnection(name: string): Promise<void> {
    const model = await amqplib.connect(this.brokerUrl);
    const conn: Conn = { model, open: true, error: null, channels: new Map() };
    model.on('error', (e: unknown) => {
      const se = toShellError(e, null);
      if ((se as ShellAmqpError).replyText) conn.error = { ...(se as ShellAmqpError), scope: 'connection' };
    });
    model.on('close', () => {
      conn.open = false;
      for (const c of conn.channels.values()) c.open = false;
    });
    this.conns.set(name, conn);
  }

  isChannelOpen(name: string, n: number): boolean {
    return this.conns.get(name)?.channels.get(n)?.open ?? false;
  }

  async openChannel(name: string, n: number): Promise<void> {
    const conn = this.conns.get(name)!;
    const ch = await conn.model.createChannel();
    const chan: Chan = { ch, open: true, confirmSeq: 0, confirming: false, confirms: new Map() };
    const at = `${name}:${n}`;
    ch.on('error', () => {});
    ch.on('close', () => (chan.open = false));
    ch.on('return', (m: Message) => {
      const f = m.fields as unknown as { replyCode: number; replyText: string; exchange: string; routingKey: string };
      this.onOutput({ kind: 'return', at, replyCode: f.replyCode, replyText: f.replyText, exchange: f.exchange, routingKey: f.routingKey, message: messageOf(m) });
    });
    const confirm = (ack: boolean) => (f: { deliveryTag: number; multiple: boolean }) => {
      for (const [seq, done] of [...chan.confirms]) {
        if (seq === f.deliveryTag || (f.multiple && seq <= f.deliveryTag)) {
          chan.confirms.delete(seq);
          done(ack);
        }
      }
    };
    ch.on('ack', confirm(true));
    ch.on('nack', confirm(false));
    conn.channels.set(n, chan);
    this.channels.set(at, this.adapt(conn, chan, at));
  }

  private channels = new Map<string, ShellChannel>();

  channel(name: string, n: number): ShellChannel {
    return this.channels.get(`${name}:${n}`)!;
  }

  async settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, this.settleMs));
    // A round trip on each open channel: everything the broker sent before its reply has arrived.
    for (const conn of this.conns.values()) {
      for (const chan of conn.channels.values()) {
        if (chan.open) await this.sync(chan).catch(() => {});
      }
    }
  }

  async sleep(seconds: number): Promise<void> {
    await new Promise((r) => setTimeout(r, seconds * 1000));
  }

  names(kind: 'exchange' | 'queue'): string[] {
    return [...this.seen[kind]];
  }

  async shutdown(): Promise<void> {
    for (const conn of this.conns.values()) if (conn.open) await conn.model.close().catch(() => {});
  }

  private sync(chan: Chan): Promise<unknown> {
    return rpc(chan.ch, D.ExchangeDeclare, { exchange: 'amq.direct', type: '', passive: true, durable: false, autoDelete: false, internal: false, nowait: false, arguments: {} }, D.ExchangeDeclareOk);
  }

  private adapt(conn: Conn, chan: Chan, at: string): ShellChannel {
    const ch = chan.ch;
    const call = async <T>(op: () => Promise<T>): Promise<T> => {
      try {
        return await op();
      } catch (e) {
        // Let a connection close (and its error) arrive before deciding what failed.
        if (!conn.open || /Channel ended/.test((e as Error).message)) await new Promise((r) => setTimeout(r, 20));
        throw toShellError(e, conn.error);
      }
    };
    /** Methods without a reply: a round trip tells whether the broker refused them. */
    const cast = (send: () => void) =>
      call(async () => {
        send();
        await this.sync(chan);
      });
    const r = <T>(method: string, fields: Record<string, unknown>, ok: string) => call(() => rpc(ch, D[method], { ticket: 0, nowait: false, ...fields }, D[ok]) as Promise<T>);
    const seen = (kind: 'exchange' | 'queue', name: string) => name && this.seen[kind].add(name);
    return {
      exchangeDeclare: async (p) => {
        seen('exchange', p.exchange);
        await r('ExchangeDeclare', { ...p }, 'ExchangeDeclareOk');
      },
      exchangeDelete: async (p) => void (await r('ExchangeDelete', p, 'ExchangeDeleteOk')),
      exchangeBind: async (p) => void (await r('ExchangeBind', p, 'ExchangeBindOk')),
      exchangeUnbind: async (p) => void (await r('ExchangeUnbind', p, 'ExchangeUnbindOk')),
      queueDeclare: async (p) => {
        const ok = await r<{ queue: string; messageCount: number; consumerCount: number }>('QueueDeclare', p, 'QueueDeclareOk');
        seen('queue', ok.queue);
        return ok;
      },
      queueBind: async (p) => void (await r('QueueBind', p, 'QueueBindOk')),
      queueUnbind: async (p) => void (await r('QueueUnbind', p, 'QueueUnbindOk')),
      queuePurge: (p) => r('QueuePurge', p, 'QueuePurgeOk'),
      queueDelete: (p) => r('QueueDelete', p, 'QueueDeleteOk'),
      basicPublish: async (p) => {
        const seq = chan.confirming ? ++chan.confirmSeq : 0;
        const confirmed = seq ? new Promise<boolean>((resolve) => chan.confirms.set(seq, resolve)) : null;
        const props = { headers: {}, ...p.properties };
        await cast(() =>
          (ch as unknown as { sendMessage(f: object, p: object, c: Buffer): boolean }).sendMessage(
            { exchange: p.exchange, routingKey: p.routingKey, mandatory: p.mandatory, immediate: p.immediate, ticket: 0 },
            props,
            Buffer.from(p.body),
          ),
        );
        return confirmed ? { confirm: { sequence: seq, ack: await confirmed } } : {};
      },
      basicGet: async (p) => {
        const m = await call(() => ch.get(p.queue, { noAck: p.noAck }));
        if (!m) return null;
        const f = m.fields as unknown as { deliveryTag: number; redelivered: boolean; exchange: string; routingKey: string; messageCount: number };
        return { deliveryTag: f.deliveryTag, redelivered: f.redelivered, exchange: f.exchange, routingKey: f.routingKey, messageCount: f.messageCount, message: messageOf(m) };
      },
      basicAck: (p) => cast(() => send(ch, D.BasicAck, p)),
      basicNack: (p) => cast(() => send(ch, D.BasicNack, p)),
      basicReject: (p) => cast(() => send(ch, D.BasicReject, p)),
      basicQos: async (p) => void (await r('BasicQos', { prefetchSize: 0, ...p }, 'BasicQosOk')),
      basicConsume: async (p) => {
        const ok = await call(() =>
          ch.consume(
            p.queue,
            (m: ConsumeMessage | null) => {
              if (!m) {
                this.onOutput({ kind: 'cancel', at, consumerTag: ok.consumerTag });
                return;
              }
              const f = m.fields;
              this.onOutput({ kind: 'deliver', at, consumerTag: f.consumerTag, deliveryTag: f.deliveryTag, redelivered: f.redelivered, exchange: f.exchange, routingKey: f.routingKey, message: messageOf(m) });
            },
            { consumerTag: p.consumerTag, noAck: p.noAck, exclusive: p.exclusive, arguments: p.arguments },
          ),
        );
        return ok;
      },
      basicCancel: async (p) => void (await call(() => ch.cancel(p.consumerTag))),
      basicRecover: async (p) => void (await r('BasicRecover', p, 'BasicRecoverOk')),
      confirmSelect: async () => {
        await r('ConfirmSelect', {}, 'ConfirmSelectOk');
        if (!chan.confirming) chan.confirmSeq = 0;
        chan.confirming = true;
      },
      close: async () => {
        chan.open = false;
        await call(() => ch.close());
      },
      closeConnection: async () => {
        conn.open = false;
        await call(() => conn.model.close());
      },
    };
  }
}

/** amqplib's channel RPC with raw fields: resolves with the reply's fields. */
function rpc(ch: Channel, method: number, fields: object, expect: number): Promise<unknown> {
  return (ch as unknown as { rpc(m: number, f: object, e: number): Promise<unknown> }).rpc(method, fields, expect);
}

/** A method without a reply, as a raw frame. */
function send(ch: Channel, method: number, fields: object): void {
  (ch as unknown as { sendImmediately(m: number, f: object): void }).sendImmediately(method, fields);
}
