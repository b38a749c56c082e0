/**
 * Fewest requests in flight wins. Small pools are scanned exactly, starting after the previous pick
 * so ties rotate and stopping at the first idle instance. Large pools use power of two choices
 * (O(1)), falling back to the scan only when the random draws find nothing available.
 */
import type { PoolInstance } from '../pool-instance.js';
import { type PickContext, type Strategy, createKeyTable, pickBestOfSample } from './strategy.js';

export function createLeastInFlightStrategy(options: { exactScanLimit?: number } = {}): Strategy {
  const exactScanLimit = options.exactScanLimit ?? 32;
  const cursorOf = createKeyTable(() => ({ next: 0 }));
  return {
    name: 'least-in-flight',
    pick(candidates: readonly PoolInstance[], context: PickContext): PoolInstance | undefined {
      const count = candidates.length;
      if (count > exactScanLimit) {
        const sampled = pickBestOfSample(candidates, context, (id) => context.stateOf(id).inFlight);
        if (sampled !== undefined) return sampled;
      }
      const cursor = cursorOf(context.key);
      let bestIndex = -1;
      let bestLoad = Number.POSITIVE_INFINITY;
      for (let step = 0; step < count; step += 1) {
        const index = (cursor.next + step) % count;
        const candidate = candidates[index];
        if (candidate === undefined || !context.isAvailable(candidate)) continue;
        const load = context.stateOf(candidate.id).inFlight;
        if (load < bestLoad) {
          bestIndex = index;
          bestLoad = load;
          if (load === 0) break;
        }
      }
      if (bestIndex < 0) return undefined;
      cursor.next = (bestIndex + 1) % count;
      return candidates[bestIndex];
    },
  };
}
