import type { Logger } from 'pino';
import { ConfigError } from '../../config/config-error.js';
import { loadCustomModels } from '../../config/custom-models.js';
import type { GatewayConfig } from '../../config/schema.js';
import type { ProviderPool } from '../../pool/index.js';
import { configAccountIssues } from '../../providers/account-validation.js';
import type { ProviderAdapter } from '../../providers/provider-adapter.js';
import type { CredentialLock } from '../../providers/shared/oauth/credential-lock.js';
import { UpstreamHttpClient } from '../../upstream/http-client.js';
import { redactProxyUrl } from '../../upstream/proxy/proxy-url.js';
import { PoolInstanceSelector } from '../pool-instance-selector.js';
import { ProviderDirectory } from '../provider-directory.js';

/** The providers concern: one upstream HTTP client, a client per pool instance, the directory of provider names. */
export interface ProvidersWiring {
  readonly http: UpstreamHttpClient;
  readonly selector: PoolInstanceSelector;
  readonly directory: ProviderDirectory;
}

/** The upstream HTTP client alone: made before the pools, so every concern shares one connection pool. */
export function createUpstreamHttpClient(config: GatewayConfig): UpstreamHttpClient {
  return new UpstreamHttpClient({
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
  });
}

/**
 * config.json's provider keys are the default account of every backend: each backend's account
 * schema checks them before anything starts, so a mistyped value is an error naming the key, not a
 * silent default.
 */
export function checkConfigAccounts(config: GatewayConfig, adapters: ReadonlyMap<string, ProviderAdapter>): void {
  const issues = configAccountIssues(adapters, config as Readonly<Record<string, unknown>>);
  if (issues.length > 0) throw new ConfigError(`config: ${issues.join('; ')}`);
}

/** Gives each pool instance its adapter client and resolves provider names (custom models included). */
export async function wireProviders(options: {
  config: GatewayConfig;
  adapters: ReadonlyMap<string, ProviderAdapter>;
  pool: ProviderPool;
  http: UpstreamHttpClient;
  /** MODEL_PROVIDER entries, default first. */
  providers: readonly string[];
  logger: Logger;
  /** Cross-process OAuth refresh lock (only with Redis). */
  credentialLock?: CredentialLock;
}): Promise<ProvidersWiring> {
  const { config, adapters, pool, http, logger } = options;
  if (config.PROXY_URL !== undefined) {
    logger.info(
      { proxy: redactProxyUrl(config.PROXY_URL), providers: config.PROXY_ENABLED_PROVIDERS },
      'outbound proxy for these provider types (pools entries may set their own PROXY_URL)',
    );
  }
  const selector = new PoolInstanceSelector(pool, adapters, { http, logger, credentialLock: options.credentialLock });
  const directory = new ProviderDirectory(
    adapters,
    { has: (name) => pool.hasGroup(name), names: () => pool.groups(), adapterTypeOf: (name) => pool.providerTypeOf(name) },
    options.providers,
    await loadCustomModels(config.CUSTOM_MODELS_FILE_PATH),
  );
  const defaultGroup = options.providers[0] ? directory.get(options.providers[0]) : undefined;
  if (defaultGroup && !defaultGroup.configured) {
    logger.warn(`default provider ${defaultGroup.name} is not configured (${defaultGroup.adapter.setupHint}); requests to it get a 400`);
  }
  return { http, selector, directory };
}
