import path from 'node:path';
import { stringSetting } from '../provider-adapter.js';
import { expandHome } from '../shared/oauth/credential-file.js';

/** Facts of Qwen Code's OAuth client (providers.md §5.1): the public client id Qwen Code itself uses. */
export const QWEN_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56';
export const QWEN_SCOPE = 'openid profile email model.completion';
export const QWEN_DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export const QWEN_DEFAULTS = {
  QWEN_OAUTH_CREDS_FILE_PATH: '~/.qwen/oauth_creds.json',
  QWEN_OAUTH_BASE_URL: 'https://chat.qwen.ai',
  QWEN_BASE_URL: 'https://dashscope.aliyuncs.com/compatible-mode/v1',
  /** Refresh this long before the recorded expiry, so no request goes out with a token about to die. */
  QWEN_REFRESH_SKEW_MS: 300_000,
} as const;

export interface QwenSettings {
  /** Absolute path of the credential file (Qwen Code's own file by default). */
  readonly credentialsPath: string;
  /** OAuth server base: device code and token endpoints live under it. */
  readonly oauthBaseUrl: string;
  /** Chat base used only when the credentials carry no `resource_url`. */
  readonly fallbackBaseUrl: string;
  readonly refreshSkewMs: number;
}

function numberSetting(settings: Readonly<Record<string, unknown>>, key: string, fallback: number): number {
  const value = settings[key];
  const parsed = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : fallback;
}

/** Relative paths are resolved against the working directory, as the original did. */
export function resolveCredentialsPath(settings: Readonly<Record<string, unknown>>, cwd: string): string {
  const configured = stringSetting(settings, 'QWEN_OAUTH_CREDS_FILE_PATH') ?? QWEN_DEFAULTS.QWEN_OAUTH_CREDS_FILE_PATH;
  return path.resolve(cwd, expandHome(configured));
}

export function readQwenSettings(settings: Readonly<Record<string, unknown>>, cwd: string = process.cwd()): QwenSettings {
  return {
    credentialsPath: resolveCredentialsPath(settings, cwd),
    oauthBaseUrl: (stringSetting(settings, 'QWEN_OAUTH_BASE_URL') ?? QWEN_DEFAULTS.QWEN_OAUTH_BASE_URL).replace(/\/+$/, ''),
    fallbackBaseUrl: stringSetting(settings, 'QWEN_BASE_URL') ?? QWEN_DEFAULTS.QWEN_BASE_URL,
    refreshSkewMs: numberSetting(settings, 'QWEN_REFRESH_SKEW_MS', QWEN_DEFAULTS.QWEN_REFRESH_SKEW_MS),
  };
}
