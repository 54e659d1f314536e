/**
 * The walk both code generators share: a recorded scenario as a sequence
 * of things a client program does, with variables named and the sandbox's
 * own decisions made explicit:
 *
 * - server-made names (`queue.declare ''`, consumer tags) become variables,
 *   and later steps that used the name the sandbox made use the variable;
 * - a line the broker refused is left out (with its error as a comment),
 *   and what the refusal closed is closed by the program, so the broker
 *   ends in the same state;
 * - a channel that turns on publisher confirms is a confirm channel;
 * - after a step that let deliveries through, the program waits for them
 *   (its consumers must have them before a later step acks them).
 */
import { commentText } from './literals.ts';
import type { CallStep, Recording } from './recording.ts';

/** A string in a step: a literal, or the variable holding a server-made name. */
export type Text = { literal: string } | { variable: string };

export interface ChannelRef {
  /** "a:1" */
  label: string;
  variable: string;
  /** The map of what it received, by delivery tag. */
  received: string;
  connection: string;
  /** It turns on publisher confirms before it closes. */
  confirm: boolean;
  /** It publishes mandatory messages (returns may come back). */
  mandatory: boolean;
  /** It gets or consumes messages. */
  receives: boolean;
}

export type PlanItem =
  | { kind: 'connect'; connection: string; again: boolean }
  | { kind: 'open'; channel: ChannelRef; again: boolean }
  | { kind: 'call'; step: CallStep; channel: ChannelRef; text: (s: string) => Text; defines?: string }
  | { kind: 'refused'; step: CallStep; channel: ChannelRef; closes: 'channel' | 'connection' | 'nothing' }
  | { kind: 'sleep'; seconds: number }
  | { kind: 'await-delivery'; channel: ChannelRef; tag: number }
  | { kind: 'settle' }
  | { kind: 'close'; connection: string };

export interface Naming {
  connection(name: string, only: boolean): string;
  channel(connection: string, n: number, onlyConnection: boolean, onlyChannel: boolean): string;
  received(channelVariable: string): string;
  queue(i: number): string;
  consumerTag(i: number): string;
}

export const camelNaming: Naming = {
  connection: (name, only) => (only ? 'connection' : `conn${name.toUpperCase()}`),
  channel: (c, n, onlyConn, onlyCh) => (onlyCh ? 'channel' : onlyConn ? `channel${n}` : `channel${c.toUpperCase()}${n}`),
  received: (ch) => `received${ch.slice('channel'.length)}`,
  queue: (i) => `queue${i}`,
  consumerTag: (i) => `consumerTag${i}`,
};

export const snakeNaming: Naming = {
  connection: (name, only) => (only ? 'connection' : `conn_${name}`),
  channel: (c, n, onlyConn, onlyCh) => (onlyCh ? 'channel' : onlyConn ? `channel_${n}` : `channel_${c}${n}`),
  received: (ch) => `received${ch.slice('channel'.length)}`,
  queue: (i) => `queue_${i}`,
  consumerTag: (i) => `consumer_tag_${i}`,
};

export interface Plan {
  items: PlanItem[];
  /** Variables assigned more than once (need `let`). */
  reassigned: Set<string>;
  /** Whether any step needs these helpers. */
  uses: { received: boolean; awaitDelivery: boolean; sleep: boolean; settle: boolean; confirm: boolean };
}

