import { describe, expect, it } from 'vitest';
import { StreamUsageScanner, usageOfJsonBody } from './usage-scan.js';

const frame = (text: string) => Buffer.from(text);

describe('usage scanning of untouched upstream bytes', () => {
  it('reads the top-level usage of JSON answers of each protocol, not a tool input key named usage', () => {
    const claude = {
      content: [{ type: 'tool_use', input: { usage: { input_tokens: 999 } } }],
      usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 5, cache_creation_input_tokens: 2 },
    };
    expect(usageOfJsonBody('claude', Buffer.from(JSON.stringify(claude)))).toEqual({
      inputTokens: 17,
      outputTokens: 3,
      cacheReadTokens: 5,
      cacheWriteTokens: 2,
    });
    const openai = {
      choices: [{ message: { content: 'he said "usage": {"prompt_tokens": 1}' } }],
      usage: { prompt_tokens: 7, completion_tokens: 2, total_tokens: 9 },
    };
    expect(usageOfJsonBody('openai-chat', Buffer.from(JSON.stringify(openai)))).toMatchObject({ inputTokens: 7, outputTokens: 2 });
    const gemini = { candidates: [], usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, thoughtsTokenCount: 3, cachedContentTokenCount: 1 } };
    expect(usageOfJsonBody('gemini', Buffer.from(JSON.stringify(gemini)))).toMatchObject({
      inputTokens: 4,
      outputTokens: 5,
      reasoningTokens: 3,
      cacheReadTokens: 1,
    });
    expect(usageOfJsonBody('openai-chat', Buffer.from('{"usage":null}'))).toBeUndefined();
  });

  it('merges Claude message_start and message_delta usage', () => {
    const scanner = new StreamUsageScanner('claude');
    scanner.frame(
      frame('event: message_start\ndata: {"type":"message_start","message":{"usage":{"input_tokens":5,"cache_read_input_tokens":3,"output_tokens":1}}}\n\n'),
    );
    scanner.frame(frame('event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"text":"x"}}\n\n'));
    scanner.frame(frame('event: message_delta\ndata: {"type":"message_delta","usage":{"output_tokens":12}}\n\n'));
    expect(scanner.result()).toEqual({ inputTokens: 8, outputTokens: 12, cacheReadTokens: 3 });
  });

  it('skips OpenAI chunks whose usage is null and keeps the last usage object', () => {
    const scanner = new StreamUsageScanner('openai-chat');
    expect(scanner.frame(frame('data: {"choices":[{"delta":{"content":"a"}}],"usage":null}\n\n'))).toBe(false);
    expect(scanner.frame(frame('data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":4}}\n\n'))).toBe(true);
    expect(scanner.result()).toMatchObject({ inputTokens: 3, outputTokens: 4 });
  });
});
