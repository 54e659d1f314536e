/**
 * Replays a case of celery-recordings.json on the sandbox and returns the
 * same record the Python recorder made, normalised the same way, so tests
 * can compare them field by field.
 */
import { Broker } from '../../src/core/broker.ts';
import { valueOf, type FieldValue } from '../../src/core/fields.ts';
import type { MessageProperties } from '../../src/core/message.ts';
import { CeleryApp, failureOf } from '../../src/celery/app.ts';
import { CeleryBeat } from '../../src/celery/beat.ts';
import { CeleryProducer, declareQueue, type AmqpCall } from '../../src/celery/producer.ts';
import { parseJson } from '../../src/celery/python/json.ts';
import { PyDict, PyList, PyTuple } from '../../src/celery/python/values.ts';
import recordings from './fixtures/celery-recordings.json' with { type: 'json' };

export interface RecordedSend {
  task: string;
  via: string;
  args_json: string;
  kwargs_json: string;
  options_json: string;
  args_is_tuple: boolean;
  send_task: boolean;
  options: Record<string, unknown>;
  beat: string | null;
  error?: { type: string; message: string };
  route: unknown;
  amqp: unknown[];
}

export interface Recording {
  id: string;
  title: string;
  config: string;
  workers: number;
  setup: Array<{ method: string; queue?: string; exchange?: string; type?: string; durable?: boolean }>;
  load: { ok: true } | { type: string; message: string; line?: number; offset?: number };
  worker_amqp?: unknown[];
  sends: RecordedSend[];
  landed: unknown[];
  queues?: unknown[];
}

export interface RecordingsFile {
  celery: string;
  kombu: string;
  amqp: string;
  preamble: string;
  cases: Recording[];
  crontab: Array<{ crontab: Record<string, string | number>; repr: string; after: string; next: string[] }>;
  settings: Array<[string, string]>;
}

export const RECORDINGS = recordings as unknown as RecordingsFile;

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d:\d\d)?$/;

export function taskIdFor(n: number): string {
  return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
}

/** The recorder's Normalizer: ids, Broadcast names, UUIDs, dates and the origin node. */
export class Normalizer {
  private readonly ids = new Map<string, string>();
  private readonly bcast = new Map<string, string>();

  taskId(id: string, n: number): void {
    this.ids.set(id, `<id:${n}>`);
  }

  norm(v: unknown): unknown {
    if (Array.isArray(v)) return v.map((x) => this.norm(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.norm(k), this.norm(x)]));
    if (typeof v !== 'string') return v;
    if (this.ids.has(v)) return this.ids.get(v);
    if (ISO.test(v)) return '<datetime>';
    if (/^gen\d+@.+$/.test(v)) return 'gen<pid>@<host>';
    let s = v;
    for (const [id, ph] of this.ids) s = s.split(id).join(ph);
    s = s.replace(new RegExp(`bcast\\.${UUID.source}`, 'g'), (m) => {
      if (!this.bcast.has(m)) this.bcast.set(m, `bcast.${this.bcast.size + 1}`);
      return this.bcast.get(m)!;
    });
    return s.replace(UUID, '<uuid>');
  }
}

/** py-amqp's property names for what landed. */
function propertiesJson(p: MessageProperties): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const names: Array<[keyof MessageProperties, string]> = [
    ['contentType', 'content_type'],
    ['contentEncoding', 'content_encoding'],
    ['deliveryMode', 'delivery_mode'],
    ['priority', 'priority'],
    ['correlationId', 'correlation_id'],
    ['replyTo', 'reply_to'],
    ['expiration', 'expiration'],
    ['messageId', 'message_id'],
    ['type', 'type'],
  ];
  for (const [k, name] of names) if (p[k] !== undefined) out[name] = p[k];
  return out;
}

export function plain(v: FieldValue | undefined): unknown {
  if (v === undefined) return undefined;
  const raw = valueOf(v);
  if (Array.isArray(raw)) return raw.map((x) => plain(x as FieldValue));
  if (raw && typeof raw === 'object' && !(raw instanceof Uint8Array)) return Object.fromEntries(Object.entries(raw).map(([k, x]) => [k, plain(x as FieldValue)]));
  return raw;
}

