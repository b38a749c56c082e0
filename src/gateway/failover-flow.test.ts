/**
 * The gateway's own failover loop (Gateway.run: instance failover within a group, then the provider
 * fallback chain and the model fallback mapping) over a real provider pool and instance selector.
 * Only the backends are stand-ins: each instance's client answers by its uuid, so the test says which
 * instances a request tried and which one served, and that no lease is left held.
 */
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { GatewayError } from '../errors/gateway-error.js';
import type { ModelFallbackMapping, ProviderFallbackChain } from '../pool/index.js';
import { createTestPool, upstreamError } from '../pool/pool-test-helpers.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import type { ProviderAdapter, UpstreamResponse } from '../providers/provider-adapter.js';
import { Gateway } from './gateway.js';
import { PoolInstanceSelector } from './pool-instance-selector.js';
import { ProviderDirectory } from './provider-directory.js';
import { RawJsonObject } from '../json/raw-json-object.js';

type Behaviour = 'ok' | '500' | 'reset' | 'hang' | '400';

const failures: Record<Exclude<Behaviour, 'ok'>, () => GatewayError> = {
  500: () => upstreamError('upstream', { status: 500, scope: 'account' }),
  reset: () => upstreamError('network', { status: 502, scope: 'account' }),
  hang: () => upstreamError('timeout', { status: 504, scope: 'account' }), // the HTTP client's timeout turned a hang into this
  400: () => upstreamError('invalid_request', { status: 400, scope: 'request' }),
};

function openaiAnswer(text: string): UpstreamResponse {
  const body = Buffer.from(
    JSON.stringify({ id: 'c', object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] }),
  );
  return {
    status: 200,
    contentType: 'application/json',
    body: (async function* () {
      yield body;
    })(),
  };
}

/** A backend type whose clients behave as their uuid says (`behaviours[uuid]`), recording each call. */
function stubAdapter(type: string, protocol: ProtocolId, behaviours: Record<string, Behaviour>, calls: string[]): ProviderAdapter {
  return {
    type,
    protocol,
    accountSchema: z.object({}),
    setupHint: '',
    isConfigured: () => true,
    healthCheck: { defaultModel: 'm', body: () => ({}) },
    createClient: (settings) => {
      const uuid = String(settings.uuid);
      return {
        async send(request) {
          calls.push(`${uuid}/${request.model}`);
          const behaviour = behaviours[uuid] ?? 'ok';
          if (behaviour !== 'ok') throw failures[behaviour]();
          return openaiAnswer(`Hello from ${uuid}`);
        },
        listModels: async () => [],
      };
    },
  };
}

interface Setup {
  groups: Record<string, Array<string | { uuid: string; isDisabled?: boolean }>>;
  behaviours?: Record<string, Behaviour>;
  attempts?: number;
  providerFallbackChain?: ProviderFallbackChain;
  modelFallbackMapping?: ModelFallbackMapping;
}

function createSetup(setup: Setup) {
  const { pool } = createTestPool(setup.groups, { maxErrorCount: 10 });
  const calls: string[] = [];
  const behaviours = setup.behaviours ?? {};
  const adapters = new Map<string, ProviderAdapter>([
    ['openai-custom', stubAdapter('openai-custom', 'openai-chat', behaviours, calls)],
    ['claude-custom', stubAdapter('claude-custom', 'openai-chat', behaviours, calls)],
    ['claude-kiro-oauth', stubAdapter('claude-kiro-oauth', 'openai-chat', behaviours, calls)],
  ]);
  const logger = pino({ level: 'silent' });
  const selector = new PoolInstanceSelector(pool, adapters, { http: undefined as never, logger });
  const directory = new ProviderDirectory(
    adapters,
    { has: (name) => pool.hasGroup(name), names: () => pool.groups(), adapterTypeOf: (name) => pool.providerTypeOf(name) },
    [Object.keys(setup.groups)[0]!],
  );
  const providerFallbackChain = setup.providerFallbackChain ?? {};
  const modelFallbackMapping = setup.modelFallbackMapping ?? {};
  const gateway = new Gateway({
    directory,
    fallback: {
      providerFallbackChain,
      modelFallbackMapping,
      enabled: Object.keys(providerFallbackChain).length + Object.keys(modelFallbackMapping).length > 0,
    },
    selector,
    // REQUEST_MAX_RETRIES + 1 attempts per request; no backoff wait before a same-instance retry.
    retry: { maxAttempts: setup.attempts ?? 4, baseDelayMs: 0, streamFirstByteTimeoutMs: 60_000 },
    systemPrompt: { text: '', mode: 'append', replacements: [] },
    promptLog: { enabled: false, write: () => undefined, close: async () => undefined },
    logger,
  });

  async function ask(model: string) {
    const body = { model, messages: [{ role: 'user', content: 'Hi' }] };
    const log = { bytes: 0 } as { bytes: number; instanceId?: string; provider?: string };
    const result = await gateway.run({
      requestId: 'r1',
      protocol: 'openai-chat',
      body,
      json: RawJsonObject.fromObject(body),
      model,
      stream: false,
      pathProvider: undefined,
      headerProvider: undefined,
      headers: {},
      signal: new AbortController().signal,
      log,
    });
    if (result.kind !== 'json') throw new Error('expected a complete answer');
    const chunks: Buffer[] = [];
    for await (const chunk of result.body) chunks.push(chunk);
    const answer = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { choices: Array<{ message: { content: string } }> };
    return { text: answer.choices[0]!.message.content, served: `${result.provider}/${log.instanceId}` };
  }

  const inFlight = () => pool.summary().items.reduce((sum, item) => sum + item.inFlight, 0);
  return { pool, calls, ask, inFlight };
}

