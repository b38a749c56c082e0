/**
 * The admin endpoints the console adds to the pool API: pools file entries, OAuth logins, the
 * effective config. Loaded on the first such request.
 */
import path from 'node:path';
import type { GatewayConfig } from '../config/schema.js';
import type { ProviderPool } from '../pool/index.js';
import { createAccountValidator } from '../providers/account-validation.js';
import { secretAccountFields } from '../providers/provider-schemas.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';
import { UpstreamHttpClient } from '../upstream/http-client.js';
import { createConfigView } from './config-view.js';
import { listCredentialFiles } from './oauth/credential-files.js';
import { WebLogins } from './oauth/web-logins.js';
import { PoolsFileEditor } from './pools-file-editor.js';

export interface UiApiOptions {
  readonly config: GatewayConfig;
  readonly pool: ProviderPool;
  readonly cwd: string;
  readonly reloadPools: () => Promise<void>;
}

export type UiApi = ReturnType<typeof createUiApi>;

export function createUiApi(options: UiApiOptions) {
  const { config, pool, cwd } = options;
  // The registry's account schemas decide what an entry may hold and what is secret, as they do for the loader.
  const secretKeys = secretAccountFields(PROVIDER_ADAPTERS);
  const editor = new PoolsFileEditor({
    filePath: path.resolve(cwd, config.PROVIDER_POOLS_FILE_PATH || 'configs/provider_pools.json'),
    knownTypes: [...PROVIDER_ADAPTERS.keys()],
    validateAccount: createAccountValidator(PROVIDER_ADAPTERS),
    secretKeys,
    afterWrite: options.reloadPools,
  });
  let http: UpstreamHttpClient | undefined;
  const logins = new WebLogins({
    config,
    cwd,
    editor,
    http: () =>
      (http ??= new UpstreamHttpClient({
        connectTimeoutMs: config.UPSTREAM_CONNECT_TIMEOUT_MS,
        headersTimeoutMs: 30_000,
        bodyTimeoutMs: 30_000,
        maxRetries: 1,
        baseDelayMs: 500,
      })),
  });
  return {
    configView: () => createConfigView(config, secretKeys),
    listEntries: () => editor.list(),
    addEntry: (body: unknown) => {
      const input = (typeof body === 'object' && body !== null ? body : {}) as { group?: unknown; entry?: unknown };
      return editor.add(input.group, input.entry);
    },
    updateEntry: (uuid: string, body: unknown) => editor.update(uuid, (body as { entry?: unknown } | undefined)?.entry),
    deleteEntry: (uuid: string) => editor.remove(uuid),
    listCredentials: async () => ({ files: await listCredentialFiles(pool, cwd) }),
    startGeminiLogin: (body: unknown, host: string | undefined) => logins.startGemini(body, host, config.SERVER_PORT),
    completeGeminiPaste: (body: unknown) => logins.completeGeminiPaste(body),
    completeGeminiRedirect: (query: Record<string, string | undefined>) => logins.completeGeminiRedirect(query),
    startQwenLogin: (body: unknown) => logins.startQwen(body),
    flowStatus: (id: string) => logins.flowStatus(id),
    importKiroToken: (body: unknown) => logins.importKiro(body),
    close: async () => {
      await http?.close();
    },
  };
}
