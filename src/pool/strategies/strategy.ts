/** A strategy only picks among candidates the pool already filtered; it never filters or mutates health. */
import type { PoolInstance } from '../pool-instance.js';
import type { InstanceState } from '../state-store.js';

export type StrategyName = 'round-robin' | 'weighted-round-robin' | 'least-in-flight' | 'lowest-latency';

export interface PickContext {
  /** Per-(group, model) key under which a strategy keeps its cursor or weights. */
  readonly key: string;
  /** False for instances excluded from this request or saturated right now. */
  isAvailable(instance: PoolInstance): boolean;
  stateOf(id: string): InstanceState;
  /** In [0, 1); injected so tests are deterministic. */
  random(): number;
}

export interface Strategy {
  readonly name: StrategyName;
  /** Eligible candidates in a stable order; returns undefined when none is available. */
  pick(candidates: readonly PoolInstance[], context: PickContext): PoolInstance | undefined;
}

/** Arbitrary model names come from clients, so per-key tables are capped rather than left to grow. */
const MAX_KEYS = 1024;

export function createKeyTable<V>(create: () => V): (key: string) => V {
  const table = new Map<string, V>();
  return (key) => {
    let value = table.get(key);
    if (value === undefined) {
      if (table.size >= MAX_KEYS) table.clear();
      value = create();
      table.set(key, value);
    }
    return value;
  };
}

/** Random draws per sampled pick; draws that hit unavailable instances are wasted. */
const SAMPLE_DRAWS = 6;

/**
 * "Power of two choices": the lower-scoring of two random available candidates. O(1), and in large
 * pools as good as an exact minimum while never piling all load onto one instance. Undefined when
 * the draws found nothing available (the caller then scans).
 */
export function pickBestOfSample(candidates: readonly PoolInstance[], context: PickContext, score: (id: string) => number): PoolInstance | undefined {
  let best: PoolInstance | undefined;
  let bestScore = Number.POSITIVE_INFINITY;
  let found = 0;
  for (let draw = 0; draw < SAMPLE_DRAWS && found < 2; draw += 1) {
    const candidate = candidates[Math.floor(context.random() * candidates.length)];
    if (candidate === undefined || !context.isAvailable(candidate)) continue;
    found += 1;
    const value = score(candidate.id);
    if (value < bestScore) {
      best = candidate;
      bestScore = value;
    }
  }
  return best;
}
