import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'aiclient_session';
const DEFAULT_TTL_MS = 12 * 60 * 60_000;

/**
 * Browser sessions of the admin console: random tokens held in memory only (a restart logs everyone
 * out, which is the safe direction). The cookie carries the token; nothing else about the admin is
 * stored client-side.
 */
export class SessionStore {
  readonly #expiresAt = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  create(): string {
    const token = randomBytes(32).toString('base64url');
    this.#sweep();
    this.#expiresAt.set(token, this.#now() + this.#ttlMs);
    return token;
  }

  isValid(token: string | undefined): boolean {
    if (token === undefined) return false;
    const expiresAt = this.#expiresAt.get(token);
    if (expiresAt === undefined) return false;
    if (expiresAt <= this.#now()) {
      this.#expiresAt.delete(token);
      return false;
    }
    return true;
  }

  delete(token: string | undefined): void {
    if (token !== undefined) this.#expiresAt.delete(token);
  }

  #sweep(): void {
    const now = this.#now();
    for (const [token, expiresAt] of this.#expiresAt) if (expiresAt <= now) this.#expiresAt.delete(token);
  }
}

/** The session token from the request's Cookie header, if any. */
export function sessionTokenOf(request: FastifyRequest): string | undefined {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return undefined;
  for (const part of header.split(';')) {
    const separator = part.indexOf('=');
    if (separator > 0 && part.slice(0, separator).trim() === SESSION_COOKIE) return part.slice(separator + 1).trim();
  }
  return undefined;
}

/** Set-Cookie value: HttpOnly (no script reads it), SameSite=Strict (no other site sends it), Secure over TLS. */
export function sessionCookie(token: string, options: { maxAgeSeconds: number; secure: boolean }): string {
  return `${SESSION_COOKIE}=${token}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${options.maxAgeSeconds}${options.secure ? '; Secure' : ''}`;
}

/**
 * Wraps a key check so a valid session cookie passes too. The session is checked first only when a
 * cookie is present; requests without one cost nothing extra.
 */
export function withSession(sessions: SessionStore, check: (request: FastifyRequest) => void): (request: FastifyRequest) => void {
  return (request) => {
    if (request.headers.cookie !== undefined && sessions.isValid(sessionTokenOf(request))) return;
    check(request);
  };
}
