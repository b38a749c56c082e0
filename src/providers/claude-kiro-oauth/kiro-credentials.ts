import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { GatewayError } from '../../errors/gateway-error.js';
import { decodeBase64Credentials, readCredentialFile, readExpiryMs } from '../shared/oauth/credential-file.js';

const PROVIDER_TYPE = 'claude-kiro-oauth';

/** What a Kiro token file says, normalised. `raw` keeps every field so a write-back loses none. */
export interface KiroCredentials {
  readonly raw: Readonly<Record<string, unknown>>;
  readonly accessToken: string | undefined;
  readonly refreshToken: string | undefined;
  readonly expiresAtMs: number | undefined;
  /** social: Google/GitHub login, refreshed at kiro.dev; idc: Builder ID or IAM Identity Center, refreshed at AWS OIDC. */
  readonly authMethod: 'social' | 'idc';
  readonly profileArn: string | undefined;
  readonly region: string;
  readonly idcRegion: string;
  readonly clientId: string | undefined;
  readonly clientSecret: string | undefined;
  /** Where the client id/secret came from, for messages: inline, or the registration file's name. */
  readonly clientSource: string | undefined;
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.trim() !== '' ? value.trim() : undefined);

export function credentialsError(code: string, message: string, cause?: unknown): GatewayError {
  return new GatewayError(code, 'auth', `${PROVIDER_TYPE}: ${message}`, { status: 401, scope: 'account', cause });
}

/**
 * Kiro IDE keeps an IdC login's client registration in `<clientIdHash>.json` beside the token file.
 * Only that one file is read: the original merged every JSON file of the folder, so unrelated AWS
 * SSO caches silently overrode the token.
 */
async function readClientRegistration(directory: string, clientIdHash: string): Promise<Record<string, unknown> | undefined> {
  if (!/^[A-Za-z0-9_-]+$/.test(clientIdHash)) return undefined;
  try {
    const parsed = JSON.parse(await readFile(path.join(directory, `${clientIdHash}.json`), 'utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Social iff authMethod says so, or nothing says otherwise (no client registration at all). */
function authMethodOf(raw: Record<string, unknown>): KiroCredentials['authMethod'] {
  const method = text(raw.authMethod)?.toLowerCase();
  if (method === 'social') return 'social';
  if (method) return 'idc';
  return text(raw.clientId) || text(raw.clientSecret) || text(raw.clientIdHash) ? 'idc' : 'social';
}

/** Normalises a token object; `directory` is where a client registration file may sit. */
export async function parseKiroCredentials(raw: Record<string, unknown>, directory: string | undefined): Promise<KiroCredentials> {
  let clientId = text(raw.clientId);
  let clientSecret = text(raw.clientSecret);
  let clientSource = clientId && clientSecret ? 'inline' : undefined;
  const hash = text(raw.clientIdHash);
  if ((!clientId || !clientSecret) && hash && directory) {
    const registration = await readClientRegistration(directory, hash);
    if (registration && text(registration.clientId) && text(registration.clientSecret)) {
      clientId = text(registration.clientId);
      clientSecret = text(registration.clientSecret);
      clientSource = `${hash}.json`;
    }
  }
  const region = text(raw.region) ?? 'us-east-1';
  return {
    raw,
    accessToken: text(raw.accessToken),
    refreshToken: text(raw.refreshToken),
    expiresAtMs: readExpiryMs(raw),
    authMethod: authMethodOf(raw),
    profileArn: text(raw.profileArn),
    region,
    idcRegion: text(raw.idcRegion) ?? region,
    clientId,
    clientSecret,
    clientSource,
  };
}

export function requireUsableToken(raw: Record<string, unknown>, where: string): void {
  if (!text(raw.accessToken) && !text(raw.refreshToken)) {
    throw credentialsError('credentials_invalid', `${where} has neither accessToken nor refreshToken`);
  }
}

export async function loadCredentialsFile(filePath: string): Promise<KiroCredentials> {
  const raw = await readCredentialFile(filePath, PROVIDER_TYPE);
  requireUsableToken(raw, `credential file ${filePath}`);
  return parseKiroCredentials(raw, path.dirname(filePath));
}

export async function loadCredentialsBase64(base64: string): Promise<KiroCredentials> {
  const raw = decodeBase64Credentials(base64, PROVIDER_TYPE, 'KIRO_OAUTH_CREDS_BASE64');
  requireUsableToken(raw, 'KIRO_OAUTH_CREDS_BASE64');
  return parseKiroCredentials(raw, undefined);
}
