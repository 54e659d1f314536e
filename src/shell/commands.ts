/**
 * The shell's dialect as one table: each command's positionals (typed, with
 * defaults), the named options it takes, and what it does. Parsing, `help`,
 * usage errors and Tab completion are all derived from this table.
 */
import type { FieldTable, FieldValue } from '../core/fields.ts';
import type { MessageProperties } from '../core/message.ts';
import type { ShellChannel } from './backend.ts';

export type ArgType = 'string' | 'bool' | 'int' | 'number';

/** What an argument names, for Tab completion. */
export type Completes = 'exchange' | 'queue' | 'exchange-type';

export interface Positional {
  name: string;
  type: ArgType;
  /** Absent: the argument is required. */
  default?: string | boolean | number;
  completes?: Completes;
}

/**
 * Which named options a command takes:
 * - exchange-args: --alternate-exchange and any --x-… argument
 * - queue-args: any --x-… argument
 * - binding-args: any --name=value (binding arguments, e.g. --x-match=any)
 * - publish: message properties and --header.NAME=value
 * - consume: --consumer_tag and --x-… consumer arguments (--x-priority)
 */
export type OptionKind = 'none' | 'exchange-args' | 'queue-args' | 'binding-args' | 'publish' | 'consume';

export interface Invocation {
  /** Positional values, typed, defaults filled in. */
  args: Record<string, string | boolean | number>;
  /** Field-table arguments from named options (exchange, queue, binding, consumer). */
  table: FieldTable;
  properties: MessageProperties;
  consumerTag?: string;
}

/** What a command's run() can use. */
export interface CommandContext {
  channel: ShellChannel;
  /** Advances time (the sandbox's virtual clock, or real time against a broker). */
  sleep(seconds: number): Promise<void>;
  /** Formats a fetched message as the shell prints it. */
  formatGet(got: NonNullable<Awaited<ReturnType<ShellChannel['basicGet']>>>): string;
}

export interface CommandSpec {
  name: string;
  positionals: Positional[];
  options: OptionKind;
  /** One line for `help`. */
  summary: string;
  /** Runs against a channel; returns the output lines. Commands without a channel have none. */
  run(ctx: CommandContext, inv: Invocation): Promise<string[]>;
  /** Commands that need no channel (sleep). */
  noChannel?: boolean;
}

const no = false;
const yes = true;

/** Integer arguments RabbitMQ knows, sent as signed 32-bit integers as py-amqp does. */
export const INTEGER_ARGUMENTS = new Set(['x-message-ttl', 'x-expires', 'x-max-length', 'x-max-length-bytes', 'x-max-priority', 'x-delivery-limit', 'x-priority']);
export const BOOLEAN_ARGUMENTS = new Set(['x-single-active-consumer']);

/** Message properties as the shell names them, to the engine's names. */
export const PROPERTY_OPTIONS: Record<string, { key: keyof MessageProperties; type: 'string' | 'int' }> = {
  content_type: { key: 'contentType', type: 'string' },
  content_encoding: { key: 'contentEncoding', type: 'string' },
  delivery_mode: { key: 'deliveryMode', type: 'int' },
  priority: { key: 'priority', type: 'int' },
  correlation_id: { key: 'correlationId', type: 'string' },
  reply_to: { key: 'replyTo', type: 'string' },
  expiration: { key: 'expiration', type: 'string' },
  message_id: { key: 'messageId', type: 'string' },
  timestamp: { key: 'timestamp', type: 'int' },
  type: { key: 'type', type: 'string' },
  user_id: { key: 'userId', type: 'string' },
  app_id: { key: 'appId', type: 'string' },
};

const s = (v: unknown) => v as string;
const b = (v: unknown) => v as boolean;
const n = (v: unknown) => v as number;
const ok = ['ok.'];

