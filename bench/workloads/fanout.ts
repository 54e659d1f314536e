/**
 * Workload 3: a fanout exchange bound to 100 queues, each with a no-ack
 * consumer. Figure: messages published per second (each one reaches all
 * 100 queues, so deliveries/s is 100 times that).
 */
import { Broker as Smqp } from 'smqp';
import type { EngineModule } from '../lib/engine.ts';
import { measureRate } from '../lib/measure.ts';
import { check, type Figure } from './types.ts';

const QUEUES = 100;
const BODY = new Uint8Array(16);

export function warrenFanout(W: EngineModule): Figure {
  const broker = new W.Broker({ seed: 1 });
  const ch = broker.connect().openChannel();
  ch.exchangeDeclare({ exchange: 'f', type: 'fanout' });
  let delivered = 0;
  ch.client = { deliver: () => void delivered++ };
  for (let i = 0; i < QUEUES; i++) {
    ch.queueDeclare({ queue: `fq${i}` });
    ch.queueBind({ queue: `fq${i}`, exchange: 'f' });
    ch.basicConsume({ queue: `fq${i}`, noAck: true });
  }
  const params = { exchange: 'f', routingKey: '', body: BODY };
  let published = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) ch.basicPublish(params);
    published += n;
  });
  check(delivered === published * QUEUES, `warren fanout delivered ${delivered} for ${published}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}

export function smqpFanout(): Figure {
  const broker = Smqp();
  broker.assertExchange('f', 'fanout', { autoDelete: false });
  let delivered = 0;
  for (let i = 0; i < QUEUES; i++) {
    broker.assertQueue(`fq${i}`, { autoDelete: false });
    broker.bindQueue(`fq${i}`, 'f', '');
    broker.consume(`fq${i}`, () => void delivered++, { noAck: true });
  }
  let published = 0;
  const rate = measureRate((n) => {
    for (let i = 0; i < n; i++) broker.publish('f', '', BODY);
    published += n;
  });
  check(delivered === published * QUEUES, `smqp fanout delivered ${delivered} for ${published}`);
  return { value: rate.median, min: rate.min, max: rate.max, samples: rate.rounds };
}
