import { type GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { createRefreshFailedError } from '../shared/oauth/refresh-failed.js';
import type { KiroCredentials } from './kiro-credentials.js';
import { kiroHeaders, machineIdFor } from './kiro-headers.js';
import { idcRefreshUrlOf, socialRefreshUrlOf, type KiroSettings } from './kiro-settings.js';

const PROVIDER_TYPE = 'claude-kiro-oauth';
const REFRESH_TIMEOUT_MS = 15_000;

/** The fields a refresh changes, merged into the credential file. */
export interface RefreshedTokens {
  accessToken: string;
  refreshToken: string | undefined;
  expiresAt: string;
  profileArn: string | undefined;
}

function refreshFailed(reason: string, cause?: unknown): GatewayError {
  return createRefreshFailedError(PROVIDER_TYPE, reason, { cause });
}

/** Why a refresh call failed, without anything secret (the upstream's message only, never our body). */
function describeFailure(error: unknown): string {
  if (isGatewayError(error)) {
    const hint =
      error.detail.status === 401 || error.detail.status === 400
        ? ' (the refresh token may have been rotated by Kiro IDE or another proxy: export a fresh token with `aiclient2api auth kiro --from FILE`)'
        : '';
    return `${error.detail.status ? `HTTP ${error.detail.status}: ` : ''}${error.message.slice(0, 300)}${hint}`;
  }
  return (error as Error)?.message ?? String(error);
}

/**
 * One refresh call: social logins at Kiro's desktop auth endpoint with `{refreshToken}`; Builder ID /
 * IdC at AWS SSO-OIDC CreateToken (camelCase body) with the client registration's id and secret.
 */
export async function requestTokenRefresh(credentials: KiroCredentials, settings: KiroSettings, http: UpstreamHttpClient): Promise<RefreshedTokens> {
  if (!credentials.refreshToken) throw refreshFailed('the credentials hold no refreshToken');
  let url: string;
  let headers: Record<string, string>;
  let body: Record<string, string>;
  if (credentials.authMethod === 'social') {
    url = socialRefreshUrlOf(settings, credentials.region);
    headers = { 'content-type': 'application/json', accept: 'application/json' };
    body = { refreshToken: credentials.refreshToken };
  } else {
    if (!credentials.clientId || !credentials.clientSecret) {
      const hash =
        typeof credentials.raw.clientIdHash === 'string' ? ` (${credentials.raw.clientIdHash}.json beside the token file was not found or incomplete)` : '';
      throw refreshFailed(`IdC/Builder ID login without clientId/clientSecret${hash}`);
    }
    url = idcRefreshUrlOf(settings, credentials.idcRegion);
    const machineId = machineIdFor(settings, credentials);
    headers = kiroHeaders({ clientVersion: settings.clientVersion, machineId });
    body = {
      refreshToken: credentials.refreshToken,
      clientId: credentials.clientId,
      clientSecret: credentials.clientSecret,
      grantType: 'refresh_token',
    };
  }
  let parsed: Record<string, unknown>;
  try {
    const response = await http.send({
      method: 'POST',
      url,
      headers,
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REFRESH_TIMEOUT_MS),
      providerType: PROVIDER_TYPE,
    });
    parsed = (await response.body.json()) as Record<string, unknown>;
  } catch (error) {
    throw refreshFailed(describeFailure(error), error);
  }
  const accessToken = typeof parsed?.accessToken === 'string' ? parsed.accessToken : undefined;
  if (!accessToken) throw refreshFailed('the token endpoint answered without an accessToken');
  const expiresIn = typeof parsed.expiresIn === 'number' && parsed.expiresIn > 0 ? parsed.expiresIn : 3600;
  return {
    accessToken,
    refreshToken: typeof parsed.refreshToken === 'string' && parsed.refreshToken ? parsed.refreshToken : undefined,
    expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    profileArn: typeof parsed.profileArn === 'string' && parsed.profileArn ? parsed.profileArn : undefined,
  };
}
