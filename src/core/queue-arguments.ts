/**
 * Classic-queue arguments: validation when a queue is created and the
 * equivalence check when it is declared again, in RabbitMQ's words.
 */
import { AmqpError, rs, type MethodName } from './errors.ts';
import { isIntegerType, renderValue, strictEquals, typeClass, typeOf, valueOf, type FieldTable, type FieldValue } from './fields.ts';

const MAX_EXPIRY = 315360000000;

type Check = (v: FieldValue, args: FieldTable) => string | null;

const intCheck = (v: FieldValue): string | null => (isIntegerType(typeOf(v)) ? null : `"expected integer, got ${typeOf(v)}"`);

const expiry = (n: number): string | null => {
  if (n < 0) return `{value_negative,${n}}`;
  if (n > MAX_EXPIRY) return `{value_too_large,${n}}`;
  return null;
};

const nonNegInt: Check = (v) => intCheck(v) ?? (Number(valueOf(v)) < 0 ? `{value_negative,${valueOf(v)}}` : null);

const oneOf =
  (values: string[], invalid: (s: string) => string): Check =>
  (v) => {
    if (typeOf(v) !== 'longstr') return `{unacceptable_type,${typeOf(v)}}`;
    return values.includes(valueOf(v) as string) ? null : invalid(valueOf(v) as string);
  };

/** RabbitMQ's declare_args/0, in its order. */
const DECLARE_ARGS: Array<[string, Check]> = [
  ['x-expires', (v) => intCheck(v) ?? (Number(valueOf(v)) === 0 ? '{value_zero,0}' : expiry(Number(valueOf(v))))],
  ['x-message-ttl', (v) => intCheck(v) ?? expiry(Number(valueOf(v)))],
  ['x-dead-letter-exchange', (v) => (typeOf(v) === 'longstr' ? null : `{unacceptable_type,${typeOf(v)}}`)],
  [
    'x-dead-letter-routing-key',
    (v, args) => {
      if (typeOf(v) !== 'longstr') return `{unacceptable_type,${typeOf(v)}}`;
      return args['x-dead-letter-exchange'] === undefined ? 'routing_key_but_no_dlx_defined' : null;
    },
  ],
  ['x-max-length', nonNegInt],
  ['x-max-length-bytes', nonNegInt],
  ['x-max-in-memory-length', nonNegInt],
  ['x-max-in-memory-bytes', nonNegInt],
  [
    'x-max-priority',
    (v) => {
      const bad = nonNegInt(v, {});
      if (bad) return bad;
      const n = Number(valueOf(v));
      return n > 255 ? `{max_value_exceeded,${n}}` : null;
    },
  ],
  ['x-overflow', oneOf(['drop-head', 'reject-publish', 'reject-publish-dlx'], () => 'invalid_overflow')],
  ['x-queue-mode', oneOf(['default', 'lazy'], (s) => `"unsupported queue mode '${s}'"`)],
  ['x-single-active-consumer', (v) => (typeOf(v) === 'bool' ? null : `{unacceptable_type,${typeOf(v)}}`)],
  ['x-queue-type', oneOf(['classic'], (s) => `"unsupported queue type '${s}'"`)],
];

/** Arguments that only other queue types accept. */
const OTHER_TYPE_ARGS = new Set([
  'x-delivery-limit',
  'x-dead-letter-strategy',
  'x-max-age',
  'x-quorum-initial-group-size',
  'x-initial-cluster-size',
  'x-queue-leader-locator',
  'x-stream-max-segment-size-bytes',
  'x-max-in-memory-length',
  'x-max-in-memory-bytes',
]);

/** Arguments compared when a classic queue is declared again. */
const EQUIVALENCE_ARGS = [
  'x-expires',
  'x-message-ttl',
  'x-dead-letter-exchange',
  'x-dead-letter-routing-key',
  'x-max-length',
  'x-max-length-bytes',
  'x-max-priority',
  'x-overflow',
  'x-queue-mode',
  'x-queue-version',
  'x-single-active-consumer',
  'x-queue-type',
  'x-queue-master-locator',
];

export function validateQueueArguments(name: string, args: FieldTable, method: MethodName): void {
  const dlx = args['x-dead-letter-exchange'];
  if (dlx !== undefined && typeOf(dlx) !== 'longstr') {
    throw new AmqpError(406, `invalid type '${typeOf(dlx)}' for arg 'x-dead-letter-exchange' in ${rs('queue', name)}`, method);
  }
  for (const key of Object.keys(args)) {
    if (args[key] !== undefined && OTHER_TYPE_ARGS.has(key)) {
      throw new AmqpError(406, `invalid arg '${key}' for ${rs('queue', name)} of queue type rabbit_classic_queue`, method);
    }
  }
  for (const [key, check] of DECLARE_ARGS) {
    const v = args[key];
    if (v === undefined) continue;
    const problem = check(v, args);
    if (problem) throw new AmqpError(406, `invalid arg '${key}' for ${rs('queue', name)}: ${problem}`, method);
  }
}

function describe(v: FieldValue | undefined): string {
  return v === undefined ? 'none' : `the value '${renderValue(v)}' of type '${typeOf(v)}'`;
}

/** RabbitMQ's assert_args_equivalence for one key. */
export function assertArgEquivalent(
  kind: 'queue' | 'exchange',
  name: string,
  key: string,
  current: FieldValue | undefined,
  received: FieldValue | undefined,
  method: MethodName,
): void {
  if (current === undefined && received === undefined) return;
  if (current !== undefined && received !== undefined) {
    if (strictEquals(current, received)) return;
    if (typeClass(typeOf(current)) === typeClass(typeOf(received)) && looseValueEqual(current, received)) return;
    throw new AmqpError(
      406,
      `inequivalent arg '${key}' for ${rs(kind, name)}: received '${renderValue(received)}' but current is '${renderValue(current)}'`,
      method,
    );
  }
  throw new AmqpError(406, `inequivalent arg '${key}' for ${rs(kind, name)}: received ${describe(received)} but current is ${describe(current)}`, method);
}

function looseValueEqual(a: FieldValue, b: FieldValue): boolean {
  const av = valueOf(a);
  const bv = valueOf(b);
  return typeof av === 'number' && typeof bv === 'number' ? av === bv : strictEquals(a, b);
}

export function assertQueueArgsEquivalent(name: string, current: FieldTable, received: FieldTable, method: MethodName): void {
  for (const key of EQUIVALENCE_ARGS) {
    let c = current[key];
    let r = received[key];
    if (key === 'x-queue-type') {
      c ??= 'classic';
      r ??= 'classic';
    }
    assertArgEquivalent('queue', name, key, c, r, method);
  }
}

/** `inequivalent arg 'durable' …: received 'true' but current is 'false'` */
export function assertFieldEquivalent(
  kind: 'queue' | 'exchange',
  name: string,
  field: string,
  current: string | boolean,
  received: string | boolean,
  method: MethodName,
): void {
  if (current === received) return;
  throw new AmqpError(406, `inequivalent arg '${field}' for ${rs(kind, name)}: received '${received}' but current is '${current}'`, method);
}
