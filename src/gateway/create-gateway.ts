import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { UpstreamHttpClient } from '../upstream/http-client.js';
import { Gateway } from './gateway.js';
import { ConfigInstanceSelector, type ProviderInstance } from './instance-selector.js';
import { createPromptLog, type PromptLog } from './prompt-log.js';
import { ProviderDirectory, type ProviderGroup } from './provider-directory.js';
import type { SystemPromptSettings } from './system-prompt.js';

export interface GatewayRuntime {
  readonly gateway: Gateway;
  readonly http: UpstreamHttpClient;
  readonly promptLog: PromptLog;
}

async function readSystemPrompt(file: string, logger: Logger): Promise<string> {
  if (!file) return '';
  try {
    const text = await readFile(file, 'utf8');
    if (text.trim() !== '') logger.info({ file }, 'system prompt override loaded');
    return text.trim() === '' ? '' : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, error: (error as Error).message }, 'cannot read system prompt file');
    return '';
  }
}

/** Wires config into a ready gateway: one HTTP client, the provider directory and the instances. */
export async function createGatewayRuntime(options: {
  config: GatewayConfig;
  providers: readonly string[];
  logger: Logger;
  cwd: string;
}): Promise<GatewayRuntime> {
  const { config, logger } = options;
  const http = new UpstreamHttpClient({
    connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
    headersTimeoutMs: config.UPSTREAM_HEADERS_TIMEOUT_MS,
    bodyTimeoutMs: config.UPSTREAM_BODY_TIMEOUT_MS,
    maxRetries: config.REQUEST_MAX_RETRIES,
    baseDelayMs: config.REQUEST_BASE_DELAY,
  });
  const settings = config as Readonly<Record<string, unknown>>;
  const groups: ProviderGroup[] = [];
  const instances = new Map<string, ProviderInstance>();
  for (const adapter of PROVIDER_ADAPTERS.values()) {
    const configured = adapter.isConfigured(settings);
    groups.push({ name: adapter.type, adapter, configured });
    if (configured) {
      instances.set(adapter.type, {
        id: `${adapter.type}:config`,
        name: 'config.json',
        group: adapter.type,
        client: adapter.createClient(settings, { http, logger }),
      });
    }
  }
  const directory = new ProviderDirectory(groups, options.providers);
  const defaultGroup = options.providers[0] ? directory.get(options.providers[0]) : undefined;
  if (defaultGroup && !defaultGroup.configured) {
    logger.warn(`default provider ${defaultGroup.name} is not configured (${defaultGroup.adapter.setupHint}); requests to it get a 400`);
  }
  const systemPrompt: SystemPromptSettings = {
    text: await readSystemPrompt(config.SYSTEM_PROMPT_FILE_PATH, logger),
    mode: config.SYSTEM_PROMPT_MODE,
    replacements: config.SYSTEM_PROMPT_REPLACEMENTS,
  };
  const promptLog = createPromptLog({ mode: config.PROMPT_LOG_MODE, baseName: config.PROMPT_LOG_BASE_NAME, cwd: options.cwd, logger });
  const gateway = new Gateway({ directory, selector: new ConfigInstanceSelector(instances), systemPrompt, promptLog, logger });
  return { gateway, http, promptLog };
}
