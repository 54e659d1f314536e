import type { FieldTable } from './fields.ts';

/** The 14 basic properties, under amqplib's names. Absent stays absent. */
export interface MessageProperties {
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  deliveryMode?: number;
  priority?: number;
  correlationId?: string;
  replyTo?: string;
  expiration?: string;
  messageId?: string;
  timestamp?: number;
  type?: string;
  userId?: string;
  appId?: string;
  clusterId?: string;
}

export const PROPERTY_NAMES: ReadonlyArray<keyof MessageProperties> = [
  'contentType',
  'contentEncoding',
  'headers',
  'deliveryMode',
  'priority',
  'correlationId',
  'replyTo',
  'expiration',
  'messageId',
  'timestamp',
  'type',
  'userId',
  'appId',
  'clusterId',
];

/** A published message. Each queue holds its own QueuedMessage pointing here. */
export interface Message {
  readonly id: number;
  /** The exchange it was published (or dead-lettered) to. */
  readonly exchange: string;
  /** The publish routing key. */
  readonly routingKey: string;
  /** Every key it was routed with: the publish key, then CC, then BCC. */
  readonly routingKeys: readonly string[];
  readonly properties: MessageProperties;
  readonly body: Uint8Array;
  readonly persistent: boolean;
}

/**
 * Makes a message object. Every Message the engine makes comes from here,
 * so they all share one shape.
 */
export function newMessage(id: number, exchange: string, routingKey: string, routingKeys: readonly string[], properties: MessageProperties, body: Uint8Array): Message {
  return { id, exchange, routingKey, routingKeys, properties, body, persistent: properties.deliveryMode === 2 };
}

/** A message published with its routing key alone (no CC/BCC), made again from its parts. */
export function restoreMessage(id: number, exchange: string, routingKey: string, properties: MessageProperties, body: Uint8Array): Message {
  return newMessage(id, exchange, routingKey, [routingKey], properties, body);
}

/** One copy of a message in one queue. */
export class QueuedMessage {
  redelivered = false;
  constructor(
    readonly message: Message,
    /** Enqueue order in its queue: requeued copies go back to this place. */
    readonly seq: number,
    /** Virtual time at which it expires (Infinity: never). */
    readonly expiresAt: number,
    readonly priority: number,
  ) {}

  get size(): number {
    return this.message.body.length;
  }
}

const encoder = new TextEncoder();

export function toBytes(body: Uint8Array | string): Uint8Array {
  return typeof body === 'string' ? encoder.encode(body) : body;
}
