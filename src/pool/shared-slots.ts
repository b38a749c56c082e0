/**
 * Concurrency slots counted across several gateway processes (a shared state store provides them).
 * Without one, the pool counts its own in-flight requests. With one, `concurrencyLimit` holds for all
 * processes together: taking a slot is the only pool step that waits for the shared store, and only
 * for instances that have a limit.
 */
export interface SharedSlots {
  /**
   * Takes one of `limit` slots of the instance for all processes together. Resolves a token to
   * release later, or undefined when every slot is taken. Never rejects: when the shared store is
   * away it falls back to counting this process's slots, so no request fails for it.
   */
  take(id: string, limit: number): Promise<string | undefined>;
  /** Frees a slot taken by take(); fire and forget. */
  release(id: string, token: string): void;
  /** Slots in use across all processes as last known here (synchronous: the pick reads it). */
  inUse(id: string): number;
  /** Called with an instance id when a slot of it may have become free (here or elsewhere). */
  onFreed(listener: (id: string) => void): () => void;
}
