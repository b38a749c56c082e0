import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createSingleInstancePool, loadPoolsFile, parsePools, resolveAdapterType } from './pools-file.js';

const knownTypes = ['openai-custom', 'claude-custom', 'gemini-cli-oauth', 'claude-kiro-oauth', 'openai-qwen-oauth'];

/** Shaped like a file the original wrote back, runtime fields included. */
const originalFile = {
  'openai-custom': [
    {
      uuid: 'a1',
      customName: 'main key',
      OPENAI_API_KEY: 'sk-1',
      OPENAI_BASE_URL: 'https://api.example/v1',
      isHealthy: false,
      usageCount: 12,
      errorCount: 3,
      lastUsed: '2026-01-01T00:00:00.000Z',
      lastErrorTime: 1767225600000,
      lastErrorMessage: 'boom',
      _lastSelectionSeq: 7,
      notSupportedModels: ['gpt-4'],
      concurrencyLimit: 2,
      queueLimit: 5,
    },
    { uuid: 'a2', OPENAI_API_KEY: 'sk-2', weight: 3, checkHealth: true, checkModelName: 'gpt-4o-mini' },
  ],
  'openai-custom-team2': [{ uuid: 'b1', OPENAI_API_KEY: 'sk-3', supportedModels: ['gpt-4o'] }],
  'claude-custom': [
    { uuid: 'c1', CLAUDE_API_KEY: 'k', concurrencyLimit: -1 },
    { customName: 'no uuid' },
    { uuid: 'c3', CLAUDE_API_KEY: 'k3', lastUsed: 'not a date', scheduledRecoveryTime: '2026-02-01T00:00:00Z' },
  ],
  'gemini-antigravity': [{ uuid: 'g1' }],
  'grok-web': [{ uuid: 'g2' }],
  'mystery-backend': [{ uuid: 'm1' }],
  'gemini-cli-oauth': { uuid: 'not an array' },
};

