import type { FastifyRequest } from 'fastify';
import type { AuthThrottle } from './auth-throttle.js';
import { createKeyAuthenticator, throttledError, type Authenticate } from './key-authenticator.js';
import { createSecretMatcher, presentedKey } from './presented-key.js';
import type { AdminSecretSource } from './admin-password-file.js';

/** One way an admin request may prove itself (the key in a header; later a UI session cookie). */
export type AdminCredentialCheck = (request: FastifyRequest) => boolean;

/**
 * The one place that decides whether a request may use the admin API (/api/*, /provider_health,
 * /metrics, the web UI's API). Routes call `authenticate`; other kinds of credential are added with
 * `addCheck`, so every admin route accepts them at once.
 */
export interface AdminAuth {
  /** Which secret guards the admin API. */
  readonly source: AdminSecretSource;
  /** Throws 429 while the address is throttled, 401 unless a check accepts the request. */
  readonly authenticate: Authenticate;
  /**
   * Checks a secret typed into a login form, counting a wrong one against the request's address like
   * a wrong key (throws 429 while it is throttled). True when it is the admin secret.
   */
  verifySecret(request: FastifyRequest, secret: string): boolean;
  /** Accepts one more kind of credential; checks run in the order added, the key check first. */
  addCheck(check: AdminCredentialCheck): void;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The admin credential check, for plugins that add admin routes. */
    adminAuth: AdminAuth;
  }
}

export interface AdminAuthOptions {
  readonly secret: string;
  readonly source: AdminSecretSource;
  readonly throttle: AuthThrottle;
}

export function createAdminAuth(options: AdminAuthOptions): AdminAuth {
  if (options.secret === '') throw new Error('the admin API needs a secret');
  const matches = createSecretMatcher(options.secret);
  const checks: AdminCredentialCheck[] = [(request) => matches(presentedKey(request))];
  const { throttle } = options;
  return {
    source: options.source,
    authenticate: createKeyAuthenticator((request) => checks.some((check) => check(request)), throttle),
    verifySecret(request, secret) {
      const wait = throttle.blockedFor(request.ip);
      if (wait !== undefined) throw throttledError(wait);
      if (matches(secret)) return true;
      throttle.recordFailure(request.ip);
      return false;
    },
    addCheck(check) {
      checks.push(check);
    },
  };
}
