import { existsSync } from 'node:fs';
import path from 'node:path';
import { expandHome } from '../shared/oauth/credential-file.js';
import { stringSetting } from '../provider-adapter.js';
import { parseAccountSettings } from '../shared/account-fields.js';
import { kiroAccountSchema } from './account-schema.js';

export const DEFAULT_CREDS_DIRECTORY = '~/.aws/sso/cache';
export const DEFAULT_CREDS_FILE_NAME = 'kiro-auth-token.json';

/** The claude-kiro-oauth keys of config.json or a pool instance, resolved once per client. */
export interface KiroSettings {
  /** Where credentials are read from and refreshed ones written to; undefined with KIRO_OAUTH_CREDS_BASE64. */
  readonly credsFilePath: string | undefined;
  readonly credsBase64: string | undefined;
  /** Full URL overrides; `{{region}}` is substituted. */
  readonly chatUrl: string | undefined;
  readonly refreshUrl: string | undefined;
  readonly refreshIdcUrl: string | undefined;
  readonly clientVersion: string;
  readonly refreshSkewMs: number;
  /** Pool instance uuid: seeds the machine id, as Kiro IDE has one per installation. */
  readonly instanceId: string | undefined;
}

/** KIRO_OAUTH_CREDS_FILE_PATH, else `<KIRO_OAUTH_CREDS_DIR_PATH or ~/.aws/sso/cache>/kiro-auth-token.json`. */
export function resolveCredsFilePath(settings: Readonly<Record<string, unknown>>): string {
  const explicit = stringSetting(settings, 'KIRO_OAUTH_CREDS_FILE_PATH');
  if (explicit) return path.resolve(expandHome(explicit));
  const directory = stringSetting(settings, 'KIRO_OAUTH_CREDS_DIR_PATH') ?? DEFAULT_CREDS_DIRECTORY;
  return path.resolve(expandHome(directory), DEFAULT_CREDS_FILE_NAME);
}

export function readKiroSettings(settings: Readonly<Record<string, unknown>>): KiroSettings {
  const account = parseAccountSettings(kiroAccountSchema, settings, 'claude-kiro-oauth');
  return {
    credsFilePath: account.KIRO_OAUTH_CREDS_BASE64 ? undefined : resolveCredsFilePath(settings),
    credsBase64: account.KIRO_OAUTH_CREDS_BASE64,
    chatUrl: account.KIRO_BASE_URL,
    refreshUrl: account.KIRO_REFRESH_URL,
    refreshIdcUrl: account.KIRO_REFRESH_IDC_URL,
    clientVersion: account.KIRO_CLIENT_VERSION,
    refreshSkewMs: account.KIRO_REFRESH_SKEW_SECONDS * 1000,
    instanceId: stringSetting(settings, 'uuid'),
  };
}

/** Configured when credentials are given inline or by path, or Kiro IDE's default file exists. */
export function isKiroConfigured(settings: Readonly<Record<string, unknown>>): boolean {
  if (stringSetting(settings, 'KIRO_OAUTH_CREDS_BASE64') || stringSetting(settings, 'KIRO_OAUTH_CREDS_FILE_PATH')) return true;
  return existsSync(resolveCredsFilePath(settings));
}

function withRegion(template: string, region: string): string {
  return template.replace(/\{\{region\}\}/g, region);
}

export function chatUrlOf(settings: KiroSettings, region: string): string {
  return withRegion(settings.chatUrl ?? 'https://q.{{region}}.amazonaws.com/generateAssistantResponse', region);
}

export function socialRefreshUrlOf(settings: KiroSettings, region: string): string {
  return withRegion(settings.refreshUrl ?? 'https://prod.{{region}}.auth.desktop.kiro.dev/refreshToken', region);
}

export function idcRefreshUrlOf(settings: KiroSettings, idcRegion: string): string {
  return withRegion(settings.refreshIdcUrl ?? 'https://oidc.{{region}}.amazonaws.com/token', idcRegion);
}