describe('parsePools', () => {
  const result = parsePools(originalFile, { knownTypes });

  it('loads known types and custom groups with their adapter type', () => {
    expect([...result.pools.keys()]).toEqual(['openai-custom', 'openai-custom-team2', 'claude-custom']);
    expect(result.groupTypes.get('openai-custom-team2')).toBe('openai-custom');
    expect(result.pools.get('openai-custom-team2')?.[0]?.providerType).toBe('openai-custom');
  });

  it('keeps credentials as provider config and runtime fields as initial state only', () => {
    const first = result.pools.get('openai-custom')?.[0];
    expect(first?.providerConfig).toEqual({ OPENAI_API_KEY: 'sk-1', OPENAI_BASE_URL: 'https://api.example/v1' });
    expect(first?.initialState).toMatchObject({
      healthy: false,
      usageCount: 12,
      errorCount: 3,
      lastUsedAt: Date.parse('2026-01-01T00:00:00.000Z'),
      lastErrorAt: 1767225600000,
      lastErrorMessage: 'boom',
    });
    expect(first).toMatchObject({ concurrencyLimit: 2, queueLimit: 5, weight: 1, notSupportedModels: ['gpt-4'] });
    expect(result.pools.get('openai-custom')?.[1]).toMatchObject({ weight: 3, checkHealth: true, checkModelName: 'gpt-4o-mini' });
  });

  it('reports bad entries by type and uuid and loads the rest', () => {
    expect(result.pools.get('claude-custom')?.map((entry) => entry.uuid)).toEqual(['c3']);
    expect(result.warnings).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/claude-custom uuid c1 skipped: concurrencyLimit/),
        expect.stringMatching(/claude-custom entry #1 skipped: uuid/),
      ]),
    );
  });

  it('reads unreadable runtime fields leniently', () => {
    const c3 = result.pools.get('claude-custom')?.[0];
    expect(c3?.initialState.lastUsedAt).toBeUndefined();
    expect(c3?.initialState.recoverAt).toBe(Date.parse('2026-02-01T00:00:00Z'));
  });

  it('skips types of the original we do not implement with one warning each', () => {
    const typeWarnings = result.warnings.filter((warning) => /provider type/.test(warning));
    expect(typeWarnings).toEqual([
      'pools: provider type "gemini-antigravity" is not supported by this gateway; its entries are skipped',
      'pools: provider type "grok-web" is not supported by this gateway; its entries are skipped',
      'pools: unknown provider type "mystery-backend"; its entries are skipped',
    ]);
    expect(result.warnings).toContain('pools: "gemini-cli-oauth" must be an array of instances; skipped');
  });

  it('reads null as absent for every optional field, as the original and its web UI write them', () => {
    const entry = {
      uuid: 'n1',
      customName: null,
      OPENAI_API_KEY: 'sk',
      OPENAI_BASE_URL: null,
      checkModelName: null,
      checkHealth: false,
      notSupportedModels: [],
      supportedModels: null,
      concurrencyLimit: null,
      queueLimit: null,
      isHealthy: true,
      isDisabled: false,
      lastUsed: null,
      usageCount: 0,
      errorCount: 0,
      lastErrorTime: null,
      lastErrorMessage: null,
      lastHealthCheckTime: null,
      lastHealthCheckModel: null,
      scheduledRecoveryTime: null,
      PROXY_URL: null,
    };
    const loaded = parsePools({ 'openai-custom': [entry] }, { knownTypes });
    expect(loaded.warnings).toEqual([]);
    const instance = loaded.pools.get('openai-custom')?.[0];
    expect(instance).toMatchObject({ uuid: 'n1', checkHealth: false, supportedModels: [], concurrencyLimit: 0, queueLimit: 0 });
    expect(instance?.customName).toBeUndefined();
    expect(instance?.checkModelName).toBeUndefined();
    // Null provider keys are not passed on, so the global config's value applies.
    expect(instance?.providerConfig).toEqual({ OPENAI_API_KEY: 'sk' });
  });

  it('rejects a uuid used twice in the file', () => {
    const duplicate = parsePools({ 'openai-custom': [{ uuid: 'x' }], 'claude-custom': [{ uuid: 'x' }] }, { knownTypes });
    expect(duplicate.pools.get('claude-custom')).toEqual([]);
    expect(duplicate.warnings[0]).toMatch(/claude-custom uuid x skipped: uuid already used in "openai-custom"/);
  });

  it('throws when the document is not an object', () => {
    expect(() => parsePools([], { knownTypes })).toThrow(/JSON object/);
  });
});

describe('resolveAdapterType', () => {
  it.each([
    ['openai-custom', 'openai-custom'],
    ['OpenAI-Custom', 'openai-custom'],
    ['openai-custom-team2', 'openai-custom'],
    ['claude-custom-backup-2', 'claude-custom'],
    ['openai', undefined],
    ['openai-customer', undefined],
  ])('%s → %s', (key, expected) => expect(resolveAdapterType(key, knownTypes)).toBe(expected));
});

describe('loadPoolsFile', () => {
  it('reads a file without ever writing it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pools-'));
    const path = join(dir, 'provider_pools.json');
    const text = `${JSON.stringify(originalFile, null, 2)}\n`;
    await writeFile(path, text);
    const loaded = await loadPoolsFile(path, { knownTypes });
    expect(loaded.pools.size).toBe(3);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('names the path when the file is missing or broken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pools-'));
    await expect(loadPoolsFile(join(dir, 'none.json'), { knownTypes })).rejects.toThrow(/cannot read pools file/);
    await writeFile(join(dir, 'bad.json'), '{');
    await expect(loadPoolsFile(join(dir, 'bad.json'), { knownTypes })).rejects.toThrow(/not valid JSON/);
  });
});

describe('createSingleInstancePool', () => {
  it('makes a pool of one for the config.json provider', () => {
    expect(createSingleInstancePool('claude-custom')).toMatchObject({
      uuid: 'claude-custom-default',
      group: 'claude-custom',
      providerType: 'claude-custom',
      concurrencyLimit: 0,
      weight: 1,
      providerConfig: {},
    });
  });
});
