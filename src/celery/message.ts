/**
 * The Celery protocol 2 task message, as celery.app.amqp.AMQP.as_task_v2
 * builds it in Celery 5.2, and its AMQP form as kombu and py-amqp put it
 * on the wire:
 *
 *   headers     lang, task, id, shadow, eta, expires, group, group_index,
 *               retries, timelimit, root_id, parent_id, argsrepr,
 *               kwargsrepr, origin, ignore_result (+ the headers option)
 *   properties  correlation_id = id, reply_to (the app's oid),
 *               content_type application/json, content_encoding utf-8,
 *               delivery_mode, priority (absent when None), expiration
 *   body        json.dumps([args, kwargs, {callbacks, errbacks, chain, chord}])
 *
 * Header and argument values keep py-amqp's field types (ints as signed
 * 32-bit, or 64-bit beyond), so the broker sees what Celery would send.
 */
import type { FieldTable, FieldValue } from '../core/fields.ts';
import type { MessageProperties } from '../core/message.ts';
import { pyError } from './python/errors.ts';
import { jsonDumps } from './python/json.ts';
import { PyDict, PyFloat, PyList, PyObject, PyTuple, typeName, type PyValue } from './python/values.ts';
import { celerySaferepr } from './saferepr.ts';

export interface TaskMessage {
  /** Header table, in Celery's order, as Python values. */
  headers: PyDict;
  /** correlation_id and reply_to. */
  properties: PyDict;
  /** (args, kwargs, embed). */
  body: PyTuple;
}

export interface TaskMessageInput {
  taskId: string;
  name: string;
  args: PyValue;
  kwargs: PyValue;
  /** Virtual now (ms since the epoch), for countdown and expires. */
  now: number;
  countdown?: PyValue;
  eta?: PyValue;
  expires?: PyValue;
  groupId?: PyValue;
  groupIndex?: PyValue;
  retries?: PyValue;
  replyTo: string;
  timeLimit?: PyValue;
  softTimeLimit?: PyValue;
  rootId?: PyValue;
  parentId?: PyValue;
  shadow?: PyValue;
  origin: string;
  ignoreResult: boolean;
  argsrepr?: PyValue;
  kwargsrepr?: PyValue;
}

