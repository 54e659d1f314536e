/**
 * AMQP errors as values: the reply code, RabbitMQ's reply text, the method
 * that failed and whether the channel or the whole connection dies.
 */

export const REPLY_NAMES: Record<number, string> = {
  311: 'CONTENT_TOO_LARGE',
  312: 'NO_ROUTE',
  313: 'NO_CONSUMERS',
  320: 'CONNECTION_FORCED',
  402: 'INVALID_PATH',
  403: 'ACCESS_REFUSED',
  404: 'NOT_FOUND',
  405: 'RESOURCE_LOCKED',
  406: 'PRECONDITION_FAILED',
  501: 'FRAME_ERROR',
  502: 'SYNTAX_ERROR',
  503: 'COMMAND_INVALID',
  504: 'CHANNEL_ERROR',
  505: 'UNEXPECTED_FRAME',
  506: 'RESOURCE_ERROR',
  530: 'NOT_ALLOWED',
  540: 'NOT_IMPLEMENTED',
  541: 'INTERNAL_ERROR',
};

const SOFT = new Set([311, 312, 313, 403, 404, 405, 406]);

/** Class and method ids of the methods a client sends. */
export const METHOD_IDS = {
  'connection.open': [10, 40],
  'channel.open': [20, 10],
  'channel.flow': [20, 20],
  'channel.close': [20, 40],
  'exchange.declare': [40, 10],
  'exchange.delete': [40, 20],
  'exchange.bind': [40, 30],
  'exchange.unbind': [40, 40],
  'queue.declare': [50, 10],
  'queue.bind': [50, 20],
  'queue.purge': [50, 30],
  'queue.delete': [50, 40],
  'queue.unbind': [50, 50],
  'basic.qos': [60, 10],
  'basic.consume': [60, 20],
  'basic.cancel': [60, 30],
  'basic.publish': [60, 40],
  'basic.get': [60, 70],
  'basic.ack': [60, 80],
  'basic.reject': [60, 90],
  'basic.recover-async': [60, 100],
  'basic.recover': [60, 110],
  'basic.nack': [60, 120],
  'tx.select': [90, 10],
  'tx.commit': [90, 20],
  'tx.rollback': [90, 30],
  'confirm.select': [85, 10],
  none: [0, 0],
} as const;

export type MethodName = keyof typeof METHOD_IDS;

export type ErrorScope = 'channel' | 'connection';

export class AmqpError extends Error {
  readonly code: number;
  /** The full reply text, e.g. "NOT_FOUND - no queue 'q' in vhost '/'". */
  readonly replyText: string;
  readonly method: MethodName;
  readonly classId: number;
  readonly methodId: number;
  readonly scope: ErrorScope;

  constructor(code: number, explanation: string, method: MethodName) {
    const text = truncate(`${REPLY_NAMES[code]} - ${explanation}`);
    super(text);
    this.name = 'AmqpError';
    this.code = code;
    this.replyText = text;
    this.method = method;
    [this.classId, this.methodId] = METHOD_IDS[method];
    this.scope = SOFT.has(code) ? 'channel' : 'connection';
  }
}

/** Reply texts longer than 255 bytes are cut to 252 bytes plus "...". */
function truncate(text: string): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length <= 255) return text;
  return `${new TextDecoder().decode(bytes.slice(0, 252)).replace(/\uFFFD$/, '')}...`;
}

/** `queue 'q' in vhost '/'` */
export function rs(kind: 'queue' | 'exchange', name: string, vhost = '/'): string {
  return `${kind} '${name}' in vhost '${vhost}'`;
}

export const err = {
  notFound: (kind: 'queue' | 'exchange', name: string, m: MethodName) => new AmqpError(404, `no ${rs(kind, name)}`, m),
  accessRefused: (text: string, m: MethodName) => new AmqpError(403, text, m),
  locked: (name: string, m: MethodName) =>
    new AmqpError(
      405,
      `cannot obtain exclusive access to locked ${rs('queue', name)}. It could be originally declared on another connection or the exclusive property value does not match that of the original declaration.`,
      m,
    ),
  precondition: (text: string, m: MethodName) => new AmqpError(406, text, m),
  defaultExchange: (m: MethodName) => new AmqpError(403, 'operation not permitted on the default exchange', m),
};
