import { describe, expect, it } from 'vitest';
import { effectiveProxyUrl, proxyUrlProblem, redactProxyUrl } from './proxy-url.js';

describe('proxy URLs', () => {
  it.each([
    ['http://user:pa%40ss@proxy.local:8080', 'http://***@proxy.local:8080'],
    ['socks5://u:p@127.0.0.1:1080', 'socks5://***@127.0.0.1:1080'],
    ['https://proxy.local', 'https://proxy.local'],
    ['user:password', '(not a URL)'],
  ])('redacts %s as %s', (input, expected) => {
    expect(redactProxyUrl(input)).toBe(expected);
  });

  it.each([
    ['http://127.0.0.1:3128', undefined],
    ['socks5://u:p@127.0.0.1:1080', undefined],
    ['ftp://u:secret@127.0.0.1', 'has protocol ftp: (expected http:, https: or socks5:)'],
    ['secret', 'is not a URL (expected http://, https:// or socks5://host:port)'],
  ])('checks %s', (input, problem) => {
    expect(proxyUrlProblem(input)).toBe(problem);
  });

  it.each([
    [{}, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: ['openai-custom'] }, 'openai-custom', 'openai-custom', 'http://g'],
    [{}, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: ['OpenAI-Custom'] }, 'openai-custom', 'openai-custom-team2', 'http://g'],
    [{}, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: ['openai-custom-team2'] }, 'openai-custom', 'openai-custom-team2', 'http://g'],
    [{}, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: 'claude-custom, openai-custom' }, 'openai-custom', 'openai-custom', 'http://g'],
    [{}, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: ['claude-custom'] }, 'openai-custom', 'openai-custom', undefined],
    [{}, { PROXY_URL: 'http://g' }, 'openai-custom', 'openai-custom', undefined],
    [{ PROXY_URL: 'socks5://own' }, { PROXY_URL: 'http://g', PROXY_ENABLED_PROVIDERS: [] }, 'openai-custom', 'openai-custom', 'socks5://own'],
  ])('own %o over global %o for %s (%s) → %s', (own, global, type, group, expected) => {
    expect(effectiveProxyUrl(type, group, own, global)).toBe(expected);
  });
});
