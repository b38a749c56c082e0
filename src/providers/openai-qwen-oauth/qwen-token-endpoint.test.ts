import { describe, expect, it } from 'vitest';
import { describeOAuthError, mergeTokenAnswer } from './qwen-token-endpoint.js';

describe('mergeTokenAnswer', () => {
  const previous = { access_token: 'a', refresh_token: 'r', resource_url: 'portal.qwen.ai', expiry_date: 1, custom: { kept: true } };

  it('keeps unknown fields and the old refresh token and resource_url when the answer omits them', () => {
    expect(mergeTokenAnswer(previous, { access_token: 'b', token_type: 'Bearer', expires_in: 60 }, 1000)).toEqual({
      access_token: 'b',
      refresh_token: 'r',
      resource_url: 'portal.qwen.ai',
      token_type: 'Bearer',
      expires_in: 60,
      expiry_date: 61_000,
      custom: { kept: true },
    });
  });

  it('drops a stale expiry when the answer gives no lifetime (valid until a 401)', () => {
    expect(mergeTokenAnswer(previous, { access_token: 'b', refresh_token: 'r2' }, 1000)).not.toHaveProperty('expiry_date');
  });
});

describe('describeOAuthError', () => {
  it('names the OAuth error, or the status and text of a non-JSON answer', () => {
    expect(describeOAuthError({ status: 400, body: { error: 'invalid_request', error_description: 'Invalid refresh token or client_id' }, text: '' })).toBe(
      'invalid_request: Invalid refresh token or client_id',
    );
    expect(describeOAuthError({ status: 502, body: {}, text: '<html>\n Bad gateway </html>' })).toBe('HTTP 502 <html> Bad gateway </html>');
  });
});
