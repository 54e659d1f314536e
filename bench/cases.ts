/**
 * Every measurement the benchmark makes, by id. bench/run.ts runs each in a
 * fresh node process (bench/case.ts), so that what the JIT learnt from one
 * workload does not help or hurt the next.
 */
import { importCompiledEngine, importTsxEngine, type EngineModule } from './lib/engine.ts';
import { BROAD, TYPICAL } from './lib/random.ts';
import { backlogRate, backlogRatio, smqpBacklogTrips, smqpGetTrips, smqpImmediate, warrenBacklogTrips, warrenGetTrips, warrenImmediate } from './workloads/direct.ts';
import { smqpFanout, warrenFanout } from './workloads/fanout.ts';
import { smqpMemory, warrenMemory } from './workloads/memory.ts';
import { smqpBindTime, smqpRoutes, warrenBindTime, warrenRoutes } from './workloads/topic.ts';
import type { Figure } from './workloads/types.ts';

type Loader = () => Promise<EngineModule>;

const warren = (run: (W: EngineModule) => Figure, load: Loader = importCompiledEngine) => async () => run(await load());
const plain = (run: () => Figure) => async () => run();

export const CASES: Record<string, () => Promise<Figure>> = {
  'direct.warren.off': warren((W) => warrenImmediate(W, false)),
  'direct.warren.on': warren((W) => warrenImmediate(W, true)),
  'direct.smqp': plain(() => smqpImmediate()),
  'direct.tsx.off': warren((W) => warrenImmediate(W, false), importTsxEngine),
  'direct.tsx.on': warren((W) => warrenImmediate(W, true), importTsxEngine),

  'backlog.warren.10': warren((W) => backlogRate((n) => warrenBacklogTrips(W, n), 10)),
  'backlog.warren.100000': warren((W) => backlogRate((n) => warrenBacklogTrips(W, n), 100_000)),
  'backlog.warren.ratio': warren((W) => backlogRatio((n) => warrenBacklogTrips(W, n))),
  'backlog.smqp.10': plain(() => backlogRate(smqpBacklogTrips, 10)),
  'backlog.smqp.100000': plain(() => backlogRate(smqpBacklogTrips, 100_000)),
  'backlog.smqp.ratio': plain(() => backlogRatio(smqpBacklogTrips)),
  'get.warren.10': warren((W) => backlogRate((n) => warrenGetTrips(W, n), 10)),
  'get.warren.100000': warren((W) => backlogRate((n) => warrenGetTrips(W, n), 100_000)),
  'get.warren.ratio': warren((W) => backlogRatio((n) => warrenGetTrips(W, n))),
  'get.smqp.10': plain(() => backlogRate(smqpGetTrips, 10)),
  'get.smqp.100000': plain(() => backlogRate(smqpGetTrips, 100_000)),
  'get.smqp.ratio': plain(() => backlogRatio(smqpGetTrips)),

  'topic.warren.typical': warren((W) => warrenRoutes(W, TYPICAL)),
  'topic.smqp.typical': plain(() => smqpRoutes(TYPICAL)),
  'topic.warren.broad': warren((W) => warrenRoutes(W, BROAD)),
  'topic.smqp.broad': plain(() => smqpRoutes(BROAD)),
  'bind.warren': warren((W) => warrenBindTime(W, TYPICAL)),
  'bind.smqp': plain(() => smqpBindTime(TYPICAL)),

  'fanout.warren': warren((W) => warrenFanout(W)),
  'fanout.smqp': plain(() => smqpFanout()),

  'memory.warren': warren((W) => warrenMemory(W)),
  'memory.smqp': plain(() => smqpMemory()),
};
