/**
 * Why a task went where it went, in Celery's order of decision
 * (celery.app.routes): the call's options, then task_routes' routers in
 * order, then task_default_queue; then where the message was published.
 */
import type { SendResult } from '../../celery/index.ts';
import type { Said } from './story.ts';

export interface DecisionStep {
  /** Which of Celery's steps this is. */
  step: 'options' | 'routers' | 'default' | 'publish';
  /** This step settled the queue. */
  decided: boolean;
  said: Said;
}

const w = (key: string, params?: Said['params']): Said => ({ key: `celery.why.${key}`, params });

/** The steps of the decision for a send, given the options the call passed. */
export function whyRouted(result: SendResult, callOptions: Record<string, unknown>): DecisionStep[] {
  const trace = result.trace;
  if (!trace) return [];
  const steps: DecisionStep[] = [];
  const callQueue = typeof callOptions.queue === 'string' ? callOptions.queue : null;
  const optionsQueue = trace.optionsQueue;
  steps.push({
    step: 'options',
    decided: optionsQueue !== null,
    said: callQueue !== null ? w('call-queue', { queue: callQueue }) : optionsQueue !== null ? w('task-queue', { queue: optionsQueue }) : w('no-call-queue'),
  });
  const a = trace.answered;
  let routers: Said;
  if (trace.routers === 0) routers = w('no-routes');
  else if (!a) routers = w('no-router-answered', { n: trace.routers });
  else {
    const params = { n: a.index + 1, key: a.key ?? '', name: a.name ?? '' };
    routers = w(`${a.kind === 'map' ? 'map' : 'function'}${a.empty ? '-empty' : ''}`, params);
  }
  steps.push({ step: 'routers', decided: optionsQueue === null && !!a && !a.empty && trace.queue !== null, said: routers });
  if (a && !a.empty && optionsQueue !== null) steps.push({ step: 'routers', decided: false, said: w('options-win') });
  steps.push({ step: 'default', decided: trace.defaultQueue, said: trace.defaultQueue ? w('default', { queue: trace.queue ?? '' }) : w('no-default') });
  if (result.exchange !== undefined) {
    const where = result.exchange === '' ? w('default-exchange', { key: result.routing_key ?? '' }) : w('exchange', { exchange: result.exchange, key: result.routing_key ?? '' });
    steps.push({ step: 'publish', decided: false, said: where });
    steps.push({ step: 'publish', decided: false, said: result.queues.length ? w('landed', { queues: result.queues.join(', ') }) : w('unrouted') });
  }
  return steps;
}
