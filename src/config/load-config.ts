import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { z } from 'zod';
import { AUTO_PROVIDER, IMPLEMENTED_PROVIDER_TYPES, NOT_IMPLEMENTED_PROVIDER_TYPES, adapterTypeOf } from '../providers/provider-names.js';
import { accountFieldNames } from '../providers/provider-schemas.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { ConfigError } from './config-error.js';
import { nullAsAbsent } from './null-as-absent.js';
import { originalOnlyKeys } from './original-only-keys.js';
import { proxyUrlProblem } from '../upstream/proxy/proxy-url.js';
import { redisUrlProblem } from './redis-url.js';
import { parseArgv } from './parse-argv.js';
import { ConfigSchema, PATH_KEYS, type GatewayConfig } from './schema.js';
import { jsonSyntaxErrorWhere } from '../json/json-syntax-error.js';

export const DEFAULT_CONFIG_PATH = 'configs/config.json';

export interface LoadedConfig {
  config: GatewayConfig;
  /** Absolute path of the config file read, or undefined when none existed (defaults). */
  configFile: string | undefined;
  /** Provider names from MODEL_PROVIDER that this gateway serves, default first. */
  providers: readonly string[];
  warnings: string[];
}

export type CliRequest = { kind: 'help' } | { kind: 'version' } | ({ kind: 'serve' } & LoadedConfig);

function setNested(target: Record<string, unknown>, dottedKey: string, value: unknown): void {
  const [head, ...rest] = dottedKey.split('.');
  if (!head) return;
  if (rest.length === 0) {
    target[head] = value;
    return;
  }
  const child = target[head];
  const nested = typeof child === 'object' && child !== null ? { ...(child as Record<string, unknown>) } : {};
  setNested(nested, rest.join('.'), value);
  target[head] = nested;
}

async function readConfigFile(file: string): Promise<Record<string, unknown> | undefined> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read config file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Config file ${file} is not valid JSON (${jsonSyntaxErrorWhere(error, text)})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`Config file ${file} must hold a JSON object`);
  }
  // The original writes null for optional keys it has no value for: null means absent (default).
  return nullAsAbsent(parsed as Record<string, unknown>);
}

function describeIssues(error: z.ZodError, input: Record<string, unknown>): string {
  return error.issues
    .map((issue) => {
      const key = issue.path.join('.');
      let value: unknown = input;
      for (const segment of issue.path) {
        value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[segment as PropertyKey] : undefined;
      }
      return `  ${key}: ${issue.message} (got ${JSON.stringify(value)})`;
    })
    .join('\n');
}

/**
 * Whether the gateway reads a config.json key: the config schema's keys, and every backend's account
 * fields (a backend declares its keys only in its account schema). The account fields are listed only
 * when a key needs them, which is rare: a file with keys of the original's other backends.
 */
function readsConfigKey(): (key: string) => boolean {
  const configKeys = new Set(Object.keys(ConfigSchema.shape));
  let accountKeys: ReadonlySet<string> | undefined;
  return (key) => configKeys.has(key) || (accountKeys ??= accountFieldNames(PROVIDER_ADAPTERS)).has(key);
}

/** Checks MODEL_PROVIDER: unknown names fail, names we do not implement are skipped with a warning. */
function resolveProviderList(value: string, warnings: string[]): string[] {
  const providers: string[] = [];
  for (const raw of value.split(',')) {
    const name = raw.trim();
    if (!name) continue;
    if (name.toLowerCase() === AUTO_PROVIDER) {
      providers.push(AUTO_PROVIDER);
      continue;
    }
    if (adapterTypeOf(name, IMPLEMENTED_PROVIDER_TYPES)) {
      providers.push(name.toLowerCase());
      continue;
    }
    if (adapterTypeOf(name, NOT_IMPLEMENTED_PROVIDER_TYPES)) {
      warnings.push(`MODEL_PROVIDER: "${name}" is not available in this gateway yet; skipped`);
      continue;
    }
    const valid = [...IMPLEMENTED_PROVIDER_TYPES, AUTO_PROVIDER].join(', ');
    throw new ConfigError(`Invalid configuration:\n  MODEL_PROVIDER: unknown provider "${name}" (valid: ${valid})`);
  }
  return providers;
}

/**
 * Reads flags and the config file, applies flag > file > default, validates, resolves relative paths
 * against the working directory and returns a frozen snapshot.
 */
export async function loadConfig(argv: readonly string[], cwd: string = process.cwd()): Promise<CliRequest> {
  const parsedArgv = parseArgv(argv);
  if (parsedArgv.help) return { kind: 'help' };
  if (parsedArgv.version) return { kind: 'version' };
  const warnings = [...parsedArgv.warnings];

  const configFile = path.resolve(cwd, parsedArgv.configPath ?? DEFAULT_CONFIG_PATH);
  const fileValues = await readConfigFile(configFile);
  if (!fileValues && parsedArgv.configPath !== undefined) {
    throw new ConfigError(`Config file ${configFile} does not exist`);
  }
  const merged: Record<string, unknown> = { ...(fileValues ?? {}) };
  for (const [key, value] of Object.entries(parsedArgv.values)) setNested(merged, key, value);

  const result = ConfigSchema.safeParse(merged);
  if (!result.success) {
    throw new ConfigError(`Invalid configuration${fileValues ? ` in ${configFile}` : ''}:\n${describeIssues(result.error, merged)}`);
  }
  const config: Record<string, unknown> = { ...result.data };
  for (const key of PATH_KEYS) {
    const value = config[key];
    if (typeof value === 'string' && value !== '') config[key] = path.resolve(cwd, value);
  }
  // Checked here, not in the schema: a schema error would print the value, and a proxy URL may carry a password.
  const proxyProblem = result.data.PROXY_URL === undefined ? undefined : proxyUrlProblem(result.data.PROXY_URL);
  if (proxyProblem !== undefined) throw new ConfigError(`Invalid configuration:\n  PROXY_URL: ${proxyProblem}`);
  const redisProblem = redisUrlProblem(result.data.REDIS_URL);
  if (redisProblem !== undefined) throw new ConfigError(`Invalid configuration:\n  REDIS_URL: ${redisProblem}`);
  const providers = resolveProviderList(result.data.MODEL_PROVIDER, warnings);
  const ignored = fileValues ? originalOnlyKeys(fileValues, readsConfigKey()) : [];
  if (ignored.length > 0) {
    warnings.push(`config: these keys of the original AIClient-2-API are for features this gateway does not have and are ignored: ${ignored.join(', ')}`);
  }
  if (result.data.SCHEDULED_HEALTH_CHECK.enabled && result.data.SCHEDULED_HEALTH_CHECK.interval < 60_000) {
    warnings.push(
      `SCHEDULED_HEALTH_CHECK.interval is ${result.data.SCHEDULED_HEALTH_CHECK.interval} ms: every checkHealth instance gets a real request that often (the original's minimum was 60000)`,
    );
  }
  return {
    kind: 'serve',
    config: Object.freeze(config) as GatewayConfig,
    configFile: fileValues ? configFile : undefined,
    providers,
    warnings,
  };
}
