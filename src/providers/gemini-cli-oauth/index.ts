import { geminiAccountSchema } from './account-schema.js';
import { loginLoadedOnUse, type ProviderAdapter } from '../provider-adapter.js';
import { GeminiCliOAuthClient } from './gemini-client.js';
import { DEFAULT_GEMINI_MODEL } from './gemini-models.js';
import { isGeminiConfigured, PROVIDER_TYPE, readGeminiSettings } from './gemini-settings.js';

/** Gemini through Google's Code Assist API (what Gemini CLI uses), with Gemini CLI's OAuth credentials. */
export const geminiCliOAuthAdapter: ProviderAdapter = {
  type: PROVIDER_TYPE,
  accountSchema: geminiAccountSchema,
  protocol: 'gemini',
  setupHint:
    'log in with `aiclient2api auth gemini` (or Gemini CLI), then set GEMINI_OAUTH_CREDS_FILE_PATH (default ~/.gemini/oauth_creds.json) or GEMINI_OAUTH_CREDS_BASE64',
  isConfigured: isGeminiConfigured,
  healthCheck: {
    defaultModel: DEFAULT_GEMINI_MODEL,
    body: () => ({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }),
  },
  // Cheap by contract: credentials are read and the project discovered on the first request.
  createClient: (settings, { http, logger, credentialLock }) => new GeminiCliOAuthClient(readGeminiSettings(settings), http, logger, credentialLock),
  login: loginLoadedOnUse(
    'gemini',
    'sign in with Google (OAuth in the browser) and save Gemini CLI credentials',
    async () => (await import('./login/gemini-login.js')).geminiLogin,
  ),
};
