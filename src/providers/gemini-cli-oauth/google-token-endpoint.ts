import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { PROVIDER_TYPE } from './gemini-settings.js';

/** The fields Google's token endpoint answers with (refresh and authorization-code grants). */
export interface GoogleTokenResponse {
  readonly access_token: string;
  readonly expires_in?: number;
  readonly refresh_token?: string;
  readonly scope?: string;
  readonly token_type?: string;
  readonly id_token?: string;
}

/**
 * Turns a token answer into the credential-file shape Gemini CLI writes: `expires_in` becomes an
 * absolute `expiry_date` (ms) and is not stored, as google-auth-library does.
 */
export function toCredentialFields(token: GoogleTokenResponse, now = Date.now()): Record<string, unknown> {
  const { expires_in: expiresIn, ...rest } = token;
  const fields: Record<string, unknown> = { ...rest, token_type: token.token_type ?? 'Bearer' };
  if (typeof expiresIn === 'number' && Number.isFinite(expiresIn)) fields.expiry_date = now + expiresIn * 1000;
  return fields;
}

/**
 * POSTs a form to the token endpoint. A 4xx (invalid_grant: the refresh token was revoked or
 * expired) is the account's fault and becomes kind 'auth'; a 5xx or an unreachable endpoint keeps
 * its transient kind, so a Google outage does not condemn every account. The code (for refreshes
 * `oauth_refresh_failed`) lets the pool and the logs tell a token failure from a request failure.
 */
export async function postTokenForm(
  http: UpstreamHttpClient,
  url: string,
  form: Record<string, string>,
  options: { purpose: string; errorCode: string; retryHint: string },
): Promise<GoogleTokenResponse> {
  const { purpose, errorCode, retryHint } = options;
  let parsed: unknown;
  try {
    const response = await http.send({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams(form).toString(),
      // Shared by every waiting request, so no single client's disconnect may cancel it.
      signal: AbortSignal.timeout(30_000),
      providerType: `${PROVIDER_TYPE} token endpoint`,
    });
    parsed = await response.body.json();
  } catch (error) {
    const status = isGatewayError(error) ? error.status : undefined;
    const reason = error instanceof Error ? error.message : String(error);
    const accountFault = status !== undefined && status >= 400 && status < 500;
    throw new GatewayError(
      errorCode,
      accountFault ? 'auth' : isGatewayError(error) ? error.kind : 'network',
      accountFault
        ? `${PROVIDER_TYPE}: ${purpose} failed (${reason}); ${retryHint}`
        : `${PROVIDER_TYPE}: ${purpose} failed, token endpoint unavailable (${reason})`,
      { status: accountFault ? 401 : 502, scope: 'account' },
    );
  }
  const token = parsed as Partial<GoogleTokenResponse> | null;
  if (!token || typeof token.access_token !== 'string' || token.access_token === '') {
    throw new GatewayError(errorCode, 'auth', `${PROVIDER_TYPE}: ${purpose} failed: the token endpoint returned no access_token`, {
      status: 401,
      scope: 'account',
    });
  }
  return token as GoogleTokenResponse;
}
