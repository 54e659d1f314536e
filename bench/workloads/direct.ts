/**
 * Workload 1: publish → route (direct exchange) → deliver → ack, one
 * consumer, 16-byte bodies.
 *
 * - immediate: the consumer acks inside its delivery callback; the queue is
 *   always empty (each message goes straight to the consumer).
 * - backlog: `waiting` messages sit ready in the queue and the consumer has
 *   prefetch 1 and acks outside the callback: each round trip publishes one
 *   message (appended behind the backlog) and acks the delivery it holds,
 *   which delivers the message at the head. The backlog stays constant.
 * - get: the same backlog, drained with basic.get + ack instead of a consumer.
 */
import { Broker as Smqp, type ConsumeMessage } from 'smqp';
import type { EngineModule } from '../lib/engine.ts';
import { measureRate } from '../lib/measure.ts';
import { check, type Figure, type WarrenBroker, type WarrenChannel } from './types.ts';

const BODY = new Uint8Array(16);
/** Where the events-on subscriber keeps the last event. */
export let lastEvent: unknown = null;

function warrenSetup(W: EngineModule, events: boolean): { broker: WarrenBroker; ch: WarrenChannel; events: () => number } {
  const broker = new W.Broker({ seed: 1 });
  let count = 0;
  // Counts events and keeps the last one, as any real subscriber keeps what
  // it is told: the events escape, so the JIT cannot elide building them.
  if (events)
    broker.subscribe((e) => {
      count++;
      lastEvent = e;
    });
  const ch = broker.connect().openChannel();
  ch.exchangeDeclare({ exchange: 'x', type: 'direct' });
  ch.queueDeclare({ queue: 'q' });
  ch.queueBind({ queue: 'q', exchange: 'x', routingKey: 'k' });
  return { broker, ch, events: () => count };
}

/** Round trips/s, consumer acking in its callback. */
export function warrenImmediate(W: EngineModule, events: boolean): Figure {
  const { broker, ch, events: eventCount } = warrenSetup(W, events);
  let delivered = 0;
  ch.client = {
    deliver: (d) => {
      delivered++;
      ch.basicAck({ deliveryTag: d.deliveryTag });
    },
  };
  ch.basicConsume({ queue: 'q' });
  const params = { exchange: 'x', routingKey: 'k', body: BODY };
  let published = 0;
  const before = eventCount();
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) ch.basicPublish(params);
    published += n;
  });
  const q = broker.queues.get('q')!;
  check(delivered === published, `warren delivered ${delivered} of ${published}`);
  check(q.messageCount === 0 && q.unackedCount === 0, 'warren queue drained and acked');
  const perTrip = (eventCount() - before) / published;
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds, detail: events ? `${perTrip.toFixed(1)} events per round trip reached the subscriber` : undefined };
}

export function smqpImmediate(): Figure {
  const broker = Smqp();
  broker.assertExchange('x', 'direct', { autoDelete: false });
  const q = broker.assertQueue('q', { autoDelete: false });
  broker.bindQueue('q', 'x', 'k');
  let delivered = 0;
  broker.consume('q', (_key: string, msg: ConsumeMessage) => {
    delivered++;
    msg.ack();
  });
  let published = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) broker.publish('x', 'k', BODY);
    published += n;
  });
  check(delivered === published, `smqp delivered ${delivered} of ${published}`);
  check(q.messageCount === 0, 'smqp queue drained');
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

/** Round trips/s with `waiting` ready messages, prefetch-1 consumer. */
export function warrenBacklog(W: EngineModule, waiting: number): Figure {
  const { broker, ch } = warrenSetup(W, false);
  const params = { exchange: 'x', routingKey: 'k', body: BODY };
  for (let i = 0; i <= waiting; i++) ch.basicPublish(params);
  let held = 0;
  let delivered = 0;
  ch.client = {
    deliver: (d) => {
      delivered++;
      held = d.deliveryTag;
    },
  };
  ch.basicQos({ prefetchCount: 1 });
  ch.basicConsume({ queue: 'q' });
  const q = broker.queues.get('q')!;
  check(q.messageCount === waiting && delivered === 1, 'warren backlog in place');
  let trips = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) {
      ch.basicPublish(params);
      ch.basicAck({ deliveryTag: held });
    }
    trips += n;
  });
  check(q.messageCount === waiting && q.unackedCount === 1 && delivered === trips + 1, `warren backlog stayed at ${waiting}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

export function smqpBacklog(waiting: number): Figure {
  const broker = Smqp();
  broker.assertExchange('x', 'direct', { autoDelete: false });
  const q = broker.assertQueue('q', { autoDelete: false });
  broker.bindQueue('q', 'x', 'k');
  for (let i = 0; i <= waiting; i++) broker.publish('x', 'k', BODY);
  let held: ConsumeMessage | null = null;
  let delivered = 0;
  broker.consume(
    'q',
    (_key: string, msg: ConsumeMessage) => {
      delivered++;
      held = msg;
    },
    { prefetch: 1 },
  );
  // smqp counts the one held (pending) message in messageCount.
  check(q.messageCount === waiting + 1 && delivered === 1, 'smqp backlog in place');
  let trips = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) {
      broker.publish('x', 'k', BODY);
      held!.ack();
    }
    trips += n;
  });
  check(q.messageCount === waiting + 1 && delivered === trips + 1, `smqp backlog stayed at ${waiting}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

/** publish + basic.get + ack per round trip, `waiting` messages ahead. */
export function warrenGet(W: EngineModule, waiting: number): Figure {
  const { broker, ch } = warrenSetup(W, false);
  const params = { exchange: 'x', routingKey: 'k', body: BODY };
  for (let i = 0; i < waiting; i++) ch.basicPublish(params);
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) {
      ch.basicPublish(params);
      ch.basicAck({ deliveryTag: ch.basicGet({ queue: 'q' })!.deliveryTag });
    }
  });
  const q = broker.queues.get('q')!;
  check(q.messageCount === waiting && q.unackedCount === 0, `warren get backlog stayed at ${waiting}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

export function smqpGet(waiting: number): Figure {
  const broker = Smqp();
  broker.assertExchange('x', 'direct', { autoDelete: false });
  const q = broker.assertQueue('q', { autoDelete: false });
  broker.bindQueue('q', 'x', 'k');
  for (let i = 0; i < waiting; i++) broker.publish('x', 'k', BODY);
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) {
      broker.publish('x', 'k', BODY);
      q.get()!.ack();
    }
  });
  check(q.messageCount === waiting, `smqp get backlog stayed at ${waiting}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}
