/** Strategy lookup by the names POOL_STRATEGY accepts (short aliases included). */
import { createLeastInFlightStrategy } from './least-in-flight.js';
import { createLowestLatencyStrategy } from './lowest-latency.js';
import { createRoundRobinStrategy } from './round-robin.js';
import type { Strategy, StrategyName } from './strategy.js';
import { createWeightedRoundRobinStrategy } from './weighted-round-robin.js';

export type { PickContext, Strategy, StrategyName } from './strategy.js';

export const STRATEGY_NAMES: readonly StrategyName[] = ['round-robin', 'weighted-round-robin', 'least-in-flight', 'lowest-latency'];

const ALIASES: Readonly<Record<string, StrategyName>> = {
  'round-robin': 'round-robin',
  roundrobin: 'round-robin',
  'weighted-round-robin': 'weighted-round-robin',
  weighted: 'weighted-round-robin',
  'least-in-flight': 'least-in-flight',
  'least-inflight': 'least-in-flight',
  'lowest-latency': 'lowest-latency',
  latency: 'lowest-latency',
};

/** Undefined for an unknown name, so the config layer can report it. */
export function parseStrategyName(value: string): StrategyName | undefined {
  return ALIASES[value.trim().toLowerCase()];
}

/** A fresh strategy object: each group gets its own, so cursors are never shared across groups. */
export function createStrategy(name: StrategyName): Strategy {
  switch (name) {
    case 'round-robin':
      return createRoundRobinStrategy();
    case 'weighted-round-robin':
      return createWeightedRoundRobinStrategy();
    case 'least-in-flight':
      return createLeastInFlightStrategy();
    case 'lowest-latency':
      return createLowestLatencyStrategy();
  }
}
