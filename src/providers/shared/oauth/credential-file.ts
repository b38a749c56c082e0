import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';
import { GatewayError } from '../../../errors/gateway-error.js';

/** Expands a leading `~` the way the original's users write credential paths. */
export function expandHome(filePath: string): string {
  if (filePath === '~') return homedir();
  if (filePath.startsWith('~/')) return path.join(homedir(), filePath.slice(2));
  return filePath;
}

/** Reads a JSON credential file; a missing or unreadable file is an account-scoped auth error naming the path. */
export async function readCredentialFile(filePath: string, providerType: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(filePath, 'utf8');
  } catch (error) {
    throw new GatewayError(
      'credentials_missing',
      'auth',
      `${providerType}: cannot read credential file ${filePath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      {
        status: 401,
        scope: 'account',
        cause: error,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes part of the file, which holds tokens: neither it nor the error is passed on.
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError(
      'credentials_invalid',
      'auth',
      `${providerType}: credential file ${filePath} is not a JSON object (${text.length} bytes; truncated or hand-edited?)`,
      {
        status: 401,
        scope: 'account',
      },
    );
  }
  return parsed as Record<string, unknown>;
}

/**
 * Credentials given inline as base64 of a JSON object (`*_OAUTH_CREDS_BASE64`): anything else is an
 * account-scoped auth error naming the setting (never its value).
 */
export function decodeBase64Credentials(base64: string, providerType: string, settingName: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(base64, 'base64').toString('utf8'));
  } catch {
    // JSON.parse's message quotes the input: it is a secret, so it is not passed on.
    parsed = undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new GatewayError('credentials_invalid', 'auth', `${providerType}: ${settingName} is not base64 of a JSON object`, { status: 401, scope: 'account' });
  }
  return parsed as Record<string, unknown>;
}

/**
 * Writes a credential file atomically: a temp file beside it (mode 0600), then rename. A crash at
 * any moment leaves either the old file or the new one, never a truncated one. Callers merge their
 * changes into the fields read before, so fields we do not know survive.
 */
export async function writeCredentialFileAtomic(filePath: string, data: Record<string, unknown>): Promise<void> {
  const directory = path.dirname(filePath);
  await mkdir(directory, { recursive: true, mode: 0o700 });
  const temporary = path.join(directory, `.${path.basename(filePath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeFile(temporary, `${JSON.stringify(data, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, filePath);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw error;
  }
}

/**
 * Expiry in ms since the epoch from the shapes the CLIs write: `expiry_date` (ms number),
 * `expires_at`/`expiresAt` (ms number or ISO string), `expiry` (ISO string). Undefined when absent.
 */
export function readExpiryMs(credentials: Record<string, unknown>): number | undefined {
  for (const key of ['expiry_date', 'expires_at', 'expiresAt', 'expiry']) {
    const value = credentials[key];
    if (typeof value === 'number' && Number.isFinite(value)) return value < 1e11 ? value * 1000 : value;
    if (typeof value === 'string' && value !== '') {
      const numeric = Number(value);
      if (Number.isFinite(numeric)) return numeric < 1e11 ? numeric * 1000 : numeric;
      const parsed = Date.parse(value);
      if (!Number.isNaN(parsed)) return parsed;
    }
  }
  return undefined;
}
