import { describe, expect, it } from 'vitest';
import type { GatewayError } from '../../errors/gateway-error.js';
import { createUpstreamError } from '../../upstream/upstream-error.js';
import { classifyCodeAssistError } from './gemini-errors.js';
import { isGeminiConfigured, readGeminiSettings } from './gemini-settings.js';

const upstream = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  createUpstreamError(status, headers, JSON.stringify(body), 'gemini-cli-oauth');
const classify = (error: unknown, projectSource: 'config' | 'discovered' = 'config') =>
  classifyCodeAssistError(error, { project: 'p-1', projectSource }) as GatewayError;

describe('classifyCodeAssistError', () => {
  it('explains a 403 PERMISSION_DENIED as a wrong project, for the account', () => {
    const error = classify(upstream(403, { error: { code: 403, message: 'Permission denied on resource project p-1.', status: 'PERMISSION_DENIED' } }));
    expect(error).toMatchObject({ kind: 'auth', status: 403, code: 'gemini_project_forbidden', detail: { scope: 'account' } });
    expect(error.message).toMatch(/project "p-1".*check PROJECT_ID/);
    expect(classify(upstream(403, { error: { code: 403, message: 'Permission denied', status: 'PERMISSION_DENIED' } }), 'discovered').message).toMatch(
      /set PROJECT_ID/,
    );
  });

  it.each([
    [
      'a RetryInfo delay',
      { error: { code: 429, message: 'Resource has been exhausted (e.g. check quota).', status: 'RESOURCE_EXHAUSTED', details: [{ retryDelay: '30s' }] } },
      {},
      'rate_limit',
      30_000,
    ],
    [
      'a Retry-After header',
      { error: { code: 429, message: 'Resource has been exhausted', status: 'RESOURCE_EXHAUSTED' } },
      { 'retry-after': '7' },
      'rate_limit',
      7_000,
    ],
    [
      'a reset hours away',
      { error: { code: 429, message: 'You have exhausted your capacity on this model. Your quota will reset after 2h31m5s.', status: 'RESOURCE_EXHAUSTED' } },
      {},
      'quota',
      9_065_000,
    ],
    [
      'a daily limit',
      { error: { code: 429, message: "Quota exceeded for quota metric 'Requests per day per user'", status: 'RESOURCE_EXHAUSTED' } },
      {},
      'quota',
      undefined,
    ],
  ])('classifies a 429 with %s', (_name, body, headers, kind, retryAfterMs) => {
    const error = classify(upstream(429, body, headers as Record<string, string>));
    expect(error).toMatchObject({ kind, status: 429, detail: { scope: 'model', retryAfterMs } });
  });

  it('leaves other errors as they are', () => {
    const internal = upstream(500, { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } });
    expect(classify(internal)).toBe(internal);
    const plain = new Error('x');
    expect(classify(plain)).toBe(plain);
  });
});

describe('gemini settings', () => {
  it('has Google defaults and reads overrides', () => {
    expect(readGeminiSettings({})).toMatchObject({
      baseUrl: 'https://cloudcode-pa.googleapis.com',
      tokenUrl: 'https://oauth2.googleapis.com/token',
      refreshSkewMs: 300_000,
      onboardMaxPolls: 30,
      projectId: undefined,
    });
    expect(readGeminiSettings({ GEMINI_BASE_URL: 'http://127.0.0.1:9/', GEMINI_OAUTH_REFRESH_SKEW_MS: '1000', GEMINI_CUSTOM_MODELS: 'a, b' })).toMatchObject({
      baseUrl: 'http://127.0.0.1:9',
      refreshSkewMs: 1000,
      extraModels: ['a', 'b'],
    });
  });

  it.each([
    [{}, false],
    [{ GEMINI_OAUTH_CREDS_FILE_PATH: '/x.json' }, true],
    [{ GEMINI_OAUTH_CREDS_BASE64: 'e30=' }, true],
    [{ MODEL_PROVIDER: 'openai-custom,gemini-cli-oauth' }, true],
  ])('is configured for %j: %s', (settings, expected) => expect(isGeminiConfigured(settings)).toBe(expected));
});
