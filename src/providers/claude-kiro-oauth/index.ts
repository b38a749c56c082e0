import { kiroAccountSchema } from './account-schema.js';
import { loginLoadedOnUse, type ProviderAdapter, type ProviderClient } from '../provider-adapter.js';
import { KiroClient } from './kiro-client.js';
import { isKiroConfigured, readKiroSettings } from './kiro-settings.js';

/** Claude models through Kiro (AWS CodeWhisperer) with a Kiro IDE token. Native protocol: Claude Messages. */
export const claudeKiroOauthAdapter: ProviderAdapter = {
  type: 'claude-kiro-oauth',
  accountSchema: kiroAccountSchema,
  protocol: 'claude',
  setupHint:
    'log in with Kiro IDE, then run `aiclient2api auth kiro --from ~/.aws/sso/cache/kiro-auth-token.json`, or set KIRO_OAUTH_CREDS_FILE_PATH / KIRO_OAUTH_CREDS_BASE64',
  isConfigured: isKiroConfigured,
  estimatesUsage: true,
  healthCheck: {
    defaultModel: 'claude-haiku-4-5',
    body: (model) => ({ model, max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }),
  },
  // Cheap: credentials are read on the first request, not here.
  createClient(settings, { http, logger, credentialLock }): ProviderClient {
    return new KiroClient(readKiroSettings(settings), http, logger, credentialLock);
  },
  login: loginLoadedOnUse(
    'kiro',
    'import a Kiro IDE token (--from FILE, default ~/.aws/sso/cache/kiro-auth-token.json)',
    async () => (await import('./kiro-import-login.js')).kiroImportLogin,
  ),
};
