import { describe, expect, it } from 'vitest';
import { SessionStore } from './session-store.js';

/** The same token with its last character's unused low bits changed: a lenient base64 decoder reads the same bytes. */
function otherSpelling(token: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const last = alphabet.indexOf(token.at(-1) as string);
  // 32 MAC bytes are 43 characters: the last one carries 4 bits and 2 unused ones.
  return token.slice(0, -1) + alphabet[last ^ 1];
}

describe('admin console sessions', () => {
  it('accepts a token only as it was issued: another spelling of its MAC is refused, before and after logout', () => {
    const store = new SessionStore({ secret: 'admin-secret-0123456789' });
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const token = store.create();
      const variant = otherSpelling(token);
      expect(Buffer.from(variant.slice(variant.lastIndexOf('.') + 1), 'base64url')).toEqual(Buffer.from(token.slice(token.lastIndexOf('.') + 1), 'base64url'));
      expect(store.isValid(token)).toBe(true);
      expect(store.isValid(variant)).toBe(false);
      store.delete(token);
      expect(store.isValid(token)).toBe(false);
      expect(store.isValid(variant)).toBe(false);
    }
  });

  it('refuses a token signed with another admin secret, and one past its expiry', () => {
    let now = 1_000_000;
    const store = new SessionStore({ secret: 'admin-secret-0123456789', ttlMs: 60_000, now: () => now });
    const token = store.create();
    expect(new SessionStore({ secret: 'another-admin-secret-0123' }).isValid(token)).toBe(false);
    now += 60_001;
    expect(store.isValid(token)).toBe(false);
  });
});