export function planScenario(rec: Recording, naming: Naming): Plan {
  const connections = new Set<string>();
  const channels = new Set<string>();
  for (const s of rec.steps) {
    if (s.kind === 'open-connection') connections.add(s.connection);
    if (s.kind === 'open-channel') channels.add(`${s.connection}:${s.channel}`);
  }
  const onlyConnection = connections.size <= 1;
  const onlyChannel = channels.size <= 1;
  const connVar = (c: string) => naming.connection(c, onlyConnection);

  const items: PlanItem[] = [];
  const reassigned = new Set<string>();
  const declared = new Set<string>();
  const uses = { received: false, awaitDelivery: false, sleep: false, settle: false, confirm: false };
  const open = new Map<string, ChannelRef>();
  const openConnections = new Set<string>();
  const names = new Map<string, string>();
  let queues = 0;
  let tags = 0;
  const text = (s: string): Text => (names.has(s) ? { variable: names.get(s)! } : { literal: s });
  const declare = (v: string) => {
    if (declared.has(v)) reassigned.add(v);
    declared.add(v);
  };

  const closeChannel = (label: string) => open.delete(label);
  const closeConnection = (c: string) => {
    for (const [label, ref] of open) if (ref.connection === connVar(c)) open.delete(label);
    openConnections.delete(c);
  };

  rec.steps.forEach((step, index) => {
    switch (step.kind) {
      case 'open-connection': {
        const v = connVar(step.connection);
        declare(v);
        openConnections.add(step.connection);
        items.push({ kind: 'connect', connection: v, again: reassigned.has(v) });
        return;
      }
      case 'open-channel': {
        const label = `${step.connection}:${step.channel}`;
        const variable = naming.channel(step.connection, step.channel, onlyConnection, onlyChannel);
        declare(variable);
        const life = lifetime(rec, index, step.connection, step.channel);
        const ref: ChannelRef = {
          label,
          variable,
          received: naming.received(variable),
          connection: connVar(step.connection),
          confirm: life.some((s) => s.method === 'confirmSelect' && !s.error),
          mandatory: life.some((s) => s.method === 'basicPublish' && s.params.mandatory === true),
          receives: life.some((s) => s.method === 'basicGet' || s.method === 'basicConsume'),
        };
        if (ref.confirm) uses.confirm = true;
        open.set(label, ref);
        items.push({ kind: 'open', channel: ref, again: reassigned.has(variable) });
        return;
      }
      case 'sleep':
        uses.sleep = true;
        items.push({ kind: 'sleep', seconds: step.seconds });
        return;
      case 'call': {
        const label = `${step.connection}:${step.channel}`;
        const channel = open.get(label)!;
        if (step.error) {
          const closes = step.error.scope === 'connection' ? 'connection' : step.method === 'close' || step.method === 'closeConnection' ? 'nothing' : 'channel';
          items.push({ kind: 'refused', step, channel, closes });
          if (closes === 'connection') closeConnection(step.connection);
          else closeChannel(label);
          return;
        }
        let defines: string | undefined;
        if (step.method === 'queueDeclare' && step.params.queue === '' && !step.params.passive) {
          defines = naming.queue(++queues);
          names.set((step.result as { queue: string }).queue, defines);
        }
        const tag = (step.result as { consumerTag?: string } | undefined)?.consumerTag;
        if (step.method === 'basicConsume' && !step.params.consumerTag && tag && usedLater(rec, index, tag)) {
          defines = naming.consumerTag(++tags);
          names.set(tag, defines);
        }
        if (step.method === 'basicGet' || step.method === 'basicConsume') uses.received = true;
        items.push({ kind: 'call', step, channel, text, defines });
        if (step.method === 'close') closeChannel(label);
        if (step.method === 'closeConnection') closeConnection(step.connection);
        for (const [at, tag] of Object.entries(step.delivered)) {
          const ref = open.get(at);
          if (!ref) continue;
          uses.awaitDelivery = true;
          items.push({ kind: 'await-delivery', channel: ref, tag });
        }
        if (step.returned || step.cancelled.length) {
          uses.settle = true;
          items.push({ kind: 'settle' });
        }
        return;
      }
    }
  });
  for (const c of openConnections) items.push({ kind: 'close', connection: connVar(c) });
  return { items, reassigned, uses };
}

/** Whether a later step names `name` (a server-made consumer tag). */
function usedLater(rec: Recording, from: number, name: string): boolean {
  return rec.steps.slice(from + 1).some((s) => s.kind === 'call' && Object.values(s.params).includes(name));
}

/** The calls made on the channel opened at step `from`, until it is opened again. */
function lifetime(rec: Recording, from: number, connection: string, channel: number): CallStep[] {
  const calls: CallStep[] = [];
  for (let i = from + 1; i < rec.steps.length; i++) {
    const s = rec.steps[i];
    const here = 'connection' in s && s.connection === connection;
    if ((s.kind === 'open-channel' && here && s.channel === channel) || (s.kind === 'open-connection' && here)) break;
    if (s.kind === 'call' && here && s.channel === channel) calls.push(s);
  }
  return calls;
}

/** What a program says about a refused step (comment lines), and which variable it closes. */
export function refusedStep(item: Extract<PlanItem, { kind: 'refused' }>): { comments: string[]; close: string | null } {
  const comments = [`The sandbox's broker refused this step: ${commentText(refusal(item.step))}`];
  if (item.closes === 'nothing') return { comments, close: null };
  const what = item.closes === 'channel' ? `channel ${item.channel.label}` : 'the connection';
  comments.push(`and closed ${what}, so it is closed here too.`);
  return { comments, close: item.closes === 'channel' ? item.channel.variable : item.channel.connection };
}

/** `Queue.declare: (406) PRECONDITION_FAILED - …`, as the shell printed the refusal. */
export function refusal(step: CallStep): string {
  const command = METHOD_COMMANDS[step.method] ?? step.method;
  return `${command[0].toUpperCase()}${command.slice(1)}: (${step.error!.code}) ${step.error!.replyText}`;
}

const METHOD_COMMANDS: Record<string, string> = {
  exchangeDeclare: 'exchange.declare',
  exchangeDelete: 'exchange.delete',
  exchangeBind: 'exchange.bind',
  exchangeUnbind: 'exchange.unbind',
  queueDeclare: 'queue.declare',
  queueBind: 'queue.bind',
  queueUnbind: 'queue.unbind',
  queuePurge: 'queue.purge',
  queueDelete: 'queue.delete',
  basicPublish: 'basic.publish',
  basicGet: 'basic.get',
  basicAck: 'basic.ack',
  basicNack: 'basic.nack',
  basicReject: 'basic.reject',
  basicQos: 'basic.qos',
  basicConsume: 'basic.consume',
  basicCancel: 'basic.cancel',
  basicRecover: 'basic.recover',
  confirmSelect: 'confirm.select',
  close: 'channel.close',
  closeConnection: 'connection.close',
};
