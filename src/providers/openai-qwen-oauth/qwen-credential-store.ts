import type { Logger } from 'pino';
import type { Dispatcher } from 'undici';
import { GatewayError } from '../../errors/gateway-error.js';
import { readCredentialFile, readExpiryMs, writeCredentialFileAtomic } from '../shared/oauth/credential-file.js';
import { createRefreshFailedError } from '../shared/oauth/refresh-failed.js';
import { type CredentialLock, PROCESS_LOCAL_LOCK, credentialLockKey } from '../shared/oauth/credential-lock.js';
import { SingleFlight } from '../shared/oauth/single-flight.js';
import { lockPathFor, withFileLock } from './qwen-file-lock.js';
import { QWEN_CLIENT_ID } from './qwen-settings.js';
import { describeOAuthError, mergeTokenAnswer, postOAuthForm } from './qwen-token-endpoint.js';

const PROVIDER_TYPE = 'openai-qwen-oauth';
const LOGIN_HINT = 'run "aiclient2api auth qwen" (or log in with Qwen Code) to get new credentials';

/** The usable part of a credential file, plus the whole file to merge into on write-back. */
export interface QwenCredentials {
  readonly accessToken: string;
  readonly resourceUrl: string | undefined;
  /** Undefined when the file records no expiry: then the token counts as valid until a 401. */
  readonly expiryMs: number | undefined;
  /** When we obtained the token ourselves; lets a short-lived token be used for half its life. */
  readonly obtainedAtMs?: number;
  readonly fields: Readonly<Record<string, unknown>>;
}

export interface QwenCredentialStoreOptions {
  readonly credentialsPath: string;
  readonly oauthBaseUrl: string;
  readonly refreshSkewMs: number;
  /** How token refreshes reach the OAuth server (the account's proxy); default: direct. */
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Held around Qwen Code's file lock when several gateway processes share the file (REDIS_URL). */
  readonly credentialLock?: CredentialLock;
}

function toCredentials(fields: Record<string, unknown>, credentialsPath: string): QwenCredentials {
  const accessToken = fields.access_token;
  if (typeof accessToken !== 'string' || accessToken === '') {
    throw new GatewayError('credentials_invalid', 'auth', `${PROVIDER_TYPE}: credential file ${credentialsPath} has no access_token; ${LOGIN_HINT}`, {
      status: 401,
      scope: 'account',
    });
  }
  return {
    accessToken,
    resourceUrl: typeof fields.resource_url === 'string' && fields.resource_url !== '' ? fields.resource_url : undefined,
    expiryMs: readExpiryMs(fields),
    fields,
  };
}

function refreshFailed(reason: string, cause?: unknown): GatewayError {
  return createRefreshFailedError(PROVIDER_TYPE, reason, { hint: LOGIN_HINT, cause });
}

/**
 * One account's Qwen OAuth credentials: read lazily from the file, refreshed before expiry and after
 * a 401, one refresh at a time however many requests wait, written back atomically. The file is
 * shared with Qwen Code, so a refresh holds Qwen Code's lock file and first looks at the file again:
 * if someone else already put a new token there, we use it instead of spending (and rotating away)
 * the refresh token.
 */
export class QwenCredentialStore {
  private current: QwenCredentials | undefined;
  private readonly loading = new SingleFlight<QwenCredentials>();
  private readonly refreshing = new SingleFlight<QwenCredentials>();
  private readonly now: () => number;

  constructor(private readonly options: QwenCredentialStoreOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Credentials for the next request: refreshed first when the recorded expiry is near. */
  async get(): Promise<QwenCredentials> {
    // A failed read is not cached: the next request tries again (the user may have logged in since).
    const credentials = this.current ?? (await this.loading.run(() => this.load()));
    return this.isFresh(credentials) ? credentials : this.refresh(credentials.accessToken);
  }

  /**
   * New credentials after `staleToken` was rejected or is expiring. Concurrent callers share one
   * refresh; a caller arriving after it finished gets its result without another token call.
   */
  refresh(staleToken: string): Promise<QwenCredentials> {
    const known = this.current;
    if (known && known.accessToken !== staleToken && this.isFresh(known)) return Promise.resolve(known);
    const { credentialsPath, credentialLock = PROCESS_LOCAL_LOCK } = this.options;
    return this.refreshing.run(() =>
      credentialLock.run(credentialLockKey(credentialsPath), () => withFileLock(lockPathFor(credentialsPath), () => this.refreshFromFile(staleToken))),
    );
  }

  private isFresh(credentials: QwenCredentials): boolean {
    const { expiryMs, obtainedAtMs } = credentials;
    if (expiryMs === undefined) return true;
    // A token issued for less than the skew would otherwise be refreshed on every request.
    const skew = obtainedAtMs === undefined ? this.options.refreshSkewMs : Math.min(this.options.refreshSkewMs, (expiryMs - obtainedAtMs) / 2);
    return this.now() < expiryMs - skew;
  }

  private async load(): Promise<QwenCredentials> {
    const credentials = toCredentials(await readCredentialFile(this.options.credentialsPath, PROVIDER_TYPE), this.options.credentialsPath);
    this.current ??= credentials;
    return this.current;
  }

  private async refreshFromFile(staleToken: string): Promise<QwenCredentials> {
    const { credentialsPath } = this.options;
    const onDisk = await readCredentialFile(credentialsPath, PROVIDER_TYPE);
    if (typeof onDisk.access_token === 'string' && onDisk.access_token !== '' && onDisk.access_token !== staleToken) {
      const adopted = toCredentials(onDisk, credentialsPath);
      if (this.isFresh(adopted)) return (this.current = adopted);
    }
    const refreshToken = onDisk.refresh_token;
    if (typeof refreshToken !== 'string' || refreshToken === '') throw refreshFailed(`credential file ${credentialsPath} has no refresh_token`);
    let answer;
    try {
      answer = await postOAuthForm(
        `${this.options.oauthBaseUrl}/api/v1/oauth2/token`,
        {
          grant_type: 'refresh_token',
          refresh_token: refreshToken,
          client_id: QWEN_CLIENT_ID,
        },
        undefined,
        this.options.dispatcher,
      );
    } catch (error) {
      throw refreshFailed(`token endpoint unreachable: ${(error as Error).message}`, error);
    }
    if (answer.status < 200 || answer.status >= 300 || typeof answer.body.access_token !== 'string' || answer.body.access_token === '') {
      const reason = answer.status >= 200 && answer.status < 300 ? 'answer without access_token' : describeOAuthError(answer);
      // The file stays exactly as it was: a human may still fix it, and Qwen Code may be using it.
      throw refreshFailed(reason);
    }
    const obtainedAtMs = this.now();
    const merged = mergeTokenAnswer(onDisk, answer.body, obtainedAtMs);
    const credentials = { ...toCredentials(merged, credentialsPath), obtainedAtMs };
    try {
      await writeCredentialFileAtomic(credentialsPath, merged);
    } catch (error) {
      // The new token works for this process even when the file cannot be written, so serve on and warn.
      this.options.logger?.warn(
        { provider: PROVIDER_TYPE, file: credentialsPath, error: (error as NodeJS.ErrnoException).code ?? (error as Error).message },
        'refreshed Qwen credentials could not be written back',
      );
    }
    this.options.logger?.info({ provider: PROVIDER_TYPE, file: credentialsPath }, 'Qwen OAuth token refreshed');
    return (this.current = credentials);
  }
}
