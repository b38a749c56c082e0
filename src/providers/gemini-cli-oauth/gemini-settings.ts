import { stringSetting } from '../provider-adapter.js';
import { parseAccountSettings } from '../shared/account-fields.js';
import { expandHome } from '../shared/oauth/credential-file.js';
import { geminiAccountSchema } from './account-schema.js';

export const PROVIDER_TYPE = 'gemini-cli-oauth';

/**
 * Gemini CLI's "installed app" OAuth client. These are public constants shipped inside gemini-cli
 * (Google treats installed-app secrets as non-confidential); they are not user secrets.
 */
export const GEMINI_CLI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
export const GEMINI_CLI_CLIENT_SECRET = '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';
export const GEMINI_OAUTH_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email'];

export const DEFAULT_CREDS_FILE_PATH = '~/.gemini/oauth_creds.json';
export const DEFAULT_LOGIN_PORT = 8085;

/** Everything the adapter reads from config.json / a pool instance, resolved once per client. */
export interface GeminiSettings {
  readonly credsFilePath: string;
  /** Base64 JSON of the credential file; when set it wins and refreshed tokens stay in memory. */
  readonly credsBase64: string | undefined;
  readonly projectId: string | undefined;
  readonly baseUrl: string;
  readonly tokenUrl: string;
  readonly authUrl: string;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Refresh this long before `expiry_date` (Google's own library uses 5 minutes). */
  readonly refreshSkewMs: number;
  readonly onboardPollIntervalMs: number;
  /** Extra onboardUser polls after the first call (the original: 30 × 2 s). */
  readonly onboardMaxPolls: number;
  /** Model ids added to the built-in list. */
  readonly extraModels: readonly string[];
}

export function readGeminiSettings(settings: Readonly<Record<string, unknown>>): GeminiSettings {
  const account = parseAccountSettings(geminiAccountSchema, settings, PROVIDER_TYPE);
  return {
    credsFilePath: expandHome(account.GEMINI_OAUTH_CREDS_FILE_PATH ?? DEFAULT_CREDS_FILE_PATH),
    credsBase64: account.GEMINI_OAUTH_CREDS_BASE64,
    projectId: account.PROJECT_ID,
    baseUrl: account.GEMINI_BASE_URL.replace(/\/+$/, ''),
    tokenUrl: account.GEMINI_OAUTH_TOKEN_URL,
    authUrl: account.GEMINI_OAUTH_AUTH_URL,
    clientId: account.GEMINI_OAUTH_CLIENT_ID ?? GEMINI_CLI_CLIENT_ID,
    clientSecret: account.GEMINI_OAUTH_CLIENT_SECRET ?? GEMINI_CLI_CLIENT_SECRET,
    refreshSkewMs: account.GEMINI_OAUTH_REFRESH_SKEW_MS,
    onboardPollIntervalMs: account.GEMINI_ONBOARD_POLL_INTERVAL_MS,
    onboardMaxPolls: account.GEMINI_ONBOARD_MAX_POLLS,
    extraModels: account.GEMINI_CUSTOM_MODELS.filter(Boolean),
  };
}

/**
 * Configured when credentials are named explicitly, or when MODEL_PROVIDER picks this backend: then
 * Gemini CLI's own file at the default place is used (a missing file is reported, with the login
 * command, on the first request). Merely having ~/.gemini on the machine configures nothing.
 */
export function isGeminiConfigured(settings: Readonly<Record<string, unknown>>): boolean {
  if (stringSetting(settings, 'GEMINI_OAUTH_CREDS_BASE64') || stringSetting(settings, 'GEMINI_OAUTH_CREDS_FILE_PATH')) return true;
  const providers = stringSetting(settings, 'MODEL_PROVIDER') ?? '';
  return providers.split(',').some((name) => name.trim().toLowerCase() === PROVIDER_TYPE);
}
