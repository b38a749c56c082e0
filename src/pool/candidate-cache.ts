/**
 * Eligible instances of one group per model, rebuilt only when something changes: a health or
 * cooldown event (the pool calls invalidate) or the moment the earliest cooldown in the list ends.
 * Requests in between reuse the list, so selection does not filter the whole pool every time.
 */
import { cooldownEndsAt, isAvailableAt } from './health.js';
import { type PoolInstance, supportsModel } from './pool-instance.js';
import type { InstanceState } from './state-store.js';

export interface CandidateList {
  readonly instances: readonly PoolInstance[];
  /** Earliest time a cooling instance for this model returns (Infinity when none is cooling). */
  readonly nextChangeAt: number;
}

/** Client-chosen model names are unbounded; the cache is not. */
const MAX_MODELS = 256;

export class CandidateCache {
  readonly #entries = new Map<string, CandidateList>();

  constructor(
    private readonly instances: () => readonly PoolInstance[],
    private readonly stateOf: (id: string) => InstanceState,
  ) {}

  lookup(model: string, now: number): CandidateList {
    const cached = this.#entries.get(model);
    if (cached !== undefined && now < cached.nextChangeAt) return cached;
    const built = this.#build(model, now);
    if (cached === undefined && this.#entries.size >= MAX_MODELS) this.#entries.clear();
    this.#entries.set(model, built);
    return built;
  }

  invalidate(): void {
    this.#entries.clear();
  }

  #build(model: string, now: number): CandidateList {
    const eligible: PoolInstance[] = [];
    let nextChangeAt = Number.POSITIVE_INFINITY;
    for (const instance of this.instances()) {
      if (!supportsModel(instance, model)) continue;
      const state = this.stateOf(instance.id);
      if (isAvailableAt(state, model, now, instance.isDisabled)) {
        eligible.push(instance);
        continue;
      }
      const endsAt = cooldownEndsAt(state, model, now);
      if (endsAt !== undefined && endsAt < nextChangeAt) nextChangeAt = endsAt;
    }
    return { instances: eligible, nextChangeAt };
  }
}
