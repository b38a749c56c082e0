import { createHash, randomBytes } from 'node:crypto';

/** PKCE (RFC 7636, S256): the verifier stays here, only its hash travels through the browser. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** An unguessable `state`, so a redirect we did not start (login CSRF) is refused. */
export function createOAuthState(): string {
  return randomBytes(24).toString('base64url');
}
