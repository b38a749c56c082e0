import { describe, expect, it } from 'vitest';
import { estimateInputTokens } from './estimate-tokens.js';
import type { CanonicalRequest } from './types.js';

const base: CanonicalRequest = { protocol: 'claude', model: 'm', stream: false, system: [], messages: [], tools: [] };

describe('estimateInputTokens', () => {
  it.each([
    ['empty request', base, 0],
    ['system only', { ...base, system: [{ type: 'text', text: 'x'.repeat(40) }] }, 14],
    ['one user message', { ...base, messages: [{ role: 'user', content: [{ type: 'text', text: 'abcdefgh' }] }] }, 6],
    ['an image costs a flat amount', { ...base, messages: [{ role: 'user', content: [{ type: 'image', source: { kind: 'url', url: 'https://x' } }] }] }, 1604],
    [
      'tool calls and results count their JSON and text',
      {
        ...base,
        messages: [
          { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'a', toolName: 'f', input: { a: 1 } }] },
          { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'a', content: [{ type: 'text', text: '12345678' }] }] },
        ],
      },
      12,
    ],
  ] as [string, CanonicalRequest, number][])('%s -> %i', (_name, request, expected) => expect(estimateInputTokens(request)).toBe(expected));
});
