import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import type { ModelInfo, ProviderClient, UpstreamRequest, UpstreamResponse } from '../provider-adapter.js';
import { passthroughResponse } from '../provider-adapter.js';
import type { CredentialLock } from '../shared/oauth/credential-lock.js';
import { prepareQwenBody } from './qwen-body.js';
import { QwenCredentialStore, type QwenCredentials } from './qwen-credential-store.js';
import { classifyQwenError } from './qwen-errors.js';
import { buildQwenHeaders } from './qwen-headers.js';
import { QWEN_MODELS } from './qwen-models.js';
import type { QwenSettings } from './qwen-settings.js';
import { deriveQwenChatBase } from './qwen-urls.js';

const PROVIDER_TYPE = 'openai-qwen-oauth';

function isTokenRejected(error: unknown): boolean {
  return error instanceof GatewayError && error.status === 401;
}

/** One Qwen OAuth account: OpenAI Chat Completions to the account's `resource_url`, with refresh. */
export function createQwenClient(settings: QwenSettings, http: UpstreamHttpClient, logger?: Logger, credentialLock?: CredentialLock): ProviderClient {
  const store = new QwenCredentialStore({
    credentialsPath: settings.credentialsPath,
    oauthBaseUrl: settings.oauthBaseUrl,
    refreshSkewMs: settings.refreshSkewMs,
    dispatcher: http.dispatcher,
    logger,
    credentialLock,
  });

  async function sendOnce(credentials: QwenCredentials, request: UpstreamRequest, body: Buffer): Promise<UpstreamResponse> {
    const base = deriveQwenChatBase(credentials.resourceUrl, settings.fallbackBaseUrl);
    const response = await http.send({
      method: 'POST',
      url: `${base}/chat/completions`,
      headers: buildQwenHeaders(credentials.accessToken, request.stream),
      body,
      signal: request.signal,
      providerType: PROVIDER_TYPE,
    });
    return passthroughResponse(response);
  }

  return {
    async send(request: UpstreamRequest): Promise<UpstreamResponse> {
      const body = prepareQwenBody(request.body);
      const credentials = await store.get();
      try {
        return await sendOnce(credentials, request, body);
      } catch (error) {
        if (!isTokenRejected(error) || request.signal.aborted) throw classifyQwenError(error);
        // The server revoked or expired the token early: one shared refresh, then this request once more.
        logger?.info({ provider: PROVIDER_TYPE }, 'Qwen token rejected with 401; refreshing and retrying once');
        const refreshed = await store.refresh(credentials.accessToken);
        try {
          return await sendOnce(refreshed, request, body);
        } catch (retryError) {
          throw classifyQwenError(retryError);
        }
      }
    },
    // The portal has no model listing for OAuth tokens; the list is the one Qwen Code offers.
    async listModels(): Promise<ModelInfo[]> {
      return QWEN_MODELS.map((id) => ({ id, ownedBy: 'qwen' }));
    },
  };
}
