import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openaiCustomAdapter } from '../providers/openai-custom/index.js';
import type { ProviderAdapter } from '../providers/provider-adapter.js';
import { accountFieldNames } from '../providers/provider-schemas.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { secretField, urlField } from '../providers/shared/account-fields.js';
import { originalOnlyKeys } from './original-only-keys.js';

/** A backend of the original (openai-iflow) as a contributor would add it: its keys live only in its account schema. */
const iflowAdapter: ProviderAdapter = {
  ...openaiCustomAdapter,
  type: 'openai-iflow',
  accountSchema: z.object({ IFLOW_API_KEY: secretField('API key'), IFLOW_BASE_URL: urlField('API base', 'https://apis.iflow.cn/v1') }),
};

describe('originalOnlyKeys', () => {
  const file = { TLS_SIDECAR_PORT: 9090, IFLOW_API_KEY: 'k', IFLOW_BASE_URL: 'https://x', LOG_INCLUDE_REQUEST_ID: true, OPENAI_API_KEY: 'k', GROK_COOKIE: 'c' };

  it.each([
    ['the registry of today', PROVIDER_ADAPTERS, ['TLS_SIDECAR_PORT', 'IFLOW_API_KEY', 'IFLOW_BASE_URL', 'LOG_INCLUDE_REQUEST_ID', 'GROK_COOKIE']],
    [
      'a registry with openai-iflow added',
      new Map([...PROVIDER_ADAPTERS, ['openai-iflow', iflowAdapter]]),
      ['TLS_SIDECAR_PORT', 'LOG_INCLUDE_REQUEST_ID', 'GROK_COOKIE'],
    ],
  ])('with %s, names only the keys no backend reads', (_name, adapters, expected) => {
    const read = accountFieldNames(adapters);
    expect(originalOnlyKeys(file, (key) => read.has(key))).toEqual(expected);
  });

  it('asks about candidate keys only', () => {
    const asked: string[] = [];
    originalOnlyKeys(file, (key) => (asked.push(key), false));
    expect(asked).toEqual(['TLS_SIDECAR_PORT', 'IFLOW_API_KEY', 'IFLOW_BASE_URL', 'LOG_INCLUDE_REQUEST_ID', 'GROK_COOKIE']);
  });
});

describe('accountFieldNames', () => {
  it('lists every field of every backend, and no routing key', () => {
    const names = accountFieldNames(PROVIDER_ADAPTERS);
    for (const field of ['OPENAI_API_KEY', 'CLAUDE_BASE_URL', 'PROJECT_ID', 'KIRO_REFRESH_SKEW_SECONDS', 'QWEN_BASE_URL', 'PROXY_URL'])
      expect(names).toContain(field);
    expect(names).not.toContain('uuid');
    expect(names).not.toContain('MODEL_PROVIDER');
  });
});