export interface Replayed {
  load: { ok: true } | { type: string; message: string; line?: number; offset?: number };
  worker_amqp: unknown[];
  sends: Array<{ error?: { type: string; message: string }; route: unknown; amqp: unknown[]; via: string }>;
  landed: unknown[];
  queues: unknown[];
}

const SEED = 7;

export function replay(c: Recording): Replayed {
  const norm = new Normalizer();
  let app: CeleryApp;
  try {
    app = new CeleryApp(c.config, { seed: SEED });
  } catch (e) {
    const f = failureOf(e);
    const load = f.type === 'SyntaxError' || f.type === 'IndentationError' ? { type: f.type, message: f.message, line: f.line, offset: f.column } : { type: f.type, message: f.message };
    return { load, worker_amqp: [], sends: [], landed: [], queues: [] };
  }
  const broker = new Broker({ seed: 1 });
  const log: AmqpCall[] = [];
  const raw = broker.connect().openChannel();
  for (const op of c.setup) {
    if (op.method === 'queue_declare') {
      raw.queueDeclare({ queue: op.queue!, durable: op.durable ?? true });
      log.push({ method: 'queue_declare', queue: op.queue!, passive: false, durable: op.durable ?? true, exclusive: false, auto_delete: false, arguments: null });
    } else {
      raw.exchangeDeclare({ exchange: op.exchange!, type: op.type!, durable: op.durable ?? true });
    }
  }
  for (let k = 0; k < c.workers; k++) {
    const w = new CeleryApp(c.config, { seed: 100 + k });
    const ch = broker.connect().openChannel();
    for (const q of w.queues.values()) declareQueue(ch, q, log);
  }
  const workerAmqp = norm.norm(log) as unknown[];
  const declaredBefore = [...log];
  const producer = new CeleryProducer(app, broker);
  let beat: CeleryBeat | null = null;
  const sends: Replayed['sends'] = [];
  const allCalls: AmqpCall[] = [...declaredBefore];
  c.sends.forEach((s, n) => {
    const taskId = taskIdFor(n);
    norm.taskId(taskId, n);
    let result;
    if (s.beat) {
      beat ??= new CeleryBeat(producer, broker);
      result = beat.apply(s.beat, broker.now, taskId);
    } else {
      const args = parseJson(s.args_json);
      result = producer.send(s.task, {
        args: s.args_is_tuple && args instanceof PyList ? new PyTuple(args.items) : args,
        kwargs: parseJson(s.kwargs_json),
        options: parseJson(s.options_json) as PyDict,
        sendTask: s.send_task,
        taskId,
      });
    }
    allCalls.push(...result.amqp);
    sends.push({
      via: result.via,
      ...(result.error ? { error: { type: result.error.type, message: result.error.message } } : {}),
      route: result.route === undefined ? null : norm.norm(result.route),
      amqp: norm.norm(result.amqp) as unknown[],
    });
  });
  const queues: string[] = [];
  for (const call of allCalls) if (call.method === 'queue_declare' && call.queue && !queues.includes(call.queue)) queues.push(call.queue);
  const landed: unknown[] = [];
  const drain = broker.connect().openChannel();
  for (const q of queues) {
    for (;;) {
      const got = drain.basicGet({ queue: q, noAck: true });
      if (!got) break;
      const rawBody = new TextDecoder().decode(got.message.body);
      landed.push(
        norm.norm({
          queue: q,
          exchange: got.exchange,
          routing_key: got.routingKey,
          properties: propertiesJson(got.message.properties),
          headers: plain(got.message.properties.headers),
          body: JSON.parse(rawBody),
          raw_body: rawBody,
        }),
      );
    }
  }
  return { load: { ok: true }, worker_amqp: workerAmqp, sends, landed, queues: queues.map((q) => norm.norm(q)) };
}

/** The recording's amqp calls without py-amqp's nowait flag (the engine has no such thing). */
export function recordedCalls(calls: unknown[]): unknown[] {
  return calls.map((c) => {
    const { nowait: _nowait, ...rest } = c as Record<string, unknown>;
    return rest;
  });
}

export { PyDict };
