/**
 * Dead-lettering as RabbitMQ 3.10 does it: the message is republished to
 * the queue's dead-letter exchange with an x-death history, and is dropped
 * for any queue it would reach in a fully automatic cycle.
 */
import type { DeadLetterReason } from './events.ts';
import { valueOf, type FieldTable, type FieldValue } from './fields.ts';
import type { Message, MessageProperties } from './message.ts';

function headerStrings(headers: FieldTable | undefined, key: string): string[] {
  const v = headers?.[key];
  if (v === undefined || !Array.isArray(valueOf(v))) return [];
  return (valueOf(v) as FieldValue[]).map(valueOf).filter((x): x is string => typeof x === 'string');
}

function asTable(v: FieldValue): FieldTable | null {
  const raw = valueOf(v);
  return raw && typeof raw === 'object' && !Array.isArray(raw) && !(raw instanceof Uint8Array) ? (raw as FieldTable) : null;
}

/** Builds the dead-lettered copy of a message (RabbitMQ's make_msg). */
export function deadLetterMessage(
  id: number,
  message: Message,
  reason: DeadLetterReason,
  queueName: string,
  dlx: string,
  dlRoutingKey: string | undefined,
  nowSeconds: number,
): Message {
  const props = message.properties;
  const headers: FieldTable = { ...(props.headers ?? {}) };
  const ccKeys = headerStrings(props.headers, 'CC');

  const entry: FieldTable = {
    count: { '!': 'long', value: 1 },
    reason,
    queue: queueName,
    time: { '!': 'timestamp', value: nowSeconds },
    exchange: message.exchange,
    'routing-keys': [message.routingKey, ...ccKeys],
  };
  if (props.expiration !== undefined) entry['original-expiration'] = props.expiration;

  const previous = headers['x-death'] !== undefined && Array.isArray(valueOf(headers['x-death']!)) ? (valueOf(headers['x-death']!) as FieldValue[]) : [];
  const deaths: FieldValue[] = [];
  let updated: FieldTable | null = null;
  for (const d of previous) {
    const t = asTable(d);
    if (!updated && t && valueOf(t.queue as FieldValue) === queueName && valueOf(t.reason as FieldValue) === reason) {
      const count = Number(valueOf((t.count ?? 0) as FieldValue)) + 1;
      updated = { ...t, count: { '!': 'long', value: count } };
    } else deaths.push(d);
  }
  headers['x-death'] = [updated ?? entry, ...deaths];
  if (headers['x-first-death-reason'] === undefined) {
    headers['x-first-death-reason'] = reason;
    headers['x-first-death-queue'] = queueName;
    headers['x-first-death-exchange'] = message.exchange;
  }
  if (dlRoutingKey !== undefined) delete headers.CC;

  const properties: MessageProperties = { ...props, headers };
  delete properties.expiration;

  return {
    id,
    exchange: dlx,
    routingKey: dlRoutingKey ?? message.routingKey,
    routingKeys: dlRoutingKey !== undefined ? [dlRoutingKey] : message.routingKeys,
    properties,
    body: message.body,
    persistent: message.persistent,
  };
}

/**
 * Would delivering this dead-lettered message to `queueName` close a cycle
 * with no rejection in it? (RabbitMQ's is_cycle/2 over the new x-death.)
 */
export function isDeadLetterCycle(reason: DeadLetterReason, message: Message, queueName: string): boolean {
  if (reason === 'rejected') return false;
  const deaths = message.properties.headers?.['x-death'];
  if (deaths === undefined) return false;
  const list = (valueOf(deaths) as FieldValue[]).map(asTable);
  const at = list.findIndex((d) => d !== null && valueOf(d.queue as FieldValue) === queueName);
  if (at < 0) return false;
  return list.slice(0, at + 1).every((d) => d !== null && valueOf(d.reason as FieldValue) !== 'rejected');
}
