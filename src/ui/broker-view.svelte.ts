/**
 * A read-only view of a broker for Svelte: the engine's event stream,
 * bridged into runes with createSubscriber. Views read from here and change
 * the broker only by calling the engine.
 */
import { createSubscriber } from 'svelte/reactivity';
import type { Broker } from '../core/broker.ts';
import type { StampedEvent } from '../core/events.ts';

export interface ExchangeRow {
  name: string;
  type: string;
  durable: boolean;
  bindings: Array<{ destination: string; kind: 'queue' | 'exchange'; routingKey: string }>;
}

export interface QueueRow {
  name: string;
  ready: number;
  unacked: number;
  consumers: number;
  bodies: string[];
}

export class BrokerView {
  private subscribe: () => void;
  /** The most recent events, newest last. */
  log = $state<string[]>([]);

  constructor(readonly broker: Broker) {
    this.subscribe = createSubscriber((update) =>
      broker.subscribe((e) => {
        this.log = [...this.log.slice(-30), describe(e)];
        update();
      }),
    );
  }

  get exchanges(): ExchangeRow[] {
    this.subscribe();
    return [...this.broker.exchanges.values()]
      .filter((x) => x.name !== '')
      .map((x) => ({
        name: x.name,
        type: x.type.name,
        durable: x.durable,
        bindings: [...x.bindings.values()].map((b) => ({ destination: b.destination.name, kind: b.destinationKind, routingKey: b.routingKey })),
      }));
  }

  get queues(): QueueRow[] {
    this.subscribe();
    const decoder = new TextDecoder();
    return [...this.broker.queues.values()].map((q) => ({
      name: q.name,
      ready: q.messageCount,
      unacked: q.unackedCount,
      consumers: q.consumerCount,
      bodies: q.ready.toArray().map((e) => decoder.decode(e.message.body)),
    }));
  }
}

function describe(e: StampedEvent): string {
  switch (e.type) {
    case 'exchange.declared':
      return `exchange ${e.exchange} (${e.exchangeType}) declared`;
    case 'queue.declared':
      return `queue ${e.queue} declared`;
    case 'binding.created':
      return `${e.binding.source} → ${e.binding.destination.name} bound with '${e.binding.routingKey}'`;
    case 'message.published':
      return `message #${e.message.id} published to '${e.message.exchange}' with key '${e.message.routingKey}'`;
    case 'message.routed':
      return e.queues.length ? `message #${e.messageId} routed to ${e.queues.join(', ')}` : `message #${e.messageId} matched no binding`;
    case 'message.delivered':
      return `message #${e.messageId} delivered from ${e.queue} (delivery tag ${e.deliveryTag})`;
    case 'message.enqueued':
      return `message #${e.messageId} waits in ${e.queue} (${e.ready} ready)`;
    case 'message.acked':
      return `message #${e.messageId} acked`;
    case 'message.dropped':
      return `message #${e.messageId} dropped (${e.reason})`;
    default:
      return e.type;
  }
}
