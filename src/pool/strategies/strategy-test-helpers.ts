/** Test helpers shared by the strategy tests (not used by production code). */
import { type PoolInstance, createPoolInstance } from '../pool-instance.js';
import { createSingleInstancePool } from '../pools-file.js';
import { type InstanceState, createInitialState } from '../state-store.js';
import type { PickContext, Strategy } from './strategy.js';

export function makeInstances(specs: readonly (string | { id: string; weight?: number })[]): PoolInstance[] {
  return specs.map((spec) => {
    const { id, weight = 1 } = typeof spec === 'string' ? { id: spec } : spec;
    return createPoolInstance({ ...createSingleInstancePool('openai-custom', id), weight }, 'openai-custom', {});
  });
}

export interface FakeContextOptions {
  unavailable?: ReadonlySet<string>;
  states?: Record<string, Partial<InstanceState>>;
  randoms?: number[];
}

export function fakeContext(options: FakeContextOptions = {}): PickContext {
  const randoms = [...(options.randoms ?? [])];
  return {
    key: 'group/model',
    isAvailable: (instance) => !(options.unavailable?.has(instance.id) ?? false),
    stateOf: (id) => createInitialState(options.states?.[id] ?? {}),
    random: () => randoms.shift() ?? 0.99,
  };
}

export function pickSequence(strategy: Strategy, instances: readonly PoolInstance[], count: number, context = fakeContext()): string[] {
  return Array.from({ length: count }, () => strategy.pick(instances, context)?.id ?? '-');
}
