import { describe, expect, it } from 'vitest';
import { deriveQwenChatBase } from './qwen-urls.js';
import { readQwenSettings } from './qwen-settings.js';

const FALLBACK = 'https://dashscope.aliyuncs.com/compatible-mode/v1';

describe('deriveQwenChatBase', () => {
  it.each([
    ['portal.qwen.ai', 'https://portal.qwen.ai/v1'],
    ['portal.qwen.ai/', 'https://portal.qwen.ai/v1'],
    ['https://portal.qwen.ai/v1', 'https://portal.qwen.ai/v1'],
    ['http://127.0.0.1:4000', 'http://127.0.0.1:4000/v1'],
    ['HTTP://127.0.0.1:4000/v1/', 'HTTP://127.0.0.1:4000/v1'],
    [undefined, FALLBACK],
    ['', FALLBACK],
  ])('resource_url %j gives %s', (resourceUrl, expected) => expect(deriveQwenChatBase(resourceUrl, FALLBACK)).toBe(expected));
});

describe('readQwenSettings', () => {
  it('uses Qwen Code defaults and resolves relative credential paths against the working directory', () => {
    expect(readQwenSettings({}, '/work')).toMatchObject({
      oauthBaseUrl: 'https://chat.qwen.ai',
      fallbackBaseUrl: FALLBACK,
      refreshSkewMs: 300_000,
    });
    expect(readQwenSettings({}, '/work').credentialsPath).toMatch(/\.qwen\/oauth_creds\.json$/);
    expect(
      readQwenSettings({ QWEN_OAUTH_CREDS_FILE_PATH: 'configs/qwen.json', QWEN_OAUTH_BASE_URL: 'http://127.0.0.1:9/', QWEN_REFRESH_SKEW_MS: '1000' }, '/work'),
    ).toMatchObject({ credentialsPath: '/work/configs/qwen.json', oauthBaseUrl: 'http://127.0.0.1:9', refreshSkewMs: 1000 });
  });
});
