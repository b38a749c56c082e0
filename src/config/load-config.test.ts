import { mkdtemp, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { FLAGS } from './flags.js';
import { renderHelp } from './help-text.js';
import { loadConfig, type LoadedConfig } from './load-config.js';

async function workdir(config?: unknown, raw?: string): Promise<string> {
  const cwd = await mkdtemp(path.join(tmpdir(), 'aiclient2api-config-'));
  if (config !== undefined || raw !== undefined) {
    await mkdir(path.join(cwd, 'configs'));
    await writeFile(path.join(cwd, 'configs', 'config.json'), raw ?? JSON.stringify(config));
  }
  return cwd;
}

async function serve(argv: string[], cwd: string): Promise<LoadedConfig> {
  const result = await loadConfig(argv, cwd);
  if (result.kind !== 'serve') throw new Error('expected serve');
  return result;
}

describe('loadConfig', () => {
  it('reads null as absent anywhere in the file, as the original writes it', async () => {
    const cwd = await workdir({
      OPENAI_BASE_URL: null,
      PROXY_URL: null,
      SERVER_PORT: null,
      SCHEDULED_HEALTH_CHECK: { enabled: null, interval: 600000 },
      modelFallbackMapping: null,
    });
    const loaded = await serve([], cwd);
    expect(loaded.config).toMatchObject({
      OPENAI_BASE_URL: 'https://api.openai.com/v1',
      SERVER_PORT: 3000,
      SCHEDULED_HEALTH_CHECK: { enabled: false, interval: 600000 },
      modelFallbackMapping: {},
    });
    expect(loaded.config.PROXY_URL).toBeUndefined();
  });

  it('accepts a health-check interval from 1000 ms and warns below a minute', async () => {
    const loaded = await serve([], await workdir({ SCHEDULED_HEALTH_CHECK: { enabled: true, interval: 1000 } }));
    expect(loaded.config.SCHEDULED_HEALTH_CHECK.interval).toBe(1000);
    expect(loaded.warnings).toEqual([expect.stringContaining('SCHEDULED_HEALTH_CHECK.interval is 1000 ms')]);
    await expect(loadConfig([], await workdir({ SCHEDULED_HEALTH_CHECK: { enabled: true, interval: 999 } }))).rejects.toThrow(
      /SCHEDULED_HEALTH_CHECK.interval/,
    );
  });

  it("names the original's keys for features we lack once, and never a key we read", async () => {
    const loaded = await serve(
      [],
      await workdir({
        TLS_SIDECAR_ENABLED: true,
        TLS_SIDECAR_PORT: 9090,
        UI_ENABLED: true,
        GROK_COOKIE: 'c',
        LOG_DIR: 'logs',
        PROXY_URL: 'http://127.0.0.1:1',
      }),
    );
    expect(loaded.warnings).toHaveLength(1);
    expect(loaded.warnings[0]).toContain('TLS_SIDECAR_ENABLED, TLS_SIDECAR_PORT, GROK_COOKIE');
    expect(loaded.warnings[0]).not.toContain('UI_ENABLED');
    expect(loaded.warnings[0]).not.toContain('LOG_DIR');
  });

  it('runs on defaults when configs/config.json is missing', async () => {
    const loaded = await serve([], await workdir());
    expect(loaded.configFile).toBeUndefined();
    expect(loaded.config).toMatchObject({ SERVER_PORT: 3000, HOST: '127.0.0.1', REQUIRED_API_KEY: '', REQUEST_MAX_RETRIES: 3 });
    expect(loaded.providers).toEqual(['openai-custom']);
  });

  it('applies flag > file > default', async () => {
    const cwd = await workdir({ SERVER_PORT: 4000, HOST: '127.0.0.2', REQUEST_MAX_RETRIES: 5 });
    const loaded = await serve(['--port', '5000', '--api-key=k1'], cwd);
    expect(loaded.config.SERVER_PORT).toBe(5000);
    expect(loaded.config.HOST).toBe('127.0.0.2');
    expect(loaded.config.REQUEST_MAX_RETRIES).toBe(5);
    expect(loaded.config.REQUIRED_API_KEY).toBe('k1');
    expect(loaded.config.REQUEST_BASE_DELAY).toBe(1000);
  });

  it("reads the original's keys as they are, ignoring keys of backends it does not know", async () => {
    const cwd = await workdir({
      REQUIRED_API_KEY: '123456',
      SERVER_PORT: 3000,
      HOST: '0.0.0.0',
      MODEL_PROVIDER: 'grok-web',
      GEMINI_OAUTH_CREDS_FILE_PATH: '~/.gemini/oauth_creds.json',
      PROJECT_ID: 'p',
      SYSTEM_PROMPT_FILE_PATH: 'configs/input_system_prompt.txt',
      SYSTEM_PROMPT_MODE: 'append',
      PROMPT_LOG_MODE: 'none',
      REQUEST_MAX_RETRIES: 3,
      REQUEST_BASE_DELAY: 1000,
      CRON_NEAR_MINUTES: 15,
      CRON_REFRESH_TOKEN: false,
      PROVIDER_POOLS_FILE_PATH: 'configs/provider_pools.json',
      MAX_ERROR_COUNT: 3,
      providerFallbackChain: { 'gemini-cli-oauth': ['gemini-antigravity'] },
      SCHEDULED_HEALTH_CHECK: { enabled: false, interval: 600000 },
      UI_ENABLED: true,
    });
    const loaded = await serve([], cwd);
    expect(loaded.config.SYSTEM_PROMPT_MODE).toBe('append');
    expect(loaded.config.PROVIDER_POOLS_FILE_PATH).toBe(path.join(cwd, 'configs/provider_pools.json'));
    expect(loaded.config.SYSTEM_PROMPT_FILE_PATH).toBe(path.join(cwd, 'configs/input_system_prompt.txt'));
    expect(loaded.providers).toEqual([]);
    expect(loaded.warnings.join('\n')).toContain('grok-web');
  });

  it('names the key and the bad value of a wrong type', async () => {
    const cwd = await workdir({ SERVER_PORT: 'three thousand', SYSTEM_PROMPT_MODE: 'replace' });
    const error = await loadConfig([], cwd).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toContain('SERVER_PORT');
    expect((error as Error).message).toContain('"three thousand"');
    expect((error as Error).message).toContain('SYSTEM_PROMPT_MODE');
    expect((error as Error).message).toContain('"replace"');
  });

  it('rejects an unknown provider name, naming it and the valid ones', async () => {
    const error = await loadConfig(['--model-provider', 'openai-custom,bogus'], await workdir()).catch((caught: unknown) => caught);
    expect((error as Error).message).toMatch(/MODEL_PROVIDER: unknown provider "bogus" \(valid: .*claude-custom/);
  });

  it('accepts a comma list with custom groups and auto, the first being the default', async () => {
    const loaded = await serve(['--model-provider', 'Claude-Custom-backup, auto'], await workdir());
    expect(loaded.providers).toEqual(['claude-custom-backup', 'auto']);
  });

  it('fails clearly on broken JSON, on a missing --config file, on unknown flags and missing values', async () => {
    await expect(loadConfig([], await workdir(undefined, '{ "SERVER_PORT": 3000, }'))).rejects.toThrow(/not valid JSON/);
    await expect(loadConfig(['--config', 'nope.json'], await workdir())).rejects.toThrow(/does not exist/);
    await expect(loadConfig(['--prot', '1'], await workdir())).rejects.toThrow(/Unknown option "--prot"/);
    await expect(loadConfig(['--port'], await workdir())).rejects.toThrow(/--port needs a value/);
    await expect(loadConfig(['--port', 'abc'], await workdir())).rejects.toThrow(/--port expects an integer, got "abc"/);
  });

  it('takes REDIS_URL from --redis-url and refuses other schemes', async () => {
    const loaded = await serve(['--redis-url', 'rediss://:pw@cache:6380/2'], await workdir());
    expect(loaded.config).toMatchObject({ REDIS_URL: 'rediss://:pw@cache:6380/2', REDIS_KEY_PREFIX: 'aiclient:' });
    await expect(loadConfig(['--redis-url', 'http://cache:6379'], await workdir())).rejects.toThrow(/REDIS_URL: must start with redis:\/\/ or rediss:\/\//);
  });

  it('never repeats the password of a bad REDIS_URL, from a flag or the config file', async () => {
    const bad = [
      'http://:hunter2@cache:6379',
      'redis://:hunter2@cache:99999',
      'redis://user:hunter2@[cache',
      'redis://:hunter2@cache:6379/zero',
      'redis://:hunter2@',
    ];
    for (const url of bad) {
      const fromFlag = (await loadConfig(['--redis-url', url], await workdir()).catch((error: unknown) => error)) as Error;
      const fromFile = (await loadConfig([], await workdir({ REDIS_URL: url })).catch((error: unknown) => error)) as Error;
      for (const error of [fromFlag, fromFile]) {
        expect(error, url).toBeInstanceOf(Error);
        expect(error.message, url).toMatch(/REDIS_URL: /);
        expect(error.message, url).not.toContain('hunter2');
      }
    }
  });

  it('sets nested keys from flags', async () => {
    const loaded = await serve(['--scheduled-health-check-enabled', 'true', '--scheduled-health-check-interval', '120000'], await workdir());
    expect(loaded.config.SCHEDULED_HEALTH_CHECK).toEqual({ enabled: true, interval: 120000, startupRun: false });
  });

  it('returns a frozen snapshot', async () => {
    const loaded = await serve([], await workdir());
    expect(Object.isFrozen(loaded.config)).toBe(true);
  });
});

describe('--help', () => {
  it('lists every flag with its config key and default', () => {
    const help = renderHelp();
    for (const spec of FLAGS) {
      expect(help).toContain(spec.flag);
      expect(help).toContain(`key ${spec.key}, default`);
    }
    expect(help).toContain('key SERVER_PORT, default 3000');
    expect(help).toContain('key REQUEST_BASE_DELAY, default 1000');
  });
});
