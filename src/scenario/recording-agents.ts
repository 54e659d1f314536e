/**
 * The agents, recording every action a person takes on them as an AgentOp
 * (so a scenario can replay it), and the replay of such an action.
 */
import type { Broker } from '../core/broker.ts';
import { Agents, type AgentReport, type ConsumerState, type ProducerState } from '../ui/model/agents.ts';
import type { AgentOp } from './format.ts';

export class RecordingAgents extends Agents {
  constructor(
    broker: Broker,
    report: AgentReport,
    private readonly record: (op: AgentOp) => void,
  ) {
    super(broker, report);
  }

  override addProducer(spec: Omit<ProducerState, 'kind' | 'name' | 'sent' | 'nextAt'>): string {
    this.record({ op: 'producer', ...spec, routingKeys: [...spec.routingKeys], count: spec.count === Infinity ? null : spec.count });
    return super.addProducer(spec);
  }

  override addConsumer(spec: Omit<ConsumerState, 'kind' | 'name' | 'consumerTag' | 'holding' | 'received'>): string {
    this.record({ op: 'consumer', ...spec });
    return super.addConsumer(spec);
  }

  override start(name: string): void {
    this.record({ op: 'start', name });
    super.start(name);
  }

  override stop(name: string): void {
    this.record({ op: 'stop', name });
    super.stop(name);
  }

  override settle(name: string, how: 'ack' | 'nack' | 'reject', deliveryTag?: number): void {
    this.record({ op: 'settle', name, how, tag: deliveryTag ?? null });
    super.settle(name, how, deliveryTag);
  }

  override crash(name: string): void {
    this.record({ op: 'crash', name });
    super.crash(name);
  }

  override restart(name: string): void {
    this.record({ op: 'restart', name });
    super.restart(name);
  }

  override remove(name: string): void {
    this.record({ op: 'remove', name });
    super.remove(name);
  }
}

/** Does what `op` records. */
export function applyAgentOp(agents: Agents, op: AgentOp): void {
  switch (op.op) {
    case 'producer': {
      const { op: _, count, ...spec } = op;
      agents.addProducer({ ...spec, count: count ?? Infinity });
      return;
    }
    case 'consumer': {
      const { op: _, ...spec } = op;
      agents.addConsumer(spec);
      return;
    }
    case 'settle':
      agents.settle(op.name, op.how, op.tag ?? undefined);
      return;
    default:
      agents[op.op](op.name);
  }
}
