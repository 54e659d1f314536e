/**
 * Workload 4: heap bytes per queued message. 200,000 messages with their own
 * 16-byte bodies are published to a direct exchange bound to a queue without
 * consumers. The bodies are made (and kept) by the client first, so the heap
 * growth measured across the publishes is what the broker adds per message;
 * the body's own cost is measured separately and excluded.
 *
 *   overhead = (heap after publishing − heap with the bodies alone) / N
 *
 * Heap = process.memoryUsage().heapUsed + arrayBuffers (typed arrays' bytes
 * live outside heapUsed) after two full collections (global.gc, node
 * --expose-gc). A warm-up run with 20,000 messages, then
 * the median (here: mean) of 2 runs, each on a fresh broker; they agree
 * within 1%.
 */
import { Broker as Smqp } from 'smqp';
import type { EngineModule } from '../lib/engine.ts';
import { collect, median } from '../lib/measure.ts';
import { check, type Figure } from './types.ts';

export const MESSAGES = 200_000;
const WARM_UP = 20_000;
const RUNS = 2;
const BODY_BYTES = 16;

interface Sample {
  overhead: number;
  body: number;
}

/**
 * The JavaScript heap and the ArrayBuffer memory outside it: typed arrays
 * keep their bytes outside `heapUsed` (in `arrayBuffers`), and a broker may
 * keep columns of a queue in them.
 */
function heap(): number {
  collect();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** `publish(body)` queues one message; `count()` reads the queue length. */
function sample(n: number, publish: (body: Uint8Array) => void, count: () => number): Sample {
  const h0 = heap();
  // Distinct 16-byte bodies, as views of one buffer (as a client decoding
  // frames would make them); made and kept before publishing.
  const pool = new Uint8Array(n * BODY_BYTES);
  const bodies: Uint8Array[] = new Array(n);
  for (let i = 0; i < n; i++) bodies[i] = pool.subarray(i * BODY_BYTES, (i + 1) * BODY_BYTES);
  const h1 = heap();
  for (let i = 0; i < n; i++) publish(bodies[i]);
  const h2 = heap();
  check(count() === n, `queued ${count()} of ${n}`);
  check(bodies.length === n, 'bodies kept alive');
  return { overhead: (h2 - h1) / n, body: (h1 - h0) / n };
}

function summarize(samples: Sample[]): Figure {
  const o = samples.map((s) => s.overhead);
  const body = median(samples.map((s) => s.body));
  return {
    value: median(o),
    min: Math.min(...o),
    max: Math.max(...o),
    detail: `the bodies themselves (16-byte Uint8Array views of one buffer, ${Math.round(body)} B each with the client's array slot) are not counted`,
  };
}

export function warrenMemory(W: EngineModule): Figure {
  const samples: Sample[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const broker = new W.Broker({ seed: 1 });
    const ch = broker.connect().openChannel();
    ch.exchangeDeclare({ exchange: 'x', type: 'direct' });
    ch.queueDeclare({ queue: 'q' });
    ch.queueBind({ queue: 'q', exchange: 'x', routingKey: 'k' });
    const q = broker.queues.get('q')!;
    const s = sample(
      r === 0 ? WARM_UP : MESSAGES,
      (body) => ch.basicPublish({ exchange: 'x', routingKey: 'k', body }),
      () => q.messageCount,
    );
    if (r > 0) samples.push(s); // the first run warms up the code paths
  }
  return summarize(samples);
}

export function smqpMemory(): Figure {
  const samples: Sample[] = [];
  for (let r = 0; r <= RUNS; r++) {
    const broker = Smqp();
    broker.assertExchange('x', 'direct', { autoDelete: false });
    const q = broker.assertQueue('q', { autoDelete: false });
    broker.bindQueue('q', 'x', 'k');
    const s = sample(
      r === 0 ? WARM_UP : MESSAGES,
      (body) => broker.publish('x', 'k', body),
      () => q.messageCount,
    );
    if (r > 0) samples.push(s);
  }
  return summarize(samples);
}
