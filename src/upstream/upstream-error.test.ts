import { describe, expect, it } from 'vitest';
import { createUpstreamError, parseDurationMs, parseRetryAfterHeader } from './upstream-error.js';

describe('parseDurationMs', () => {
  it.each([
    ['30s', 30_000],
    ['1.5s', 1500],
    ['500ms', 500],
    ['1m30s', 90_000],
    ['2', 2000],
    ['soon', undefined],
    ['3x', undefined],
  ])('%s is %s ms', (text, ms) => expect(parseDurationMs(text)).toBe(ms));
});

describe('parseRetryAfterHeader', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfterHeader('2')).toBe(2000);
    expect(parseRetryAfterHeader(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfterHeader(undefined)).toBeUndefined();
  });
});

describe('createUpstreamError', () => {
  it("keeps an OpenAI error's message, type and code", () => {
    const error = createUpstreamError(
      401,
      {},
      '{"error":{"message":"Incorrect API key","type":"invalid_request_error","code":"invalid_api_key"}}',
      'openai-custom',
    );
    expect(error).toMatchObject({ status: 401, kind: 'auth', message: 'Incorrect API key' });
    expect(error.detail).toMatchObject({ upstreamType: 'invalid_request_error', upstreamCode: 'invalid_api_key', scope: 'account' });
  });

  it('reads a Gemini retryDelay and an Anthropic error type', () => {
    const gemini = createUpstreamError(
      429,
      {},
      '{"error":{"code":429,"message":"You have exhausted your capacity on this model.","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"30s"}]}}',
      'gemini-cli-oauth',
    );
    expect(gemini).toMatchObject({ kind: 'rate_limit', status: 429 });
    expect(gemini.detail.retryAfterMs).toBe(30_000);
    const claude = createUpstreamError(529, {}, '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', 'claude-custom');
    expect(claude).toMatchObject({ kind: 'overloaded', message: 'Overloaded' });
    expect(claude.detail.upstreamType).toBe('overloaded_error');
  });

  it("prefers the Retry-After header, and treats a plain 400 as the request's fault", () => {
    expect(createUpstreamError(429, { 'retry-after': '7' }, '{"retry_after": 99}', 'x').detail.retryAfterMs).toBe(7000);
    expect(createUpstreamError(400, {}, 'bad', 'x')).toMatchObject({ kind: 'invalid_request', message: 'bad', detail: { scope: 'request' } });
    expect(createUpstreamError(502, {}, '', 'x').message).toBe('HTTP 502');
  });
});
