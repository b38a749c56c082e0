import path from 'node:path';
import type { Logger } from 'pino';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { writeCredentialFileAtomic } from '../shared/oauth/credential-file.js';
import { type CredentialLock, PROCESS_LOCAL_LOCK, credentialLockKey } from '../shared/oauth/credential-lock.js';
import { SingleFlight } from '../shared/oauth/single-flight.js';
import { loadCredentialsBase64, loadCredentialsFile, parseKiroCredentials, type KiroCredentials } from './kiro-credentials.js';
import { requestTokenRefresh } from './kiro-refresh.js';
import type { KiroSettings } from './kiro-settings.js';

/**
 * The tokens of one Kiro account: loaded on first use, refreshed before expiry (skew) or after Kiro
 * rejected them, one refresh at a time however many requests wait for it, and written back to the
 * token file atomically before the new (rotated) refresh token is ever used again.
 */
export class KiroAuth {
  private credentials: KiroCredentials | undefined;
  private readonly loadFlight = new SingleFlight<KiroCredentials>();
  private readonly refreshFlight = new SingleFlight<KiroCredentials>();

  constructor(
    private readonly settings: KiroSettings,
    private readonly http: UpstreamHttpClient,
    private readonly logger: Logger,
    private readonly lock: CredentialLock = PROCESS_LOCAL_LOCK,
  ) {}

  /** Credentials good for a request now; refreshes first when the token is missing or about to expire. */
  async current(): Promise<KiroCredentials> {
    const credentials = this.credentials ?? (await this.loadFlight.run(() => this.load()));
    if (!credentials.accessToken || this.isExpiring(credentials)) return this.refresh(credentials.accessToken);
    return credentials;
  }

  /** Kiro refused `rejected`: refresh, unless another request already replaced that token. */
  refreshAfterRejection(rejected: KiroCredentials): Promise<KiroCredentials> {
    return this.refresh(rejected.accessToken);
  }

  private isExpiring(credentials: KiroCredentials): boolean {
    return credentials.expiresAtMs !== undefined && credentials.expiresAtMs - this.settings.refreshSkewMs <= Date.now();
  }

  /** True when `candidate` holds a usable token other than the one found stale. */
  private isNewer(candidate: KiroCredentials | undefined, staleToken: string | undefined): candidate is KiroCredentials {
    return !!candidate?.accessToken && candidate.accessToken !== staleToken && !this.isExpiring(candidate);
  }

  private async load(): Promise<KiroCredentials> {
    const { credsFilePath, credsBase64 } = this.settings;
    this.credentials = credsFilePath ? await loadCredentialsFile(credsFilePath) : await loadCredentialsBase64(credsBase64 ?? '');
    return this.credentials;
  }

  private refresh(staleToken: string | undefined): Promise<KiroCredentials> {
    const filePath = this.settings.credsFilePath;
    // Other gateway processes sharing the file wait, then find the new token in it (see below).
    return this.refreshFlight.run(() =>
      filePath ? this.lock.run(credentialLockKey(filePath), () => this.refreshNow(staleToken)) : this.refreshNow(staleToken),
    );
  }

  private async refreshNow(staleToken: string | undefined): Promise<KiroCredentials> {
    if (this.isNewer(this.credentials, staleToken)) return this.credentials;
    const filePath = this.settings.credsFilePath;
    let latest = this.credentials ?? (await this.load());
    if (filePath) {
      // Kiro IDE or another gateway process may have refreshed the file meanwhile: its refresh token
      // is the only one still valid, and its access token may need no refresh at all.
      latest = await loadCredentialsFile(filePath).catch(() => latest);
      if (this.isNewer(latest, staleToken)) {
        this.credentials = latest;
        return latest;
      }
    }
    const tokens = await requestTokenRefresh(latest, this.settings, this.http);
    const raw: Record<string, unknown> = {
      ...latest.raw,
      accessToken: tokens.accessToken,
      refreshToken: tokens.refreshToken ?? latest.refreshToken,
      expiresAt: tokens.expiresAt,
      ...(tokens.profileArn && { profileArn: tokens.profileArn }),
    };
    if (filePath) {
      try {
        await writeCredentialFileAtomic(filePath, raw);
      } catch (error) {
        // The new tokens still work from memory; losing them now would lose the rotated refresh token.
        this.logger.error({ provider: 'claude-kiro-oauth', file: filePath, error: (error as Error).message }, 'cannot write refreshed Kiro token');
      }
    }
    this.credentials = await parseKiroCredentials(raw, filePath ? path.dirname(filePath) : undefined);
    this.logger.info({ provider: 'claude-kiro-oauth', authMethod: this.credentials.authMethod, expiresAt: tokens.expiresAt }, 'Kiro token refreshed');
    return this.credentials;
  }
}
