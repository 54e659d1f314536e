/**
 * Messages as the shell prints them: Python dicts, pretty-printed by a port
 * of pprint.pformat, with py-amqp's property names.
 */
import { typeOf, valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';
import { SNAKE_PROPERTY_NAMES, type MessageProperties } from '../core/message.ts';
import type { AsyncOutput, GotMessage, ShellMessage } from './backend.ts';
import { pformat, pyBytes, pyDict, pyFloat, type PyValue } from './pprint.ts';

/** py-amqp's property names, in the engine's order. */
const PROPERTY_NAMES = Object.entries(SNAKE_PROPERTY_NAMES).map(([key, name]) => [key as keyof MessageProperties, key === 'headers' ? 'application_headers' : name] as const);

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A body is a str when it is UTF-8, else bytes. */
function body(bytes: Uint8Array): PyValue {
  try {
    return utf8.decode(bytes);
  } catch {
    return pyBytes(bytes);
  }
}

/** A header value, typed as py-amqp decodes it (timestamps as integer seconds). */
function fieldToPy(v: FieldValue): PyValue {
  const raw = valueOf(v);
  switch (typeOf(v)) {
    case 'longstr':
      return raw as string;
    case 'bool':
      return raw as boolean;
    case 'void':
      return null;
    case 'double':
    case 'float':
      return pyFloat(raw as number);
    case 'array':
      return (raw as FieldValue[]).map(fieldToPy);
    case 'table':
      return tableToPy(raw as FieldTable);
    case 'binary':
      return pyBytes(raw as Uint8Array);
    case 'decimal': {
      const d = raw as { places: number; digits: number };
      return pyFloat(d.digits / 10 ** d.places);
    }
    default:
      return Number(raw);
  }
}

function tableToPy(t: FieldTable): PyValue {
  return pyDict(Object.keys(t).filter((k) => t[k] !== undefined).map((k) => [k, fieldToPy(t[k] as FieldValue)] as const));
}

function propertiesToPy(p: MessageProperties): PyValue {
  const entries: Array<readonly [string, PyValue]> = [];
  for (const [key, name] of PROPERTY_NAMES) {
    const v = p[key];
    if (v === undefined) continue;
    entries.push([name, key === 'headers' ? tableToPy(v as FieldTable) : (v as PyValue)]);
  }
  return pyDict(entries);
}

function messageDict(m: ShellMessage, infoKey: string, info: Record<string, PyValue>): string {
  return pformat(pyDict([['body', body(m.body)], [infoKey, pyDict(info)], ['properties', propertiesToPy(m.properties)]]));
}

export function formatGet(got: GotMessage): string {
  return messageDict(got.message, 'delivery_info', {
    delivery_tag: got.deliveryTag,
    exchange: got.exchange,
    message_count: got.messageCount,
    redelivered: got.redelivered,
    routing_key: got.routingKey,
  });
}

export function formatDelivery(d: Extract<AsyncOutput, { kind: 'deliver' }>): string {
  return messageDict(d.message, 'delivery_info', {
    consumer_tag: d.consumerTag,
    delivery_tag: d.deliveryTag,
    exchange: d.exchange,
    redelivered: d.redelivered,
    routing_key: d.routingKey,
  });
}

export function formatReturn(r: Extract<AsyncOutput, { kind: 'return' }>): string {
  return messageDict(r.message, 'return_info', {
    exchange: r.exchange,
    reply_code: r.replyCode,
    reply_text: r.replyText,
    routing_key: r.routingKey,
  });
}