/** datetime.isoformat() of an aware UTC datetime. */
export function isoformat(ms: number): string {
  const d = new Date(Math.floor(ms));
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const micro = Math.round((ms - Math.floor(ms / 1000) * 1000) * 1000);
  const base = `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
  return `${base}${micro ? `.${pad(micro, 6)}` : ''}+00:00`;
}

function seconds(v: PyValue, what: string): number {
  if (typeof v === 'number') return v;
  if (v instanceof PyFloat) return v.value;
  if (typeof v === 'boolean') return v ? 1 : 0;
  throw pyError('TypeError', `${what} must be a number of seconds, not ${typeName(v)}`);
}

const INT_MIN = -2147483648;

/** AMQP.as_task_v2 */
export function taskMessage(m: TaskMessageInput): TaskMessage {
  const args = m.args === null || m.args === undefined || (m.args instanceof PyList && !m.args.items.length) || (m.args instanceof PyTuple && !m.args.items.length) ? new PyTuple([]) : m.args;
  const kwargs = m.kwargs === null || m.kwargs === undefined || (m.kwargs instanceof PyDict && !m.kwargs.size) ? new PyDict() : m.kwargs;
  if (!(args instanceof PyList || args instanceof PyTuple)) throw pyError('TypeError', 'task args must be a list or tuple');
  if (!(kwargs instanceof PyDict)) throw pyError('TypeError', 'task keyword arguments must be a mapping');
  let eta: PyValue = m.eta ?? null;
  let expires: PyValue = m.expires ?? null;
  const countdown = m.countdown ?? null;
  if (countdown !== null && countdown !== 0 && countdown !== false) {
    const s = seconds(countdown, 'countdown');
    if (s < INT_MIN) throw pyError('ValueError', `countdown is out of range: ${s}`);
    eta = isoformat(m.now + s * 1000);
  }
  if (expires !== null && typeof expires !== 'string') {
    const s = seconds(expires, 'expires');
    if (s < INT_MIN) throw pyError('ValueError', `expires is out of range: ${s}`);
    expires = isoformat(m.now + s * 1000);
  }
  if (eta !== null && typeof eta !== 'string') throw pyError('Unsupported', 'eta must be an ISO 8601 string in the sandbox (datetime objects are outside the subset)');
  const argsrepr = m.argsrepr ?? celerySaferepr(args, 1024);
  const kwargsrepr = m.kwargsrepr ?? celerySaferepr(kwargs, 1024);
  const rootId = m.rootId === null || m.rootId === undefined || m.rootId === '' ? m.taskId : m.rootId;
  const headers = PyDict.of([
    ['lang', 'py'],
    ['task', m.name],
    ['id', m.taskId],
    ['shadow', m.shadow ?? null],
    ['eta', eta],
    ['expires', expires],
    ['group', m.groupId ?? null],
    ['group_index', m.groupIndex ?? null],
    ['retries', m.retries ?? 0],
    ['timelimit', new PyList([m.timeLimit ?? null, m.softTimeLimit ?? null])],
    ['root_id', rootId],
    ['parent_id', m.parentId ?? null],
    ['argsrepr', argsrepr],
    ['kwargsrepr', kwargsrepr],
    ['origin', m.origin],
    ['ignore_result', m.ignoreResult],
  ]);
  const properties = PyDict.of([
    ['correlation_id', m.taskId],
    ['reply_to', m.replyTo || ''],
  ]);
  const body = new PyTuple([args, kwargs, PyDict.of([['callbacks', null], ['errbacks', null], ['chain', null], ['chord', null]])]);
  return { headers, properties, body };
}

/** A Python value as py-amqp encodes it in a field table. */
export function fieldValue(v: PyValue): FieldValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (typeof v === 'number') return { '!': v > 2147483647 || v < -2147483647 ? 'long' : 'int', value: v };
  if (v instanceof PyFloat) return { '!': 'double', value: v.value };
  if (v instanceof PyList || v instanceof PyTuple) return v.items.map(fieldValue);
  if (v instanceof PyDict) return fieldTable(v);
  throw pyError('TypeError', `${typeName(v)} cannot travel in an AMQP field table`);
}

export function fieldTable(d: PyDict): FieldTable {
  const out: FieldTable = {};
  for (const [k, v] of d.items()) {
    if (typeof k !== 'string') throw pyError('TypeError', `field table keys must be str, not ${typeName(k)}`);
    out[k] = fieldValue(v);
  }
  return out;
}

export interface WireMessage {
  body: Uint8Array;
  properties: MessageProperties;
}

/**
 * What kombu's Producer.publish and py-amqp make of the message: the JSON
 * body, and the properties py-amqp encodes (priority only when not None,
 * expiration as a string of milliseconds).
 */
export function wireMessage(msg: TaskMessage, opts: { deliveryMode: number; priority: PyValue; expiration: PyValue; extraProperties: PyDict }): WireMessage {
  const properties: MessageProperties = {
    contentType: 'application/json',
    contentEncoding: 'utf-8',
    headers: fieldTable(msg.headers),
    deliveryMode: opts.deliveryMode,
  };
  if (opts.priority !== null) {
    if (typeof opts.priority !== 'number') throw pyError('TypeError', `priority must be an int, not ${typeName(opts.priority)}`);
    if (opts.priority < 0 || opts.priority > 255) throw pyError('struct.error', 'ubyte format requires 0 <= number <= 255');
    properties.priority = opts.priority;
  }
  const all = msg.properties.copy();
  for (const [k, v] of opts.extraProperties.items()) all.set(k, v);
  const str = (v: PyValue) => (v === null ? undefined : String(v));
  const correlationId = str(all.get('correlation_id') ?? null);
  if (correlationId !== undefined) properties.correlationId = correlationId;
  const replyTo = str(all.get('reply_to') ?? null);
  if (replyTo !== undefined) properties.replyTo = replyTo;
  if (opts.expiration !== null) {
    const s = seconds(opts.expiration, 'expiration');
    properties.expiration = String(Math.trunc(s * 1000));
  }
  for (const [k, prop] of [['message_id', 'messageId'], ['type', 'type'], ['user_id', 'userId'], ['app_id', 'appId']] as const) {
    const v = all.get(k);
    if (v !== undefined && v !== null) properties[prop] = String(v);
  }
  const text = jsonDumps(msg.body);
  return { body: new TextEncoder().encode(text), properties };
}

export function isPyObject(v: PyValue): v is PyObject {
  return v instanceof PyObject;
}
