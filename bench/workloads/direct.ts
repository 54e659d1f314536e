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
import { measurePaired, measureRate, type Runner } from '../lib/measure.ts';
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

/** Round trips with `waiting` ready messages, prefetch-1 consumer acking outside its callback. */
export function warrenBacklogTrips(W: EngineModule, waiting: number): Runner {
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
  return {
    trips: (n) => {
      for (let i = 0; i < n; i++) {
        ch.basicPublish(params);
        ch.basicAck({ deliveryTag: held });
      }
      trips += n;
    },
    verify: () => check(q.messageCount === waiting && q.unackedCount === 1 && delivered === trips + 1, `warren backlog stayed at ${waiting}`),
  };
}

/** publish + basic.get + ack per round trip, `waiting` messages ahead. */
export function warrenGetTrips(W: EngineModule, waiting: number): Runner {
  const { broker, ch } = warrenSetup(W, false);
  const params = { exchange: 'x', routingKey: 'k', body: BODY };
  for (let i = 0; i < waiting; i++) ch.basicPublish(params);
  const q = broker.queues.get('q')!;
  return {
    trips: (n) => {
      for (let i = 0; i < n; i++) {
        ch.basicPublish(params);
        ch.basicAck({ deliveryTag: ch.basicGet({ queue: 'q' })!.deliveryTag });
      }
    },
    verify: () => check(q.messageCount === waiting && q.unackedCount === 0, `warren get backlog stayed at ${waiting}`),
  };
}

/** A backlog workload made for a given number of waiting messages. */
export type Backlog = (waiting: number) => Runner;

/** Round trips/s of one backlog workload, in a process of its own. */
export function backlogRate(make: Backlog, waiting: number): Figure {
  const run = make(waiting);
  const rate = measureRate(run.trips);
  run.verify();
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

/**
 * The rate at 100,000 waiting ÷ the rate at 10, both measured in one
 * process by `measurePaired`: the same compiled code runs both, so the
 * ratio is the backlog's own cost, not which JIT mode each of two
 * processes landed in.
 */
export function backlogRatio(make: Backlog): Figure {
  const pair = measurePaired(
    () => make(10),
    () => make(100_000),
  );
  const perSecond = (r: number) => `${Math.round(r).toLocaleString('en-US')}/s`;
  return {
    value: pair.ratio,
    samples: pair.ratios,
    min: Math.min(...pair.ratios),
    max: Math.max(...pair.ratios),
    detail: `10 waiting ${perSecond(pair.a.median)}, 100,000 waiting ${perSecond(pair.b.median)}`,
  };
}

function smqpSetup(): { broker: ReturnType<typeof Smqp>; q: ReturnType<ReturnType<typeof Smqp>['assertQueue']> } {
  const broker = Smqp();
  broker.assertExchange('x', 'direct', { autoDelete: false });
  const q = broker.assertQueue('q', { autoDelete: false });
  broker.bindQueue('q', 'x', 'k');
  return { broker, q };
}

export function smqpBacklogTrips(waiting: number): Runner {
  const { broker, q } = smqpSetup();
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
  return {
    trips: (n) => {
      for (let i = 0; i < n; i++) {
        broker.publish('x', 'k', BODY);
        held!.ack();
      }
      trips += n;
    },
    verify: () => check(q.messageCount === waiting + 1 && delivered === trips + 1, `smqp backlog stayed at ${waiting}`),
  };
}

export function smqpGetTrips(waiting: number): Runner {
  const { broker, q } = smqpSetup();
  for (let i = 0; i < waiting; i++) broker.publish('x', 'k', BODY);
  return {
    trips: (n) => {
      for (let i = 0; i < n; i++) {
        broker.publish('x', 'k', BODY);
        q.get()!.ack();
      }
    },
    verify: () => check(q.messageCount === waiting, `smqp get backlog stayed at ${waiting}`),
  };
}
