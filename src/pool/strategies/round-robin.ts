/**
 * Round-robin with a rotating cursor: the next available candidate after the last pick. O(1) when
 * the next one is available; unavailable ones (saturated, already tried) are skipped, never sorted.
 */
import type { PoolInstance } from '../pool-instance.js';
import { type PickContext, type Strategy, createKeyTable } from './strategy.js';

export function createRoundRobinStrategy(): Strategy {
  const cursorOf = createKeyTable(() => ({ next: 0 }));
  return {
    name: 'round-robin',
    pick(candidates: readonly PoolInstance[], context: PickContext): PoolInstance | undefined {
      const count = candidates.length;
      const cursor = cursorOf(context.key);
      for (let step = 0; step < count; step += 1) {
        const index = (cursor.next + step) % count;
        const candidate = candidates[index];
        if (candidate !== undefined && context.isAvailable(candidate)) {
          cursor.next = (index + 1) % count;
          return candidate;
        }
      }
      return undefined;
    },
  };
}
