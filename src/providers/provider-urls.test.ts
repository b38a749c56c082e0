import { describe, expect, it } from 'vitest';
import { claudeApiRoot } from './claude-custom/claude-custom-urls.js';
import { normalizeOpenAiBaseUrl } from './openai-custom/openai-custom-urls.js';

describe('base URLs', () => {
  it.each([
    ['https://api.openai.com', 'https://api.openai.com/v1'],
    ['https://api.openai.com/', 'https://api.openai.com/v1'],
    ['https://api.openai.com/v1', 'https://api.openai.com/v1'],
    ['https://api.openai.com/v1/', 'https://api.openai.com/v1'],
    ['https://openrouter.ai/api/v1', 'https://openrouter.ai/api/v1'],
    ['https://open.bigmodel.cn/api/paas/v4', 'https://open.bigmodel.cn/api/paas/v4'],
    ['https://generativelanguage.googleapis.com/v1beta/openai/', 'https://generativelanguage.googleapis.com/v1beta/openai'],
    ['http://127.0.0.1:8080/v1/chat/completions', 'http://127.0.0.1:8080/v1'],
  ])('OPENAI_BASE_URL %s calls %s/chat/completions', (input, expected) => expect(normalizeOpenAiBaseUrl(input)).toBe(expected));

  it.each([
    ['https://api.anthropic.com', 'https://api.anthropic.com/v1'],
    ['https://api.anthropic.com/', 'https://api.anthropic.com/v1'],
    ['https://api.anthropic.com/v1', 'https://api.anthropic.com/v1'],
    ['https://proxy.example/anthropic/v1/messages', 'https://proxy.example/anthropic/v1'],
  ])('CLAUDE_BASE_URL %s calls %s/messages', (input, expected) => expect(claudeApiRoot(input)).toBe(expected));
});