/** exchange.bind and exchange.unbind: the same arguments, opposite effects. */
function exchangeBinding(name: string, summary: string, method: 'exchangeBind' | 'exchangeUnbind'): CommandSpec {
  return {
    name,
    summary,
    positionals: [
      { name: 'destination', type: 'string', completes: 'exchange' },
      { name: 'source', type: 'string', completes: 'exchange' },
      { name: 'routing_key', type: 'string', default: '' },
    ],
    options: 'binding-args',
    async run({ channel }, { args, table }) {
      await channel[method]({ destination: s(args.destination), source: s(args.source), routingKey: s(args.routing_key), arguments: table });
      return ok;
    },
  };
}

/** queue.bind and queue.unbind. */
function queueBinding(name: string, summary: string, method: 'queueBind' | 'queueUnbind'): CommandSpec {
  return {
    name,
    summary,
    positionals: [
      { name: 'queue', type: 'string', completes: 'queue' },
      { name: 'exchange', type: 'string', completes: 'exchange' },
      { name: 'routing_key', type: 'string', default: '' },
    ],
    options: 'binding-args',
    async run({ channel }, { args, table }) {
      await channel[method]({ queue: s(args.queue), exchange: s(args.exchange), routingKey: s(args.routing_key), arguments: table });
      return ok;
    },
  };
}

