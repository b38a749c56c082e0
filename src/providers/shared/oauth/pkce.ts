import { createHash, randomBytes } from 'node:crypto';

/**
 * PKCE pair (RFC 7636, S256): a 32-byte random verifier that stays with us and the base64url
 * SHA-256 of it, the only part that travels through the browser.
 */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An unguessable OAuth `state`, so a redirect we did not start (login CSRF) is refused. */
export function createOAuthState(): string {
  return randomBytes(24).toString('base64url');
}
