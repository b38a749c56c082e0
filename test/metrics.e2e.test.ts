import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import { ANTHROPIC_MOCK_KEY, startAnthropicMock } from './mocks/anthropic-mock.js';
import type { MockServer } from './mocks/mock-server.js';
import { startOpenAiMock } from './mocks/openai-mock.js';
import { sample } from './helpers/prometheus.js';

describe('Prometheus metrics through the gateway', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startOpenAiMock({ key: 'k-openai', usage: { prompt_tokens: 10, completion_tokens: 4, total_tokens: 14 } });
    gateway = await startGateway(
      {
        MODEL_PROVIDER: 'openai-custom',
        PROVIDER_POOLS_FILE_PATH: 'pools.json',
        providerFallbackChain: { 'claude-custom': ['openai-custom'] },
        METRICS_PUBLIC: true,
        ADMIN_API_KEY: 'admin-key',
        POOL_STRATEGY: 'round-robin',
      },
      [],
      async (cwd) => {
        await writeFile(
          path.join(cwd, 'pools.json'),
          JSON.stringify({
            'openai-custom': [
              { uuid: 'dead-openai', customName: 'down', OPENAI_API_KEY: 'k-openai', OPENAI_BASE_URL: 'http://127.0.0.1:9' },
              { uuid: 'live-openai', customName: 'main', OPENAI_API_KEY: 'k-openai', OPENAI_BASE_URL: upstream.url },
            ],
            'claude-custom': [{ uuid: 'dead-claude', customName: 'claude down', CLAUDE_API_KEY: 'k', CLAUDE_BASE_URL: 'http://127.0.0.1:9' }],
          }),
        );
      },
    );
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('counts requests, tokens, attempts, failovers and fallbacks, and shows every instance', async () => {
    const openai = new OpenAI({ apiKey: 'x', baseURL: `${gateway.url}/v1`, maxRetries: 0 });
    for (let index = 0; index < 4; index += 1) {
      const stream = await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: index % 2 === 0 });
      if (Symbol.asyncIterator in stream) for await (const chunk of stream) void chunk;
    }
    const anthropic = new Anthropic({ apiKey: 'x', baseURL: `${gateway.url}/claude-custom`, maxRetries: 0 });
    await anthropic.messages.create({ model: 'gpt-4o-mini', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });

    // METRICS_PUBLIC: no key needed.
    const response = await fetch(`${gateway.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(sample(text, 'aiclient_requests_total', { protocol: 'openai-chat', provider: 'openai-custom', model: 'gpt-4o-mini', status: '200' })).toBe(4);
    expect(sample(text, 'aiclient_requests_total', { protocol: 'claude', provider: 'openai-custom', model: 'gpt-4o-mini', status: '200' })).toBe(1);
    expect(sample(text, 'aiclient_tokens_total', { provider: 'openai-custom', model: 'gpt-4o-mini', type: 'input' })).toBe(50);
    expect(sample(text, 'aiclient_tokens_total', { provider: 'openai-custom', model: 'gpt-4o-mini', type: 'output' })).toBe(20);
    expect(sample(text, 'aiclient_upstream_attempts_total', { provider: 'openai-custom', instance: 'live-openai', outcome: 'success' })).toBe(5);
    const deadAttempts = sample(text, 'aiclient_upstream_attempts_total', { provider: 'openai-custom', instance: 'dead-openai', outcome: 'network' }) ?? 0;
    expect(deadAttempts).toBeGreaterThan(0);
    expect(sample(text, 'aiclient_failovers_total', { provider: 'openai-custom' })).toBe(deadAttempts);
    expect(sample(text, 'aiclient_fallbacks_total', { from: 'claude-custom', to: 'openai-custom' })).toBe(1);
    expect(sample(text, 'aiclient_instance_info', { provider: 'openai-custom', instance: 'live-openai', name: 'main' })).toBe(1);
    expect(sample(text, 'aiclient_instance_healthy', { provider: 'openai-custom', instance: 'live-openai' })).toBe(1);
    expect(sample(text, 'aiclient_instance_in_flight', { provider: 'claude-custom', instance: 'dead-claude' })).toBe(0);
    expect(sample(text, 'aiclient_request_duration_seconds_count', { protocol: 'openai-chat', provider: 'openai-custom' })).toBe(4);
    expect(sample(text, 'aiclient_time_to_first_byte_seconds_count', { protocol: 'openai-chat', provider: 'openai-custom' })).toBe(4);
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    // instance never shares a series with model.
    for (const line of text.split('\n')) if (line.includes('instance="')) expect(line).not.toContain('model="');
  });
});

describe('Prometheus metrics for a claude-custom backend', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startAnthropicMock();
    gateway = await startGateway({
      MODEL_PROVIDER: 'claude-custom',
      CLAUDE_API_KEY: ANTHROPIC_MOCK_KEY,
      CLAUDE_BASE_URL: upstream.url,
      ADMIN_API_KEY: 'admin-key',
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  it('counts Claude requests and the tokens the Anthropic upstream reported, streaming and not', async () => {
    const anthropic = new Anthropic({ apiKey: 'x', baseURL: `${gateway.url}/claude-custom`, maxRetries: 0 });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    await anthropic.messages.stream({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] }).finalMessage();

    // Without METRICS_PUBLIC the admin key is needed.
    expect((await fetch(`${gateway.url}/metrics`)).status).toBe(401);
    const response = await fetch(`${gateway.url}/metrics`, { headers: { authorization: 'Bearer admin-key' } });
    expect(response.status).toBe(200);
    const text = await response.text();
    const instance = /aiclient_instance_info\{[^}]*instance="([^"]+)"/.exec(text)?.[1] as string;
    expect(instance).toBeTruthy();
    expect(sample(text, 'aiclient_requests_total', { protocol: 'claude', provider: 'claude-custom', model: 'claude-sonnet-4-5', status: '200' })).toBe(3);
    // The mock reports 5 input and 2 output tokens per answer; a stream's come from message_start and message_delta.
    expect(sample(text, 'aiclient_tokens_total', { provider: 'claude-custom', model: 'claude-sonnet-4-5', type: 'input' })).toBe(15);
    expect(sample(text, 'aiclient_tokens_total', { provider: 'claude-custom', model: 'claude-sonnet-4-5', type: 'output' })).toBe(6);
    expect(sample(text, 'aiclient_upstream_attempts_total', { provider: 'claude-custom', instance, outcome: 'success' })).toBe(3);
    expect(sample(text, 'aiclient_request_duration_seconds_count', { protocol: 'claude', provider: 'claude-custom' })).toBe(3);
    expect(sample(text, 'aiclient_time_to_first_byte_seconds_count', { protocol: 'claude', provider: 'claude-custom' })).toBe(3);
    expect(sample(text, 'aiclient_instance_healthy', { provider: 'claude-custom', instance })).toBe(1);
  });
});
