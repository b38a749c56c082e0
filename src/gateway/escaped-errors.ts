import { type GatewayError, isGatewayError } from '../errors/gateway-error.js';
import type { LeaseOutcome } from '../pool/index.js';
import { clientClosedError } from '../upstream/transport-error.js';

/**
 * What a caught value means. The edge (providers and the upstream client) turns every upstream
 * failure into a GatewayError, so anything else the gateway catches is the client leaving (its
 * signal says so) or a bug of the gateway itself: `undefined` here, passed on untouched so the
 * server answers 500 "internal error" and logs its stack, and never blamed on an account.
 */
export function upstreamFailureOf(caught: unknown, signal: AbortSignal): GatewayError | undefined {
  if (isGatewayError(caught)) return caught;
  if (signal.aborted) return clientClosedError();
  return undefined;
}

/** How an attempt that ended with `caught` is reported to the pool: only the edge's failures count against the instance. */
export function leaseOutcomeOf(caught: unknown, signal: AbortSignal): LeaseOutcome {
  const failure = upstreamFailureOf(caught, signal);
  return failure === undefined || failure.code === 'client_closed' ? { kind: 'cancelled' } : { kind: 'failure', error: failure };
}
