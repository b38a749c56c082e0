import { createHash, randomBytes } from 'node:crypto';

/** PKCE S256 pair (RFC 7636): a 32-byte random verifier and the base64url SHA-256 of it. */
export function createPkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallengeOf(verifier) };
}

export function pkceChallengeOf(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
