/**
 * The OAuth credential files the pools use, with what an operator asks about them: where, whether
 * they exist, when the access token expires, when it was last refreshed (the file's modification
 * time: every refresh rewrites it). Tokens themselves are never read out.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ProviderPool } from '../../pool/index.js';
import { resolveCredsFilePath } from '../../providers/claude-kiro-oauth/kiro-settings.js';
import { readGeminiSettings } from '../../providers/gemini-cli-oauth/gemini-settings.js';
import { readQwenSettings } from '../../providers/openai-qwen-oauth/qwen-settings.js';
import { readCredentialFile, readExpiryMs } from '../../providers/shared/oauth/credential-file.js';

export interface CredentialFileInfo {
  readonly uuid: string;
  readonly name: string;
  readonly providerType: string;
  readonly file: string;
  readonly exists: boolean;
  readonly expiresAt?: string;
  readonly lastRefreshAt?: string;
  readonly hasRefreshToken?: boolean;
}

/** Where each OAuth backend reads its credential file from, given an instance's merged settings. */
const CREDENTIAL_PATHS: Readonly<Record<string, (settings: Readonly<Record<string, unknown>>, cwd: string) => string | undefined>> = {
  'gemini-cli-oauth': (settings) => (settings.GEMINI_OAUTH_CREDS_BASE64 ? undefined : readGeminiSettings(settings).credsFilePath),
  'openai-qwen-oauth': (settings, cwd) => readQwenSettings(settings, cwd).credentialsPath,
  'claude-kiro-oauth': (settings) => (settings.KIRO_OAUTH_CREDS_BASE64 ? undefined : resolveCredsFilePath(settings)),
};

export const OAUTH_PROVIDER_TYPES = Object.keys(CREDENTIAL_PATHS);

export async function listCredentialFiles(pool: ProviderPool, cwd: string): Promise<CredentialFileInfo[]> {
  const rows: CredentialFileInfo[] = [];
  for (const instance of pool.allInstances()) {
    const locate = CREDENTIAL_PATHS[instance.providerType];
    const located = locate?.(instance.config, cwd);
    if (located === undefined) continue;
    const file = path.resolve(cwd, located);
    const base = { uuid: instance.id, name: instance.name, providerType: instance.providerType, file };
    try {
      const info = await stat(file);
      const fields = await readCredentialFile(file, instance.providerType);
      const expiresMs = readExpiryMs(fields);
      rows.push({
        ...base,
        exists: true,
        expiresAt: expiresMs === undefined ? undefined : new Date(expiresMs).toISOString(),
        lastRefreshAt: info.mtime.toISOString(),
        hasRefreshToken: typeof (fields.refresh_token ?? fields.refreshToken) === 'string',
      });
    } catch {
      rows.push({ ...base, exists: false });
    }
  }
  return rows;
}
