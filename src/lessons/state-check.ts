/** State goals: does the broker, as it is now, hold this exchange, queue or binding? */
import type { Broker } from '../core/broker.ts';
import { valueOf, type FieldTable, type FieldValue } from '../core/fields.ts';
import { parseBool } from '../shell/commands.ts';
import type { StateGoal } from './goals.ts';

function argsMatch(props: Record<string, string>, args: FieldTable): boolean {
  for (const [key, want] of Object.entries(props)) {
    if (!key.startsWith('arg.')) continue;
    const v = args[key.slice(4)];
    if (v === undefined) return false;
    if (want !== '*' && String(valueOf(v as FieldValue)) !== want) return false;
  }
  return true;
}

function same(want: string | undefined, have: string | number | boolean | undefined): boolean {
  if (want === undefined) return true;
  if (want === '*') return have !== undefined;
  if (typeof have === 'boolean') return parseBool(want) === have;
  return have !== undefined && String(have) === want;
}

function holds(broker: Broker, g: StateGoal): boolean {
  const p = g.props;
  switch (g.entity) {
    case 'exchange': {
      const x = broker.exchanges.get(g.name);
      return (
        !!x &&
        same(p.type, x.type.name) &&
        same(p.durable, x.durable) &&
        same(p.auto_delete, x.autoDelete) &&
        same(p.internal, x.internal) &&
        same(p.alternate, x.alternateExchange) &&
        argsMatch(p, x.arguments)
      );
    }
    case 'queue': {
      const q = broker.queues.get(g.name);
      return (
        !!q &&
        same(p.durable, q.durable) &&
        same(p.exclusive, q.owner !== null) &&
        same(p.auto_delete, q.autoDelete) &&
        same(p.messages, q.messageCount) &&
        same(p.consumers, q.consumerCount) &&
        argsMatch(p, q.arguments)
      );
    }
    case 'binding': {
      const x = broker.exchanges.get(g.exchange!);
      if (!x) return false;
      for (const b of x.bindings.values()) {
        if (b.destinationKind === 'queue' && b.destination.name === g.name && same(p.key, b.routingKey) && argsMatch(p, b.arguments)) return true;
      }
      return false;
    }
  }
}

export function checkState(broker: Broker, goal: StateGoal): boolean {
  return holds(broker, goal) !== goal.negated;
}
