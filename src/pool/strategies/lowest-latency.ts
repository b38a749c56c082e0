/**
 * Lowest EWMA time to first byte wins. Unmeasured instances go first so every instance gets a
 * measurement, and a small share of picks (explorationRate) goes round-robin so a slow instance that
 * recovered can show it: without that, its old average would keep it unpicked forever.
 * Small pools are scanned exactly; large ones use "power of two choices" (the faster of a few random
 * candidates), O(1) per pick, which also keeps one fast instance from taking the whole load.
 */
import type { PoolInstance } from '../pool-instance.js';
import { createRoundRobinStrategy } from './round-robin.js';
import { type PickContext, type Strategy, createKeyTable, pickBestOfSample } from './strategy.js';

export function createLowestLatencyStrategy(options: { explorationRate?: number; exactScanLimit?: number } = {}): Strategy {
  const explorationRate = options.explorationRate ?? 0.05;
  const exactScanLimit = options.exactScanLimit ?? 32;
  const explorer = createRoundRobinStrategy();
  const cursorOf = createKeyTable(() => ({ next: 0 }));
  return {
    name: 'lowest-latency',
    pick(candidates: readonly PoolInstance[], context: PickContext): PoolInstance | undefined {
      if (explorationRate > 0 && context.random() < explorationRate) return explorer.pick(candidates, context);
      const count = candidates.length;
      if (count > exactScanLimit) {
        const sampled = pickBestOfSample(candidates, context, (id) => context.stateOf(id).firstByteEwmaMs ?? -1);
        if (sampled !== undefined) return sampled;
      }
      const cursor = cursorOf(context.key);
      let bestIndex = -1;
      let bestLatency = Number.POSITIVE_INFINITY;
      for (let step = 0; step < count; step += 1) {
        const index = (cursor.next + step) % count;
        const candidate = candidates[index];
        if (candidate === undefined || !context.isAvailable(candidate)) continue;
        const latency = context.stateOf(candidate.id).firstByteEwmaMs ?? -1;
        if (latency < bestLatency) {
          bestIndex = index;
          bestLatency = latency;
          if (latency < 0) break;
        }
      }
      if (bestIndex < 0) return undefined;
      cursor.next = (bestIndex + 1) % count;
      return candidates[bestIndex];
    },
  };
}
