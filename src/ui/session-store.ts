import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const SESSION_COOKIE = 'aiclient_session';
const DEFAULT_TTL_MS = 12 * 60 * 60_000;

/**
 * Browser sessions of the admin console as signed tokens: `expiry.nonce.mac`, the MAC keyed by the
 * admin secret. Every gateway process with the same secret (--workers, several machines behind one
 * address) accepts a session any of them issued, a restart keeps people logged in, and changing the
 * admin key logs everyone out. Logging out revokes the token in this process and clears the cookie;
 * the browser no longer has it, so other processes never see it again.
 */
export class SessionStore {
  readonly #key: Buffer;
  readonly #revoked = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { secret: string; ttlMs?: number; now?: () => number }) {
    this.#key = createHmac('sha256', options.secret).update('aiclient2api console session v1').digest();
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  create(): string {
    const body = `${(this.#now() + this.#ttlMs).toString(36)}.${randomBytes(16).toString('base64url')}`;
    return `${body}.${this.#mac(body).toString('base64url')}`;
  }

  isValid(token: string | undefined): boolean {
    const expiresAt = this.#expiryOf(token);
    return expiresAt !== undefined && expiresAt > this.#now() && !this.#revoked.has(token as string);
  }

  delete(token: string | undefined): void {
    const expiresAt = this.#expiryOf(token);
    if (expiresAt === undefined) return;
    const now = this.#now();
    for (const [revoked, until] of this.#revoked) if (until <= now) this.#revoked.delete(revoked);
    this.#revoked.set(token as string, expiresAt);
  }

  /** The expiry of a token this secret signed; undefined for anything else. */
  #expiryOf(token: string | undefined): number | undefined {
    if (token === undefined || token.length > 200) return undefined;
    const dot = token.lastIndexOf('.');
    if (dot <= 0) return undefined;
    const body = token.slice(0, dot);
    // The MAC is compared as the text it was issued as, not decoded: a base64url decoder ignores the
    // last character's unused bits, so decoding would accept other spellings of a token, and those
    // would pass the revocation list (keyed by the token's text) after a logout.
    const mac = Buffer.from(token.slice(dot + 1));
    const expected = Buffer.from(this.#mac(body).toString('base64url'));
    if (mac.length !== expected.length || !timingSafeEqual(mac, expected)) return undefined;
    const expiresAt = Number.parseInt(body.slice(0, body.indexOf('.')), 36);
    return Number.isFinite(expiresAt) ? expiresAt : undefined;
  }

  #mac(body: string): Buffer {
    return createHmac('sha256', this.#key).update(body).digest();
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
