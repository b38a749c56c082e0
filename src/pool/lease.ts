/** What acquire() hands out: one instance, held until release() reports how the attempt went. */
import type { GatewayError } from '../errors/gateway-error.js';
import type { PoolInstance } from './pool-instance.js';

export type LeaseOutcome =
  /** firstByteMs: time from sending to the first upstream byte (feeds lowest-latency). */
  | { readonly kind: 'success'; readonly firstByteMs: number }
  /** The attempt failed; the error's kind and scope decide what the instance is blamed for. */
  | { readonly kind: 'failure'; readonly error: GatewayError }
  /** The client went away or the gateway gave up: frees the slot, blames nobody. */
  | { readonly kind: 'cancelled' };

export interface Lease {
  readonly instance: PoolInstance;
  /**
   * Call exactly once, when the attempt is over (for a stream: when it ended), since the lease holds
   * the instance's concurrency slot until then. Only the first call counts: later ones do nothing.
   */
  release(outcome: LeaseOutcome): void;
}
