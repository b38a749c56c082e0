import { describe, expect, it } from 'vitest';
import { configAccountIssues, createAccountValidator } from './account-validation.js';
import { describeProviders } from './provider-schemas.js';
import { PROVIDER_ADAPTERS } from './registry.js';
import { readGeminiSettings } from './gemini-cli-oauth/gemini-settings.js';
import { readKiroSettings } from './claude-kiro-oauth/kiro-settings.js';
import { readQwenSettings } from './openai-qwen-oauth/qwen-settings.js';

const validate = createAccountValidator(PROVIDER_ADAPTERS);

describe('provider account schemas', () => {
  const described = describeProviders(PROVIDER_ADAPTERS);

  it('describes every backend of the registry, every field with a description', () => {
    expect(described.map((provider) => provider.type)).toEqual([...PROVIDER_ADAPTERS.keys()]);
    for (const provider of described) {
      const properties = provider.accountSchema.properties as Record<string, { description?: string }>;
      expect(Object.keys(properties).length, provider.type).toBeGreaterThan(0);
      for (const [field, schema] of Object.entries(properties)) expect(schema.description, `${provider.type} ${field}`).toMatch(/\w{3}/);
      // No field is required of a pools entry: config.json may give it, or a default applies.
      expect(provider.accountSchema).not.toHaveProperty('required');
    }
  });

  it('marks the secret fields, and only those', () => {
    const secrets = Object.fromEntries(
      described.map((provider) => [
        provider.type,
        Object.entries(provider.accountSchema.properties as Record<string, { secret?: boolean }>)
          .filter(([, schema]) => schema.secret === true)
          .map(([field]) => field)
          .sort(),
      ]),
    );
    expect(secrets).toEqual({
      'openai-custom': ['OPENAI_API_KEY', 'PROXY_URL'],
      'claude-custom': ['CLAUDE_API_KEY', 'PROXY_URL'],
      'gemini-cli-oauth': ['GEMINI_OAUTH_CLIENT_SECRET', 'GEMINI_OAUTH_CREDS_BASE64', 'PROXY_URL'],
      'openai-qwen-oauth': ['PROXY_URL'],
      'claude-kiro-oauth': ['KIRO_OAUTH_CREDS_BASE64', 'PROXY_URL'],
    });
  });

  it('lists defaults and number types as a form needs them', () => {
    const kiro = described.find((provider) => provider.type === 'claude-kiro-oauth')!.accountSchema.properties as Record<string, Record<string, unknown>>;
    expect(kiro.KIRO_REFRESH_SKEW_SECONDS).toMatchObject({ type: 'integer', minimum: 0, default: 300 });
    const openai = described.find((provider) => provider.type === 'openai-custom')!.accountSchema.properties as Record<string, Record<string, unknown>>;
    expect(openai.OPENAI_BASE_URL).toMatchObject({ type: 'string', default: 'https://api.openai.com/v1' });
  });

  it.each([
    ['openai-custom', { OPENAI_BASE_URL: 'api.openai.com/v1' }, 'OPENAI_BASE_URL: expected an http:// or https:// URL'],
    ['openai-custom', { OPENAI_API_KEY: 42 }, 'OPENAI_API_KEY: Invalid input: expected string, received number'],
    ['claude-custom', { CLAUDE_BASE_URL: 'ftp://example.com' }, 'CLAUDE_BASE_URL: expected an http:// or https:// URL'],
    ['gemini-cli-oauth', { GEMINI_ONBOARD_MAX_POLLS: 'many' }, 'GEMINI_ONBOARD_MAX_POLLS: expected a whole number'],
    ['gemini-cli-oauth', { GEMINI_OAUTH_REFRESH_SKEW_MS: -5 }, 'GEMINI_OAUTH_REFRESH_SKEW_MS: Too small: expected number to be >=0'],
    ['claude-kiro-oauth', { KIRO_REFRESH_SKEW_SECONDS: '5m' }, 'KIRO_REFRESH_SKEW_SECONDS: expected a whole number'],
    ['openai-qwen-oauth', { QWEN_OAUTH_BASE_URL: 'chat.qwen.ai' }, 'QWEN_OAUTH_BASE_URL: expected an http:// or https:// URL'],
  ])('%s reports %j by field path', (type, fields, issue) => {
    expect(validate(type, fields)).toBe(issue);
  });

  it('takes null and blank values as absent, and tolerates keys it does not know', () => {
    expect(validate('openai-custom', { OPENAI_API_KEY: null, OPENAI_BASE_URL: '  ', PROXY_URL: null, SOMETHING_ELSE: 5 })).toBeUndefined();
    expect(readGeminiSettings({ GEMINI_BASE_URL: null, GEMINI_ONBOARD_MAX_POLLS: '' })).toMatchObject({
      baseUrl: 'https://cloudcode-pa.googleapis.com',
      onboardMaxPolls: 30,
    });
  });

  it('reads digit strings as numbers and fills defaults, replacing the hand-written parsing', () => {
    expect(readKiroSettings({ KIRO_REFRESH_SKEW_SECONDS: '60', KIRO_OAUTH_CREDS_BASE64: 'e30=' })).toMatchObject({
      refreshSkewMs: 60_000,
      clientVersion: '0.11.63',
      credsFilePath: undefined,
    });
    expect(readQwenSettings({ QWEN_REFRESH_SKEW_MS: 1000 }, '/work')).toMatchObject({ refreshSkewMs: 1000, oauthBaseUrl: 'https://chat.qwen.ai' });
  });

  it('fails to read an account whose settings bypassed the loaders, naming the field and blaming the account', () => {
    expect(() => readKiroSettings({ KIRO_REFRESH_SKEW_SECONDS: 'soon' })).toThrow(
      expect.objectContaining({
        code: 'account_settings_invalid',
        kind: 'auth',
        message: expect.stringContaining('KIRO_REFRESH_SKEW_SECONDS: expected a whole number'),
      }),
    );
  });

  it('checks config.json keys against every backend, each problem once', () => {
    expect(configAccountIssues(PROVIDER_ADAPTERS, { OPENAI_BASE_URL: 'localhost:8080', PROXY_URL: 'http://127.0.0.1:1', MODEL_PROVIDER: 'x' })).toEqual([
      'OPENAI_BASE_URL: expected an http:// or https:// URL',
    ]);
  });
});
