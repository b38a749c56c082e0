/**
 * Secure defaults for a gateway that holds the user's accounts: which hosts, origins and bodies are
 * served, who may use the admin API, and how key guessing is slowed. The server wires these in with a
 * few lines; the README's "Security" section explains the threat model.
 */
import { createAdminAuth, type AdminAuth } from './admin-credential.js';
import type { AdminSecret } from './admin-password-file.js';
import { createAuthThrottle, type ThrottleLogger } from './auth-throttle.js';
import { createKeyAuthenticator, type Authenticate } from './key-authenticator.js';
import { createSecretMatcher, presentedKey } from './presented-key.js';
import { createRequestGuard, type RequestGuard } from './request-guard.js';

export type { AdminAuth, AdminCredentialCheck } from './admin-credential.js';
export { resolveAdminSecret, ADMIN_PASSWORD_FILE_NAME, type AdminSecret } from './admin-password-file.js';
export type { Authenticate } from './key-authenticator.js';
export { sendPreflight } from './cors-preflight.js';

export interface SecuritySettings {
  /** HOST: the listen address. */
  readonly listenHost: string;
  readonly allowedHosts: readonly string[];
  readonly allowedOrigins: readonly string[];
  /** REQUIRED_API_KEY ('' = none). */
  readonly requiredApiKey: string;
  readonly adminSecret: AdminSecret;
}

export interface Security {
  readonly guard: RequestGuard;
  /** Client key check for generation and model routes (passes everything on a keyless gateway). */
  readonly authenticateClient: Authenticate;
  readonly adminAuth: AdminAuth;
}

export function createSecurity(settings: SecuritySettings, logger: ThrottleLogger): Security {
  // One throttle for client and admin keys: a guesser gains nothing by switching routes.
  const throttle = createAuthThrottle({ logger });
  const matchesClientKey = settings.requiredApiKey === '' ? undefined : createSecretMatcher(settings.requiredApiKey);
  return {
    guard: createRequestGuard({
      listenHost: settings.listenHost,
      allowedHosts: settings.allowedHosts,
      allowedOrigins: settings.allowedOrigins,
      clientKeyRequired: matchesClientKey !== undefined,
    }),
    authenticateClient:
      matchesClientKey === undefined ? () => undefined : createKeyAuthenticator((request) => matchesClientKey(presentedKey(request)), throttle),
    adminAuth: createAdminAuth({ secret: settings.adminSecret.value, source: settings.adminSecret.source, throttle }),
  };
}
