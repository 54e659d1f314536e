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

/**
 * Each property's name as AMQP's Python clients spell it (pika, py-amqp,
 * kombu, the `celery amqp` shell), in the order of the protocol's property
 * flags. py-amqp alone calls `headers` `application_headers`.
 */
export const SNAKE_PROPERTY_NAMES: Readonly<Record<keyof MessageProperties, string>> = {
  contentType: 'content_type',
  contentEncoding: 'content_encoding',
  headers: 'headers',
  deliveryMode: 'delivery_mode',
  priority: 'priority',
  correlationId: 'correlation_id',
  replyTo: 'reply_to',
  expiration: 'expiration',
  messageId: 'message_id',
  timestamp: 'timestamp',
  type: 'type',
  userId: 'user_id',
  appId: 'app_id',
  clusterId: 'cluster_id',
};

/** Every property, in the order of the protocol's property flags. */
export const PROPERTY_NAMES = Object.keys(SNAKE_PROPERTY_NAMES) as ReadonlyArray<keyof MessageProperties>;

/** What makes a message, but for the keys it was routed with (see Message). */
export interface MessageParts {
  readonly id: number;
  /** The exchange it was published (or dead-lettered) to. */
  readonly exchange: string;
  /** The publish routing key. */
  readonly routingKey: string;
  readonly properties: MessageProperties;
  readonly body: Uint8Array;
}

/** A published message. Each queue holds its own QueuedMessage pointing here. */
export interface Message extends MessageParts {
  /** Every key it was routed with: the publish key, then CC, then BCC. */
  readonly routingKeys: readonly string[];
  readonly persistent: boolean;
}

/**
 * Makes a message object. Every Message the engine makes comes from here,
 * so they all share one shape.
 */
export function newMessage(id: number, exchange: string, routingKey: string, routingKeys: readonly string[], properties: MessageProperties, body: Uint8Array): Message {
  return { id, exchange, routingKey, routingKeys, properties, body, persistent: properties.deliveryMode === 2 };
}

/** The message of a publish with its routing key alone (no CC/BCC), from its parts. */
export function restoreMessage(id: number, exchange: string, routingKey: string, properties: MessageProperties, body: Uint8Array): Message {
  return newMessage(id, exchange, routingKey, [routingKey], properties, body);
}

/** The message `parts` stand for: themselves, or made from them when they are a publish's parts (`fresh`). */
export function messageOf(parts: MessageParts, fresh: boolean): Message {
  return fresh ? restoreMessage(parts.id, parts.exchange, parts.routingKey, parts.properties, parts.body) : (parts as Message);
}

/**
 * A publish's parts before any Message is made, in a scratch object its
 * channel fills again for the next publish (Channel.publish).
 */
export class PublishParts implements MessageParts {
  id = 0;
  exchange = '';
  routingKey = '';
  properties: MessageProperties = {};
  body: Uint8Array = new Uint8Array(0);
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