export const COMMANDS: CommandSpec[] = [
  {
    name: 'exchange.declare',
    summary: 'declare an exchange (direct, fanout, topic or headers)',
    positionals: [
      { name: 'exchange', type: 'string', completes: 'exchange' },
      { name: 'type', type: 'string', completes: 'exchange-type' },
      { name: 'passive', type: 'bool', default: no },
      { name: 'durable', type: 'bool', default: no },
      { name: 'auto_delete', type: 'bool', default: no },
      { name: 'internal', type: 'bool', default: no },
    ],
    options: 'exchange-args',
    async run({ channel }, { args, table }) {
      await channel.exchangeDeclare({
        exchange: s(args.exchange),
        type: s(args.type),
        passive: b(args.passive),
        durable: b(args.durable),
        autoDelete: b(args.auto_delete),
        internal: b(args.internal),
        arguments: table,
      });
      return ok;
    },
  },
  {
    name: 'exchange.delete',
    summary: 'delete an exchange',
    positionals: [
      { name: 'exchange', type: 'string', completes: 'exchange' },
      { name: 'if_unused', type: 'bool', default: no },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.exchangeDelete({ exchange: s(args.exchange), ifUnused: b(args.if_unused) });
      return ok;
    },
  },
  exchangeBinding('exchange.bind', 'bind an exchange to another (exchange-to-exchange)', 'exchangeBind'),
  exchangeBinding('exchange.unbind', 'remove an exchange-to-exchange binding', 'exchangeUnbind'),
  {
    name: 'queue.declare',
    summary: "declare a queue ('' for a server-named one)",
    positionals: [
      { name: 'queue', type: 'string', default: '', completes: 'queue' },
      { name: 'passive', type: 'bool', default: no },
      { name: 'durable', type: 'bool', default: no },
      { name: 'exclusive', type: 'bool', default: no },
      { name: 'auto_delete', type: 'bool', default: no },
    ],
    options: 'queue-args',
    async run({ channel }, { args, table }) {
      const r = await channel.queueDeclare({
        queue: s(args.queue),
        passive: b(args.passive),
        durable: b(args.durable),
        exclusive: b(args.exclusive),
        autoDelete: b(args.auto_delete),
        arguments: table,
      });
      return [`ok. queue:${r.queue} messages:${r.messageCount} consumers:${r.consumerCount}.`];
    },
  },
  queueBinding('queue.bind', 'bind a queue to an exchange', 'queueBind'),
  queueBinding('queue.unbind', 'remove a binding of a queue', 'queueUnbind'),
  {
    name: 'queue.purge',
    summary: 'remove every ready message of a queue',
    positionals: [{ name: 'queue', type: 'string', completes: 'queue' }],
    options: 'none',
    async run({ channel }, { args }) {
      const r = await channel.queuePurge({ queue: s(args.queue) });
      return [`ok. ${r.messageCount} messages deleted.`];
    },
  },
  {
    name: 'queue.delete',
    summary: 'delete a queue',
    positionals: [
      { name: 'queue', type: 'string', completes: 'queue' },
      { name: 'if_unused', type: 'bool', default: no },
      { name: 'if_empty', type: 'bool', default: no },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      const r = await channel.queueDelete({ queue: s(args.queue), ifUnused: b(args.if_unused), ifEmpty: b(args.if_empty) });
      return [`ok. ${r.messageCount} messages deleted.`];
    },
  },
  {
    name: 'basic.publish',
    summary: 'publish a message',
    positionals: [
      { name: 'msg', type: 'string' },
      { name: 'exchange', type: 'string', default: '', completes: 'exchange' },
      { name: 'routing_key', type: 'string', default: '' },
      { name: 'mandatory', type: 'bool', default: no },
      { name: 'immediate', type: 'bool', default: no },
    ],
    options: 'publish',
    async run({ channel }, { args, properties }) {
      const r = await channel.basicPublish({
        body: s(args.msg),
        exchange: s(args.exchange),
        routingKey: s(args.routing_key),
        mandatory: b(args.mandatory),
        immediate: b(args.immediate),
        properties,
      });
      if (r.confirm) return [`ok. ${r.confirm.ack ? 'confirmed' : 'nacked'}:${r.confirm.sequence}.`];
      return ok;
    },
  },
  {
    name: 'basic.get',
    summary: 'fetch one message from a queue',
    positionals: [
      { name: 'queue', type: 'string', completes: 'queue' },
      { name: 'no_ack', type: 'bool', default: no },
    ],
    options: 'none',
    async run({ channel, formatGet }, { args }) {
      const got = await channel.basicGet({ queue: s(args.queue), noAck: b(args.no_ack) });
      return got ? formatGet(got).split('\n') : ['No messages in queue. basic.publish something.'];
    },
  },
  {
    name: 'basic.ack',
    summary: 'acknowledge a delivery',
    positionals: [
      { name: 'delivery_tag', type: 'int' },
      { name: 'multiple', type: 'bool', default: no },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicAck({ deliveryTag: n(args.delivery_tag), multiple: b(args.multiple) });
      return ok;
    },
  },
  {
    name: 'basic.nack',
    summary: 'reject deliveries (requeue them, or drop / dead-letter them)',
    positionals: [
      { name: 'delivery_tag', type: 'int' },
      { name: 'multiple', type: 'bool', default: no },
      { name: 'requeue', type: 'bool', default: yes },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicNack({ deliveryTag: n(args.delivery_tag), multiple: b(args.multiple), requeue: b(args.requeue) });
      return ok;
    },
  },
  {
    name: 'basic.reject',
    summary: 'reject one delivery',
    positionals: [
      { name: 'delivery_tag', type: 'int' },
      { name: 'requeue', type: 'bool', default: yes },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicReject({ deliveryTag: n(args.delivery_tag), requeue: b(args.requeue) });
      return ok;
    },
  },
  {
    name: 'basic.qos',
    summary: 'limit unacknowledged deliveries (per consumer, or per channel with global)',
    positionals: [
      { name: 'prefetch_count', type: 'int' },
      { name: 'global', type: 'bool', default: no },
    ],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicQos({ prefetchCount: n(args.prefetch_count), global: b(args.global) });
      return ok;
    },
  },
  {
    name: 'basic.consume',
    summary: 'start a consumer; deliveries are printed as they arrive',
    positionals: [
      { name: 'queue', type: 'string', completes: 'queue' },
      { name: 'no_ack', type: 'bool', default: no },
      { name: 'exclusive', type: 'bool', default: no },
    ],
    options: 'consume',
    async run({ channel }, { args, table, consumerTag }) {
      const r = await channel.basicConsume({ queue: s(args.queue), noAck: b(args.no_ack), exclusive: b(args.exclusive), consumerTag: consumerTag ?? '', arguments: table });
      return [`ok. consumer_tag:${r.consumerTag}.`];
    },
  },
  {
    name: 'basic.cancel',
    summary: 'stop a consumer',
    positionals: [{ name: 'consumer_tag', type: 'string' }],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicCancel({ consumerTag: s(args.consumer_tag) });
      return ok;
    },
  },
  {
    name: 'basic.recover',
    summary: "redeliver this channel's unacknowledged messages",
    positionals: [{ name: 'requeue', type: 'bool', default: yes }],
    options: 'none',
    async run({ channel }, { args }) {
      await channel.basicRecover({ requeue: b(args.requeue) });
      return ok;
    },
  },
  {
    name: 'confirm.select',
    summary: 'turn on publisher confirms for this channel',
    positionals: [],
    options: 'none',
    async run({ channel }) {
      await channel.confirmSelect();
      return ok;
    },
  },
  {
    name: 'channel.close',
    summary: 'close the channel (its unacknowledged messages go back to their queues)',
    positionals: [],
    options: 'none',
    async run({ channel }) {
      await channel.close();
      return ok;
    },
  },
  {
    name: 'connection.close',
    summary: 'close the connection and all its channels',
    positionals: [],
    options: 'none',
    async run({ channel }) {
      await channel.closeConnection();
      return ok;
    },
  },
  {
    name: 'sleep',
    summary: "let time pass (the sandbox's clock): TTLs and expiries fire",
    positionals: [{ name: 'seconds', type: 'number' }],
    options: 'none',
    noChannel: true,
    async run({ sleep }, { args }) {
      await sleep(n(args.seconds));
      return [];
    },
  },
];

