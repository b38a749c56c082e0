import { qwenAccountSchema } from './account-schema.js';
import { existsSync } from 'node:fs';
import type { ProviderAdapter, ProviderClient } from '../provider-adapter.js';
import { loginLoadedOnUse, stringSetting } from '../provider-adapter.js';
import { createQwenClient } from './qwen-client.js';
import { QWEN_DEFAULT_MODEL } from './qwen-models.js';
import { readQwenSettings, resolveCredentialsPath } from './qwen-settings.js';

/** Qwen Code models with Qwen OAuth credentials (`~/.qwen/oauth_creds.json` or QWEN_OAUTH_CREDS_FILE_PATH). */
export const openaiQwenOauthAdapter: ProviderAdapter = {
  type: 'openai-qwen-oauth',
  accountSchema: qwenAccountSchema,
  protocol: 'openai-chat',
  setupHint: 'run "aiclient2api auth qwen" (or log in with Qwen Code) to create ~/.qwen/oauth_creds.json, or set QWEN_OAUTH_CREDS_FILE_PATH',
  // An explicit path counts even before the file exists (the error then names it); otherwise Qwen Code's own file must be there.
  isConfigured: (settings) =>
    stringSetting(settings, 'QWEN_OAUTH_CREDS_FILE_PATH') !== undefined || existsSync(resolveCredentialsPath(settings, process.cwd())),
  healthCheck: {
    defaultModel: QWEN_DEFAULT_MODEL,
    body: (model) => ({ model, messages: [{ role: 'user', content: 'Hi' }], max_tokens: 1 }),
  },
  createClient(settings, { http, logger, credentialLock }): ProviderClient {
    return createQwenClient(readQwenSettings(settings), http, logger, credentialLock);
  },
  login: loginLoadedOnUse(
    'qwen',
    'log in to Qwen with a device code (writes ~/.qwen/oauth_creds.json or QWEN_OAUTH_CREDS_FILE_PATH)',
    async () => (await import('./qwen-device-login.js')).qwenDeviceLogin,
  ),
};
