/**
 * Weighted round-robin by stride scheduling: each instance has a virtual time ("pass") that moves
 * forward by 1/weight whenever it is picked, and the lowest pass goes next. Shares follow the
 * weights, heavy instances are interleaved rather than picked in bursts, and a min-heap makes a pick
 * O(log n), so large pools stay fast. The heap is rebuilt (O(n)) only when the candidate list
 * changes; passes survive the rebuild, and newcomers start at the current virtual time so they do
 * not get a burst of catch-up picks.
 */
import type { PoolInstance } from '../pool-instance.js';
import { MinHeap } from './min-heap.js';
import { type PickContext, type Strategy, createKeyTable } from './strategy.js';

interface Entry {
  readonly instance: PoolInstance;
  /** Position in the candidate list: breaks ties so sequences are deterministic. */
  readonly order: number;
  pass: number;
}

interface KeyState {
  list: readonly PoolInstance[] | undefined;
  heap: MinHeap<Entry>;
  passes: Map<string, number>;
  virtualTime: number;
}

const earlier = (a: Entry, b: Entry) => a.pass < b.pass || (a.pass === b.pass && a.order < b.order);

function rebuild(state: KeyState, candidates: readonly PoolInstance[]): void {
  const entries = candidates.map((instance, order): Entry => {
    const known = state.passes.get(instance.id);
    // Half a stride in, so equal weights rotate in list order and heavy ones start early.
    const pass = known !== undefined ? Math.max(known, state.virtualTime) : state.virtualTime + 0.5 / instance.weight;
    return { instance, order, pass };
  });
  state.heap = new MinHeap(earlier, entries);
  state.list = candidates;
  // Forget instances that left the list so the table does not grow without bound.
  state.passes = new Map(entries.map((entry) => [entry.instance.id, entry.pass]));
}

export function createWeightedRoundRobinStrategy(): Strategy {
  const stateOf = createKeyTable<KeyState>(() => ({ list: undefined, heap: new MinHeap(earlier), passes: new Map(), virtualTime: 0 }));
  return {
    name: 'weighted-round-robin',
    pick(candidates: readonly PoolInstance[], context: PickContext): PoolInstance | undefined {
      const state = stateOf(context.key);
      if (state.list !== candidates) rebuild(state, candidates);
      const skipped: Entry[] = [];
      let picked: Entry | undefined;
      for (let entry = state.heap.pop(); entry !== undefined; entry = state.heap.pop()) {
        if (context.isAvailable(entry.instance)) {
          picked = entry;
          break;
        }
        skipped.push(entry);
      }
      for (const entry of skipped) state.heap.push(entry);
      if (picked === undefined) return undefined;
      state.virtualTime = picked.pass;
      picked.pass += 1 / picked.instance.weight;
      state.passes.set(picked.instance.id, picked.pass);
      state.heap.push(picked);
      return picked.instance;
    },
  };
}