export const COMMAND_BY_NAME: ReadonlyMap<string, CommandSpec> = new Map(COMMANDS.map((c) => [c.name, c]));

/** `queue.declare queue='' passive=no …` as `help` and usage errors print it. */
export function signature(spec: CommandSpec): string {
  const parts = [spec.name];
  for (const p of spec.positionals) {
    if (p.default === undefined) parts.push(p.name);
    else parts.push(`${p.name}=${typeof p.default === 'boolean' ? (p.default ? 'yes' : 'no') : p.default === '' ? "''" : String(p.default)}`);
  }
  const opts: Record<OptionKind, string> = {
    none: '',
    'exchange-args': '[--alternate-exchange=NAME] [--x-ARG=VALUE…]',
    'queue-args': '[--x-ARG=VALUE…]',
    'binding-args': '[--ARG=VALUE…]',
    publish: '[--PROPERTY=VALUE…] [--header.NAME=VALUE…]',
    consume: '[--consumer_tag=TAG] [--x-priority=N]',
  };
  if (opts[spec.options]) parts.push(opts[spec.options]);
  return parts.join(' ');
}

/** The value of a named argument: RabbitMQ's integer and boolean arguments are typed. */
export function argumentValue(name: string, raw: string): FieldValue | Error {
  if (INTEGER_ARGUMENTS.has(name)) {
    if (!/^[+-]?\d+$/.test(raw)) return new Error(`--${name} must be an integer, not '${raw}'`);
    return { '!': 'int', value: Number(raw) };
  }
  if (BOOLEAN_ARGUMENTS.has(name)) {
    const v = parseBool(raw);
    if (v === null) return new Error(`--${name} must be yes or no, not '${raw}'`);
    return v;
  }
  return raw;
}

export function parseBool(raw: string): boolean | null {
  const v = raw.toLowerCase();
  if (['yes', 'true', 'on', '1'].includes(v)) return true;
  if (['no', 'false', 'off', '0'].includes(v)) return false;
  return null;
}
