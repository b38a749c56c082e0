import { stringSetting } from '../provider-adapter.js';
import { expandHome } from '../shared/oauth/credential-file.js';

export const PROVIDER_TYPE = 'gemini-cli-oauth';

/**
 * Gemini CLI's "installed app" OAuth client. These are public constants shipped inside gemini-cli
 * (Google treats installed-app secrets as non-confidential); they are not user secrets.
 */
export const GEMINI_CLI_CLIENT_ID = '681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com';
export const GEMINI_CLI_CLIENT_SECRET = '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';
export const GEMINI_OAUTH_SCOPES = ['https://www.googleapis.com/auth/cloud-platform', 'https://www.googleapis.com/auth/userinfo.email'];

export const DEFAULT_CODE_ASSIST_BASE_URL = 'https://cloudcode-pa.googleapis.com';
export const DEFAULT_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const DEFAULT_AUTH_URL = 'https://accounts.google.com/o/oauth2/v2/auth';
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

function intSetting(settings: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = settings[key];
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return Math.floor(value);
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return fallback;
}

function listSetting(settings: Readonly<Record<string, unknown>>, key: string): string[] {
  const value = settings[key];
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.filter((item): item is string => typeof item === 'string').map((item) => item.trim()).filter(Boolean);
}

function stripTrailingSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

export function readGeminiSettings(settings: Readonly<Record<string, unknown>>): GeminiSettings {
  return {
    credsFilePath: expandHome(stringSetting(settings, 'GEMINI_OAUTH_CREDS_FILE_PATH') ?? DEFAULT_CREDS_FILE_PATH),
    credsBase64: stringSetting(settings, 'GEMINI_OAUTH_CREDS_BASE64'),
    projectId: stringSetting(settings, 'PROJECT_ID'),
    baseUrl: stripTrailingSlash(stringSetting(settings, 'GEMINI_BASE_URL') ?? DEFAULT_CODE_ASSIST_BASE_URL),
    tokenUrl: stringSetting(settings, 'GEMINI_OAUTH_TOKEN_URL') ?? DEFAULT_TOKEN_URL,
    authUrl: stringSetting(settings, 'GEMINI_OAUTH_AUTH_URL') ?? DEFAULT_AUTH_URL,
    clientId: stringSetting(settings, 'GEMINI_OAUTH_CLIENT_ID') ?? GEMINI_CLI_CLIENT_ID,
    clientSecret: stringSetting(settings, 'GEMINI_OAUTH_CLIENT_SECRET') ?? GEMINI_CLI_CLIENT_SECRET,
    refreshSkewMs: intSetting(settings, 'GEMINI_OAUTH_REFRESH_SKEW_MS', 5 * 60_000),
    onboardPollIntervalMs: intSetting(settings, 'GEMINI_ONBOARD_POLL_INTERVAL_MS', 2_000),
    onboardMaxPolls: intSetting(settings, 'GEMINI_ONBOARD_MAX_POLLS', 30),
    extraModels: listSetting(settings, 'GEMINI_CUSTOM_MODELS'),
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