describe('the gateway failover loop', () => {
  it.each(['500', 'reset', 'hang'] as const)('moves past an instance that fails with %s, never retrying it', async (failure) => {
    const setup = createSetup({ groups: { 'openai-custom': ['bad', 'good'] }, behaviours: { bad: failure } });
    await expect(setup.ask('m')).resolves.toEqual({ text: 'Hello from good', served: 'openai-custom/good' });
    expect(setup.calls).toEqual(['bad/m', 'good/m']);
    expect(setup.inFlight()).toBe(0);
  });

  it('does not fail over on a client error, and blames no instance for it', async () => {
    const setup = createSetup({ groups: { 'openai-custom': ['a', 'b'] }, behaviours: { a: '400', b: '400' } });
    await expect(setup.ask('m')).rejects.toMatchObject({ kind: 'invalid_request', status: 400 });
    expect(setup.calls).toHaveLength(1);
    expect(setup.pool.summary().items.map((item) => item.errorCount)).toEqual([0, 0]);
    expect(setup.inFlight()).toBe(0);
  });

  it('falls back to the next provider in the chain when a group is all down, then to the model mapping', async () => {
    const setup = createSetup({
      groups: { 'claude-kiro-oauth': ['k1'], 'openai-custom': ['o1'] },
      behaviours: { k1: '500' },
      providerFallbackChain: { 'claude-kiro-oauth': ['claude-custom'] },
      modelFallbackMapping: { 'claude-opus-4': { targetProviderType: 'openai-custom', targetModel: 'gpt-4o' } },
    });
    // claude-custom is in the chain but not configured: skipped; the mapping changes provider and model.
    await expect(setup.ask('claude-opus-4')).resolves.toEqual({ text: 'Hello from o1', served: 'openai-custom/o1' });
    expect(setup.calls).toEqual(['k1/claude-opus-4', 'o1/gpt-4o']);
    expect(setup.inFlight()).toBe(0);
  });

  it('reports the upstream failure, not "no instance", when every attempt failed', async () => {
    const setup = createSetup({ groups: { 'openai-custom': ['a', 'b'] }, behaviours: { a: '500', b: '500' } });
    await expect(setup.ask('m')).rejects.toMatchObject({ kind: 'upstream', status: 500 });
    expect(setup.calls).toEqual(['a/m', 'b/m']);
  });

  it("answers 503 in the pool's words when nothing at all can serve", async () => {
    const setup = createSetup({ groups: { 'claude-custom': [{ uuid: 'c1', isDisabled: true }] } });
    const error = await setup.ask('x').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 503, message: 'no healthy instance of claude-custom supports model x' });
    expect(setup.calls).toEqual([]);
  });

  it('is bounded by the attempt limit (REQUEST_MAX_RETRIES + 1)', async () => {
    const setup = createSetup({ groups: { 'openai-custom': ['a', 'b', 'c', 'd'] }, behaviours: { a: '500', b: '500', c: '500', d: '500' }, attempts: 2 });
    await expect(setup.ask('m')).rejects.toMatchObject({ status: 500 });
    expect(setup.calls).toHaveLength(2);
    expect(
      setup.pool
        .summary()
        .items.map((item) => item.usageCount)
        .sort(),
    ).toEqual([0, 0, 1, 1]);
    expect(setup.inFlight()).toBe(0);
  });
});
