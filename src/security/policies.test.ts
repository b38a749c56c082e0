import { describe, expect, it } from 'vitest';
import { createAuthThrottle } from './auth-throttle.js';
import { hasNonJsonBody } from './content-type-guard.js';
import { createHostPolicy } from './host-policy.js';
import { createOriginPolicy } from './origin-policy.js';

describe('origin policy', () => {
  const keyless = createOriginPolicy({ allowedOrigins: ['https://App.example/'], clientKeyRequired: false });
  it.each([
    ['http://localhost:5173', undefined, true],
    ['http://127.0.0.1:8080', undefined, true],
    ['http://[::1]:3000', undefined, true],
    ['https://localhost', undefined, true],
    ['https://app.example', undefined, true],
    ['https://evil.example', undefined, false],
    ['null', undefined, false],
    ['http://localhost.evil.example', undefined, false],
    ['http://127.0.0.1@evil.example', undefined, false],
    ['file://', undefined, false],
    ['http://gateway.lan:3000', 'gateway.lan:3000', true],
    ['http://gateway.lan:3000', 'gateway.lan:4000', false],
  ])('keyless: %s (Host %s) is served: %s', (origin, host, expected) => expect(keyless(origin, host)).toBe(expected));

  it('lets every origin try a keyed gateway unless CORS_ALLOWED_ORIGINS narrows it; * opens it', () => {
    expect(createOriginPolicy({ allowedOrigins: [], clientKeyRequired: true })('https://evil.example', undefined)).toBe(true);
    const narrowed = createOriginPolicy({ allowedOrigins: ['https://app.example'], clientKeyRequired: true });
    expect(narrowed('https://evil.example', undefined)).toBe(false);
    expect(narrowed('https://app.example', undefined)).toBe(true);
    expect(createOriginPolicy({ allowedOrigins: ['*'], clientKeyRequired: false })('https://evil.example', undefined)).toBe(true);
  });
});

describe('host policy', () => {
  const check = createHostPolicy({ listenHost: '127.0.0.1', allowedHosts: ['gateway.lan', 'box.example:3000'] })!;
  it.each([
    ['127.0.0.1:3000', true],
    ['localhost', true],
    ['LOCALHOST:3000', true],
    ['app.localhost:3000', true],
    ['[::1]:3000', true],
    ['gateway.lan:3000', true],
    ['box.example', true],
    ['rebind.attacker.example:3000', false],
    ['127.0.0.1.attacker.example', false],
    ['localhost:abc', false],
    ['[::1', false],
    [undefined, true],
  ])('Host %s is served: %s', (host, expected) => expect(check(host)).toBe(expected));

  it('is off when the gateway listens beyond loopback or ALLOWED_HOSTS has *', () => {
    expect(createHostPolicy({ listenHost: '0.0.0.0', allowedHosts: [] })).toBeUndefined();
    expect(createHostPolicy({ listenHost: 'localhost', allowedHosts: ['*'] })).toBeUndefined();
  });
});

describe('content type guard', () => {
  it.each([
    [{ 'content-length': '10', 'content-type': 'application/json' }, false],
    [{ 'content-length': '10', 'content-type': 'application/json; charset=utf-8' }, false],
    [{ 'transfer-encoding': 'chunked', 'content-type': 'Application/JSON' }, false],
    [{ 'content-length': '10', 'content-type': 'text/plain;charset=UTF-8' }, true],
    [{ 'content-length': '10', 'content-type': 'application/x-www-form-urlencoded' }, true],
    [{ 'content-length': '10', 'content-type': 'multipart/form-data; boundary=x' }, true],
    [{ 'content-length': '10' }, true],
    [{ 'content-length': '0', 'content-type': 'text/plain' }, false],
    [{}, false],
  ])('%j is refused: %s', (headers, expected) => expect(hasNonJsonBody(headers)).toBe(expected));
});

describe('auth throttle', () => {
  it('refuses an address for the rest of the window after 10 failures, and lets it try again after', () => {
    let now = 1_000_000;
    const throttle = createAuthThrottle({ now: () => now });
    for (let failure = 0; failure < 9; failure += 1) throttle.recordFailure('10.0.0.1');
    expect(throttle.blockedFor('10.0.0.1')).toBeUndefined();
    throttle.recordFailure('10.0.0.1');
    now += 15_000;
    expect(throttle.blockedFor('10.0.0.1')).toBe(45_000);
    expect(throttle.blockedFor('10.0.0.2')).toBeUndefined();
    now += 45_000;
    expect(throttle.blockedFor('10.0.0.1')).toBeUndefined();
    throttle.recordFailure('10.0.0.1');
    expect(throttle.blockedFor('10.0.0.1')).toBeUndefined();
  });

  it('starts a new window for failures spread out over time', () => {
    let now = 0;
    const throttle = createAuthThrottle({ now: () => now });
    for (let failure = 0; failure < 30; failure += 1) {
      throttle.recordFailure('10.0.0.1');
      now += 7_000;
    }
    expect(throttle.blockedFor('10.0.0.1')).toBeUndefined();
  });

  it('remembers a bounded number of addresses', () => {
    const throttle = createAuthThrottle({ now: () => 0, maxAddresses: 3, maxFailures: 1 });
    for (const address of ['a', 'b', 'c', 'd']) throttle.recordFailure(address);
    expect(throttle.blockedFor('a')).toBeUndefined();
    expect(throttle.blockedFor('d')).toBe(60_000);
  });
});
