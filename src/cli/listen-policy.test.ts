import { describe, expect, it } from 'vitest';
import { checkListenPolicy, isLoopbackHost } from './listen-policy.js';

describe('listen policy', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['localhost', true],
    ['::1', true],
    ['0.0.0.0', false],
    ['::', false],
    ['192.168.1.5', false],
  ])('%s is loopback: %s', (host, expected) => expect(isLoopbackHost(host)).toBe(expected));

  it('warns on loopback without a key, refuses elsewhere, and shouts about the original default key', () => {
    expect(checkListenPolicy('127.0.0.1', '')[0]).toContain('No REQUIRED_API_KEY');
    expect(() => checkListenPolicy('0.0.0.0', '')).toThrow(/Refusing to listen on 0\.0\.0\.0/);
    expect(checkListenPolicy('0.0.0.0', '123456')[0]).toContain('well-known default');
    expect(checkListenPolicy('127.0.0.1', '123456')).toEqual([]);
    expect(checkListenPolicy('0.0.0.0', 'long-random-key')).toEqual([]);
  });
});
