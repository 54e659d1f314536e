/**
 * What amqplib's codec does to values on their way through the wire,
 * without the wire: options become AMQP fields, and field values come back
 * the way amqplib decodes them.
 */
import { isTyped, typeOf, valueOf, type FieldTable, type FieldValue } from '../fields.ts';
import { PROPERTY_NAMES, type MessageProperties } from '../message.ts';

/** amqplib's Args: explicit options win over the same key in `arguments`. */
export function withOptions(base: FieldTable | undefined, extra: Record<string, unknown>): FieldTable {
  const out: FieldTable = {};
  if (base) for (const k in base) if (base[k] !== undefined) out[k] = base[k];
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) out[k] = v as FieldValue;
  return out;
}

export interface PublishOptions {
  expiration?: string | number;
  userId?: string;
  CC?: string | string[];
  BCC?: string | string[];
  priority?: number;
  persistent?: boolean;
  deliveryMode?: boolean | number;
  mandatory?: boolean;
  contentType?: string;
  contentEncoding?: string;
  headers?: FieldTable;
  correlationId?: string;
  replyTo?: string;
  messageId?: string;
  timestamp?: number;
  type?: string;
  appId?: string;
}

const toList = (v: string | string[] | undefined) => (v === undefined ? undefined : Array.isArray(v) ? v.map(String) : [String(v)]);

/** amqplib's Args.publish: options to basic properties. */
export function publishProperties(options: PublishOptions = {}): MessageProperties {
  const headers = withOptions(options.headers, { CC: toList(options.CC), BCC: toList(options.BCC) });
  let deliveryMode: number | undefined;
  if (options.persistent !== undefined) deliveryMode = options.persistent ? 2 : 1;
  else if (typeof options.deliveryMode === 'number') deliveryMode = options.deliveryMode;
  else if (options.deliveryMode) deliveryMode = 2;
  const props: MessageProperties = {
    contentType: options.contentType,
    contentEncoding: options.contentEncoding,
    headers,
    deliveryMode,
    priority: options.priority,
    correlationId: options.correlationId,
    replyTo: options.replyTo,
    expiration: options.expiration === undefined ? undefined : options.expiration.toString(),
    messageId: options.messageId,
    timestamp: options.timestamp,
    type: options.type,
    userId: options.userId,
    appId: options.appId,
  };
  for (const k of PROPERTY_NAMES) if (props[k] === undefined) delete props[k];
  return props;
}

/** A field value as amqplib decodes it. */
export function decodeValue(v: FieldValue): unknown {
  const t = typeOf(v);
  const raw = valueOf(v);
  switch (t) {
    case 'timestamp':
      return { '!': 'timestamp', value: Number(raw) };
    case 'decimal':
      return { '!': 'decimal', value: raw };
    case 'array':
      return (raw as FieldValue[]).map(decodeValue);
    case 'table':
      return decodeTable(raw as FieldTable);
    case 'binary':
      return toContent(raw as Uint8Array);
    case 'long':
      return Number(raw);
    default:
      return isTyped(v) ? raw : v;
  }
}

export function decodeTable(t: FieldTable): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(t)) if (t[k] !== undefined) out[k] = decodeValue(t[k] as FieldValue);
  return out;
}

/** The properties object amqplib hands out: every key, undefined when absent. */
export function decodeProperties(p: MessageProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PROPERTY_NAMES) out[k] = k === 'headers' ? (p.headers ? decodeTable(p.headers) : undefined) : p[k];
  return out;
}

interface BufferLike {
  from(bytes: Uint8Array): Uint8Array;
}

/** Message content: a Buffer where there is one (Node), else bytes that print as text. */
export function toContent(bytes: Uint8Array): Uint8Array {
  const B = (globalThis as { Buffer?: BufferLike }).Buffer;
  if (B) return B.from(bytes);
  const copy = new TextContent(bytes.length);
  copy.set(bytes);
  return copy;
}

class TextContent extends Uint8Array {
  override toString(): string {
    return new TextDecoder().decode(this);
  }
}

export function fromContent(content: Uint8Array | string | ArrayBuffer): Uint8Array {
  if (typeof content === 'string') return new TextEncoder().encode(content);
  if (content instanceof ArrayBuffer) return new Uint8Array(content);
  return new Uint8Array(content.buffer, content.byteOffset, content.byteLength).slice();
}
