import { assign, createActor, createMachine, type ActorRefFrom } from 'xstate';
import type { AmqpError } from './errors.ts';
import type { ChannelLedger, Delivery, LedgerConsumer, LedgerQueue } from './channel-ledger.ts';
import type { QueuedMessage } from './message.ts';

/**
 * One AMQP channel as an xstate machine: its lifecycle (open → closing →
 * closed), prefetch and confirm/tx mode, and its ledger of deliveries.
 * Closing hands every unacked delivery back (in tag order) so the broker
 * requeues it, marked redelivered.
 *
 * Per-message events (deliver, settle) exist here so the machine is the
 * whole protocol; the broker may bypass `send` for them on its fast path by
 * calling the same ledger methods, which the model-based tests prove equal.
 */
export type ChannelEvent =
  | { type: 'basic.qos'; prefetchCount: number; global: boolean }
  | { type: 'confirm.select' }
  | { type: 'tx.select' }
  | { type: 'deliver'; entry: QueuedMessage; queue: LedgerQueue; consumer: LedgerConsumer | null; noAck: boolean; now: number }
  | { type: 'settle'; tag: number; multiple: boolean; onSettled: (deliveries: Delivery[]) => void }
  | { type: 'recover'; onReleased: (deliveries: Delivery[]) => void }
  | { type: 'channel.close'; onReleased: (deliveries: Delivery[]) => void }
  | { type: 'server.close'; error: AmqpError }
  | { type: 'channel.close-ok'; onReleased: (deliveries: Delivery[]) => void };

export interface ChannelContext {
  ledger: ChannelLedger;
  error: AmqpError | null;
}

export const channelMachine = createMachine(
  {

  types: {
    context: {} as ChannelContext,
    events: {} as ChannelEvent,
    input: {} as { ledger: ChannelLedger },
  },

  id: 'channel',
  initial: 'open',
  context: ({ input }) => ({ ledger: input.ledger, error: null }),
  states: {
    open: {
      on: {
        'basic.qos': { actions: 'setPrefetch' },
        'confirm.select': { guard: 'notTransactional', actions: 'enterConfirmMode' },
        'tx.select': { guard: 'notConfirming', actions: 'enterTxMode' },
        deliver: { actions: 'recordDelivery' },
        settle: { guard: 'canSettle', actions: 'settle' },
        recover: { actions: 'releaseAll' },
        'channel.close': { target: 'closed', actions: 'releaseAll' },
        'server.close': { target: 'closing', actions: 'rememberError' },
      },
    },
    // The server has sent channel.close: everything but close-ok is ignored.
    closing: {
      on: { 'channel.close-ok': { target: 'closed', actions: 'releaseAll' } },
    },
    closed: { type: 'final' },
  },
  },
  {
  guards: {
    canSettle: ({ context, event }) => event.type === 'settle' && context.ledger.canSettle(event.tag, event.multiple),
    notTransactional: ({ context }) => !context.ledger.tx,
    notConfirming: ({ context }) => !context.ledger.confirm,
  },
  actions: {
    setPrefetch: ({ context, event }) => {
      if (event.type !== 'basic.qos') return;
      if (event.global) context.ledger.globalPrefetch = event.prefetchCount;
      else {
        context.ledger.consumerPrefetch = event.prefetchCount;
        // RabbitMQ: a per-consumer qos lifts any channel-wide limit.
        context.ledger.globalPrefetch = 0;
      }
    },
    enterConfirmMode: ({ context }) => {
      context.ledger.confirm = true;
    },
    enterTxMode: ({ context }) => {
      context.ledger.tx = true;
    },
    recordDelivery: ({ context, event }) => {
      if (event.type !== 'deliver') return;
      context.ledger.record(event.entry, event.queue, event.consumer, event.noAck, event.now);
    },
    settle: ({ context, event }) => {
      if (event.type !== 'settle') return;
      event.onSettled(context.ledger.collect(event.tag, event.multiple, 'basic.ack'));
    },
    releaseAll: ({ context, event }) => {
      if (event.type === 'recover' || event.type === 'channel.close' || event.type === 'channel.close-ok') {
        event.onReleased(context.ledger.takeAll());
      }
    },
    rememberError: assign({ error: ({ event }) => (event.type === 'server.close' ? event.error : null) }),
  },
  },
);

export type ChannelActor = ActorRefFrom<typeof channelMachine>;

export function startChannelActor(ledger: ChannelLedger): ChannelActor {
  return createActor(channelMachine, { input: { ledger } }).start();
}
