import { describe, expect, it } from 'vitest';
import { maskSecrets } from './mask-secrets.js';

describe('maskSecrets', () => {
  it.each([
    [
      'Incorrect API key provided: sk-proj-abcdefghijklmnop1234. You can find your API key at ...',
      'Incorrect API key provided: sk-proj-***1234. You can find your API key at ...',
    ],
    ['bad key sk-mock-openai', 'bad key sk-***'],
    ['API key not valid: AIzaSyA1234567890abcdefghijk', 'API key not valid: AIza***hijk'],
    ['token ya29.a0AfH6SMBxyzxyzxyzxyz rejected', 'token ya29.***zxyz rejected'],
    ['refresh 1//0gAbCdEfGhIjKlMnOp failed', 'refresh 1//***MnOp failed'],
    ['proxy http://user:hunter2@proxy.local:8080 refused', 'proxy http://user:***@proxy.local:8080 refused'],
    ['socks5://bob:pw@127.0.0.1:1080', 'socks5://bob:***@127.0.0.1:1080'],
    ['header Authorization: Bearer abc.def.ghi-123', 'header Authorization: Bearer ***'],
    ['{"error":"invalid_grant","refresh_token":"r-123456"}', '{"error":"invalid_grant","refresh_token":"***"}'],
    ['{"accessToken":"aoaAAAAAGh1234567"}', '{"accessToken":"***"}'],
    [
      'GET https://generativelanguage.googleapis.com/v1beta/models?key=secret-value&alt=sse',
      'GET https://generativelanguage.googleapis.com/v1beta/models?key=***&alt=sse',
    ],
    ['id eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig-nat_ure', 'id ***'],
  ])('masks %s', (input, expected) => expect(maskSecrets(input)).toBe(expected));

  it.each([
    'max_tokens: 8192 is more than the model allows',
    'Rate limit reached for gpt-4o in organization org-123 on tokens per min',
    'upstream unreachable: connect ECONNREFUSED 127.0.0.1:9',
    'model claude-sonnet-4-5 not found',
  ])('leaves ordinary messages alone: %s', (text) => expect(maskSecrets(text)).toBe(text));
});
