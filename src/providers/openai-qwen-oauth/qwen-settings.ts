import path from 'node:path';
import { stringSetting } from '../provider-adapter.js';
import { parseAccountSettings } from '../shared/account-fields.js';
import { expandHome } from '../shared/oauth/credential-file.js';
import { qwenAccountSchema } from './account-schema.js';

/** Facts of Qwen Code's OAuth client (providers.md §5.1): the public client id Qwen Code itself uses. */
export const QWEN_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56';
export const QWEN_SCOPE = 'openid profile email model.completion';
export const QWEN_DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** Qwen Code's own credential file; the other defaults live in the account schema. */
const DEFAULT_CREDS_FILE_PATH = '~/.qwen/oauth_creds.json';

export interface QwenSettings {
  /** Absolute path of the credential file (Qwen Code's own file by default). */
  readonly credentialsPath: string;
  /** OAuth server base: device code and token endpoints live under it. */
  readonly oauthBaseUrl: string;
  /** Chat base used only when the credentials carry no `resource_url`. */
  readonly fallbackBaseUrl: string;
  readonly refreshSkewMs: number;
}

/** Relative paths are resolved against the working directory, as the original did. */
export function resolveCredentialsPath(settings: Readonly<Record<string, unknown>>, cwd: string): string {
  const configured = stringSetting(settings, 'QWEN_OAUTH_CREDS_FILE_PATH') ?? DEFAULT_CREDS_FILE_PATH;
  return path.resolve(cwd, expandHome(configured));
}

export function readQwenSettings(settings: Readonly<Record<string, unknown>>, cwd: string = process.cwd()): QwenSettings {
  const account = parseAccountSettings(qwenAccountSchema, settings, 'openai-qwen-oauth');
  return {
    credentialsPath: resolveCredentialsPath(settings, cwd),
    oauthBaseUrl: account.QWEN_OAUTH_BASE_URL.replace(/\/+$/, ''),
    fallbackBaseUrl: account.QWEN_BASE_URL,
    refreshSkewMs: account.QWEN_REFRESH_SKEW_MS,
  };
}
