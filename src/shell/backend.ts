/**
 * What the shell talks to: the sandbox's engine, or a real broker (the
 * amqplib backend in src/cli, Node only). Both speak in AMQP's terms and
 * report errors with RabbitMQ's reply codes and texts.
 */
import type { FieldTable } from '../core/fields.ts';
import type { MessageProperties } from '../core/message.ts';

/** An AMQP error as the shell prints it. */
export interface ShellAmqpError {
  code: number;
  replyText: string;
  classId: number;
  methodId: number;
  scope: 'channel' | 'connection';
}

export function isShellAmqpError(e: unknown): e is ShellAmqpError {
  return typeof e === 'object' && e !== null && typeof (e as ShellAmqpError).code === 'number' && typeof (e as ShellAmqpError).replyText === 'string';
}

export interface ShellMessage {
  body: Uint8Array;
  properties: MessageProperties;
}

export interface GotMessage {
  deliveryTag: number;
  redelivered: boolean;
  exchange: string;
  routingKey: string;
  messageCount: number;
  message: ShellMessage;
}

/** What the broker sends the shell's channels without being asked. */
export type AsyncOutput =
  | { kind: 'deliver'; at: string; consumerTag: string; deliveryTag: number; redelivered: boolean; exchange: string; routingKey: string; message: ShellMessage }
  | { kind: 'return'; at: string; replyCode: number; replyText: string; exchange: string; routingKey: string; message: ShellMessage }
  | { kind: 'cancel'; at: string; consumerTag: string };

export interface ShellChannel {
  exchangeDeclare(p: { exchange: string; type: string; passive: boolean; durable: boolean; autoDelete: boolean; internal: boolean; arguments: FieldTable }): Promise<void>;
  exchangeDelete(p: { exchange: string; ifUnused: boolean }): Promise<void>;
  exchangeBind(p: { destination: string; source: string; routingKey: string; arguments: FieldTable }): Promise<void>;
  exchangeUnbind(p: { destination: string; source: string; routingKey: string; arguments: FieldTable }): Promise<void>;
  queueDeclare(p: { queue: string; passive: boolean; durable: boolean; exclusive: boolean; autoDelete: boolean; arguments: FieldTable }): Promise<{
    queue: string;
    messageCount: number;
    consumerCount: number;
  }>;
  queueBind(p: { queue: string; exchange: string; routingKey: string; arguments: FieldTable }): Promise<void>;
  queueUnbind(p: { queue: string; exchange: string; routingKey: string; arguments: FieldTable }): Promise<void>;
  queuePurge(p: { queue: string }): Promise<{ messageCount: number }>;
  queueDelete(p: { queue: string; ifUnused: boolean; ifEmpty: boolean }): Promise<{ messageCount: number }>;
  /** In confirm mode, resolves with the publish's confirm. */
  basicPublish(p: {
    body: string;
    exchange: string;
    routingKey: string;
    mandatory: boolean;
    immediate: boolean;
    properties: MessageProperties;
  }): Promise<{ confirm?: { sequence: number; ack: boolean } }>;
  basicGet(p: { queue: string; noAck: boolean }): Promise<GotMessage | null>;
  basicAck(p: { deliveryTag: number; multiple: boolean }): Promise<void>;
  basicNack(p: { deliveryTag: number; multiple: boolean; requeue: boolean }): Promise<void>;
  basicReject(p: { deliveryTag: number; requeue: boolean }): Promise<void>;
  basicQos(p: { prefetchCount: number; global: boolean }): Promise<void>;
  basicConsume(p: { queue: string; noAck: boolean; exclusive: boolean; consumerTag: string; arguments: FieldTable }): Promise<{ consumerTag: string }>;
  basicCancel(p: { consumerTag: string }): Promise<void>;
  basicRecover(p: { requeue: boolean }): Promise<void>;
  confirmSelect(): Promise<void>;
  close(): Promise<void>;
  closeConnection(): Promise<void>;
}

export interface ShellBackend {
  /** The broker's address for the connect line, e.g. amqp://guest@localhost:5672//. */
  readonly url: string;
  /** Receives asynchronous output, in the order the broker sent it. */
  onOutput: (output: AsyncOutput) => void;
  isConnectionOpen(connection: string): boolean;
  openConnection(connection: string): Promise<void>;
  isChannelOpen(connection: string, channel: number): boolean;
  openChannel(connection: string, channel: number): Promise<void>;
  channel(connection: string, channel: number): ShellChannel;
  /** Lets asynchronous output arrive. */
  settle(): Promise<void>;
  /** Lets time pass: the sandbox's virtual clock, or real time against a broker. */
  sleep(seconds: number): Promise<void>;
  /** Existing exchange or queue names, for Tab completion. */
  names(kind: 'exchange' | 'queue'): string[];
  /** Closes everything (end of session). */
  shutdown(): Promise<void>;
}
