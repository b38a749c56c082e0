import { GatewayError } from '../../../errors/gateway-error.js';

/**
 * A token refresh that did not work: an account-scoped 401, so the pool takes the account out and
 * the client is told what to do (`hint`, e.g. how to log in again). `reason` must hold nothing secret.
 */
export function createRefreshFailedError(providerType: string, reason: string, options: { hint?: string; cause?: unknown } = {}): GatewayError {
  const hint = options.hint ? `; ${options.hint}` : '';
  return new GatewayError('oauth_refresh_failed', 'auth', `${providerType}: token refresh failed: ${reason}${hint}`, {
    status: 401,
    scope: 'account',
    cause: options.cause,
  });
}
