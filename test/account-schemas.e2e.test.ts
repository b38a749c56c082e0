import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROVIDER_ADAPTERS } from '../src/providers/registry.js';
import { startGateway, type Harness } from './helpers/gateway-harness.js';
import type { MockServer } from './mocks/mock-server.js';
import { OPENAI_MOCK_KEY, startOpenAiMock } from './mocks/openai-mock.js';

const ADMIN_KEY = 'admin-key';

describe('provider account schemas through the gateway', () => {
  let upstream: MockServer;
  let gateway: Harness;

  beforeAll(async () => {
    upstream = await startOpenAiMock();
    gateway = await startGateway({ MODEL_PROVIDER: 'openai-custom', ADMIN_API_KEY: ADMIN_KEY, PROVIDER_POOLS_FILE_PATH: 'pools.json' }, [], async (cwd) => {
      await writeFile(
        path.join(cwd, 'pools.json'),
        JSON.stringify({
          'openai-custom': [
            { uuid: 'good', OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url, PROXY_URL: null, checkModelName: 'gpt-4o-mini' },
            // Mistyped: the scheme is missing. Before, this quietly became a broken client.
            { uuid: 'typo', OPENAI_API_KEY: OPENAI_MOCK_KEY, OPENAI_BASE_URL: upstream.url.replace('http://', '') },
          ],
          'claude-kiro-oauth': [{ uuid: 'kiro-typo', KIRO_OAUTH_CREDS_BASE64: 'e30=', KIRO_REFRESH_SKEW_SECONDS: 'five minutes' }],
        }),
      );
    });
  });
  afterAll(async () => {
    await gateway.close(100);
    await upstream.close();
  });

  const admin = (pathName: string, key = ADMIN_KEY) => fetch(`${gateway.url}${pathName}`, { headers: { authorization: `Bearer ${key}` } });

  it('reports a mistyped pools entry by type, uuid and field, and loads the rest', async () => {
    const warnings = gateway.logLines.filter((line) => String(line.msg).startsWith('provider pools:')).map((line) => String(line.msg));
    expect(warnings).toContain('provider pools: pools: openai-custom uuid typo skipped: OPENAI_BASE_URL: expected an http:// or https:// URL');
    expect(warnings).toContain('provider pools: pools: claude-kiro-oauth uuid kiro-typo skipped: KIRO_REFRESH_SKEW_SECONDS: expected a whole number');
    const pools = (await (await admin('/api/pools')).json()) as { groups: Array<{ name: string; items: Array<{ uuid: string }> }> };
    expect(pools.groups.flatMap((group) => group.items.map((item) => item.uuid))).toEqual(['good']);
    const answer = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }] }),
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-aiclient-instance')).toBe('good');
  });

  it("serves every provider's account schema as JSON Schema, secrets marked, to admins only", async () => {
    expect((await admin('/api/providers', 'wrong')).status).toBe(401);
    const response = await admin('/api/providers');
    expect(response.status).toBe(200);
    const { providers } = (await response.json()) as {
      providers: Array<{
        type: string;
        protocol: string;
        loginCommand?: string;
        accountSchema: { type: string; properties: Record<string, { secret?: boolean; description?: string }> };
      }>;
    };
    // Every backend of the registry: adding one needs no edit here.
    expect(providers.map((provider) => provider.type).sort()).toEqual([...PROVIDER_ADAPTERS.keys()].sort());
    const openai = providers.find((provider) => provider.type === 'openai-custom')!;
    expect(openai).toMatchObject({ protocol: 'openai-chat', accountSchema: { type: 'object' } });
    expect(openai.accountSchema.properties.OPENAI_API_KEY).toMatchObject({ type: 'string', secret: true, description: expect.stringContaining('API key') });
    expect(openai.accountSchema.properties.OPENAI_BASE_URL!.secret).toBeUndefined();
    expect(providers.find((provider) => provider.type === 'openai-qwen-oauth')!.loginCommand).toBe('qwen');
  });

  it('refuses to start on a mistyped provider key in config.json, naming the key', async () => {
    await expect(startGateway({ MODEL_PROVIDER: 'openai-custom', OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'api.openai.com/v1' })).rejects.toThrow(
      'config: OPENAI_BASE_URL: expected an http:// or https:// URL',
    );
  });
});
