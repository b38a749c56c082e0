import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { decodeBase64Credentials, readCredentialFile, readExpiryMs, writeCredentialFileAtomic } from '../shared/oauth/credential-file.js';
import { type CredentialLock, PROCESS_LOCAL_LOCK, credentialLockKey } from '../shared/oauth/credential-lock.js';
import { SingleFlight } from '../shared/oauth/single-flight.js';
import { postTokenForm, toCredentialFields } from './google-token-endpoint.js';
import { PROVIDER_TYPE, type GeminiSettings } from './gemini-settings.js';

type Credentials = Record<string, unknown>;

/** After a refused refresh token, the same token is not sent to Google again for this long. */
const FAILED_REFRESH_HOLD_MS = 30_000;

function accessTokenOf(credentials: Credentials | undefined): string | undefined {
  const token = credentials?.access_token;
  return typeof token === 'string' && token !== '' ? token : undefined;
}

/**
 * The OAuth token set of one account: loaded lazily, refreshed before expiry or after a 401, one
 * refresh at a time however many requests wait, and written back to Gemini CLI's file atomically
 * with every field we do not know kept. A failed refresh never touches the file.
 */
export class GeminiCredentials {
  private credentials: Credentials | undefined;
  private readonly loading = new SingleFlight<Credentials>();
  private readonly refreshing = new SingleFlight<string>();
  private failedRefresh: { refreshToken: string; at: number; error: GatewayError } | undefined;

  constructor(
    private readonly settings: GeminiSettings,
    private readonly http: UpstreamHttpClient,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
    private readonly lock: CredentialLock = PROCESS_LOCAL_LOCK,
  ) {}

  /** A token that is valid for at least the configured skew, refreshing first when it is not. */
  async getAccessToken(): Promise<string> {
    const credentials = this.credentials ?? (await this.loading.run(() => this.load()));
    const token = accessTokenOf(credentials);
    // Without an expiry (hand-made files) the token is used until the server rejects it.
    if (token && !this.isNearExpiry(credentials)) return token;
    return this.refreshing.run(() => this.lockedRefresh(token));
  }

  /** After a 401: refresh once, unless another request already replaced the rejected token. */
  async refreshAfterRejection(rejectedToken: string): Promise<string> {
    const current = accessTokenOf(this.credentials);
    if (current && current !== rejectedToken && !this.isNearExpiry(this.credentials!)) return current;
    return this.refreshing.run(() => this.lockedRefresh(rejectedToken, true));
  }

  /** Other gateway processes sharing the file wait, then find the new token in it (see refresh). */
  private lockedRefresh(staleToken: string | undefined, rejected = false): Promise<string> {
    if (this.settings.credsBase64) return this.refresh(staleToken, rejected);
    return this.lock.run(credentialLockKey(this.settings.credsFilePath), () => this.refresh(staleToken, rejected));
  }

  private isNearExpiry(credentials: Credentials): boolean {
    const expiry = readExpiryMs(credentials);
    return expiry !== undefined && expiry - this.now() <= this.settings.refreshSkewMs;
  }

  private async load(): Promise<Credentials> {
    const credentials = this.settings.credsBase64
      ? decodeBase64Credentials(this.settings.credsBase64, PROVIDER_TYPE, 'GEMINI_OAUTH_CREDS_BASE64')
      : await this.readFile();
    this.credentials = credentials;
    return credentials;
  }

  private async readFile(): Promise<Credentials> {
    try {
      return await readCredentialFile(this.settings.credsFilePath, PROVIDER_TYPE);
    } catch (error) {
      if (error instanceof GatewayError && error.code === 'credentials_missing') {
        throw new GatewayError(error.code, error.kind, `${error.message}; log in with \`aiclient2api auth gemini\` (or \`gemini\`)`, error.detail);
      }
      throw error;
    }
  }

  private async refresh(staleToken: string | undefined, rejected = false): Promise<string> {
    // Re-read the file: Gemini CLI (or another gateway) may have refreshed it, possibly rotating
    // the refresh token, since we loaded it.
    let base = this.credentials ?? {};
    if (!this.settings.credsBase64) {
      base = await this.readFile();
      const fileToken = accessTokenOf(base);
      if (fileToken && fileToken !== staleToken && !this.isNearExpiry(base)) {
        this.credentials = base;
        return fileToken;
      }
    }
    const refreshToken = base.refresh_token;
    if (typeof refreshToken !== 'string' || refreshToken === '') {
      throw new GatewayError(
        'oauth_refresh_failed',
        'auth',
        `${PROVIDER_TYPE}: the access token is ${rejected ? 'rejected' : 'expired'} and the credentials hold no refresh_token; log in again with \`aiclient2api auth gemini\``,
        { status: 401, scope: 'account' },
      );
    }
    // A revoked token stays revoked: answer from memory instead of asking Google on every request,
    // until the hold passes or a new login puts another refresh token in the file.
    const failed = this.failedRefresh;
    if (failed && failed.refreshToken === refreshToken && this.now() - failed.at < FAILED_REFRESH_HOLD_MS) throw failed.error;
    let token;
    try {
      token = await postTokenForm(
        this.http,
        this.settings.tokenUrl,
        { grant_type: 'refresh_token', refresh_token: refreshToken, client_id: this.settings.clientId, client_secret: this.settings.clientSecret },
        { purpose: 'token refresh', errorCode: 'oauth_refresh_failed', retryHint: 'log in again with `aiclient2api auth gemini`' },
      );
    } catch (error) {
      if (error instanceof GatewayError && error.kind === 'auth') this.failedRefresh = { refreshToken, at: this.now(), error };
      this.logger.warn({ provider: PROVIDER_TYPE, error: (error as Error).message }, 'gemini-cli-oauth: token refresh failed');
      throw error;
    }
    this.failedRefresh = undefined;
    // Google rarely rotates the refresh token; keep the old one when none comes back.
    const updated: Credentials = { ...base, ...toCredentialFields(token, this.now()), refresh_token: token.refresh_token ?? refreshToken };
    this.credentials = updated;
    await this.persist(updated);
    this.logger.info({ provider: PROVIDER_TYPE, expiresAt: new Date(readExpiryMs(updated) ?? 0).toISOString() }, 'gemini-cli-oauth: access token refreshed');
    return token.access_token;
  }

  private async persist(credentials: Credentials): Promise<void> {
    if (this.settings.credsBase64) return; // inline credentials: nowhere to write, memory only
    try {
      await writeCredentialFileAtomic(this.settings.credsFilePath, credentials);
    } catch (error) {
      // The new token still works from memory; losing the write only costs a refresh after restart.
      this.logger.warn(
        { provider: PROVIDER_TYPE, file: this.settings.credsFilePath, error: (error as Error).message },
        'gemini-cli-oauth: could not write the refreshed credentials',
      );
    }
  }
}
