import { z } from 'zod';
import { nameListField, proxyUrlField, secretField, textField, urlField, wholeNumberField } from '../shared/account-fields.js';

/**
 * One gemini-cli-oauth account: Gemini CLI OAuth credentials. The OAuth client id and secret default
 * to Gemini CLI's public installed-app client; they are not user secrets.
 */
export const geminiAccountSchema = z
  .object({
    GEMINI_OAUTH_CREDS_FILE_PATH: textField('Credential file (read, refreshed and written back). Default ~/.gemini/oauth_creds.json'),
    GEMINI_OAUTH_CREDS_BASE64: secretField('The credential file as base64 JSON; wins over the file, refreshed tokens stay in memory'),
    PROJECT_ID: textField('Google Cloud project for Code Assist; discovered (and cached per account) when not set'),
    GEMINI_BASE_URL: urlField('Code Assist API base', 'https://cloudcode-pa.googleapis.com'),
    GEMINI_OAUTH_TOKEN_URL: urlField('OAuth token endpoint', 'https://oauth2.googleapis.com/token'),
    GEMINI_OAUTH_AUTH_URL: urlField('OAuth authorization page (login)', 'https://accounts.google.com/o/oauth2/v2/auth'),
    GEMINI_OAUTH_CLIENT_ID: textField("OAuth client id (default: Gemini CLI's)"),
    GEMINI_OAUTH_CLIENT_SECRET: secretField("OAuth client secret (default: Gemini CLI's public one)"),
    GEMINI_OAUTH_REFRESH_SKEW_MS: wholeNumberField('Refresh the token this many ms before it expires', 5 * 60_000),
    GEMINI_ONBOARD_POLL_INTERVAL_MS: wholeNumberField('Pause between onboardUser polls during project discovery (ms)', 2_000),
    GEMINI_ONBOARD_MAX_POLLS: wholeNumberField('onboardUser polls after the first call before giving up', 30),
    GEMINI_CUSTOM_MODELS: nameListField('Model ids added to the built-in list (array or comma list)'),
    PROXY_URL: proxyUrlField,
  })
  .describe('Gemini through Google Code Assist with Gemini CLI OAuth credentials');

export type GeminiAccount = z.output<typeof geminiAccountSchema>;
