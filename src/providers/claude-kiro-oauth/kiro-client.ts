import type { Logger } from 'pino';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { claudeCodec } from '../../protocols/claude/index.js';
import type { CanonicalRequest } from '../../protocols/canonical/types.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { createUpstreamError, readErrorBodyText } from '../../upstream/upstream-error.js';
import type { ModelInfo, ProviderClient, UpstreamRequest, UpstreamResponse } from '../provider-adapter.js';
import { KiroAuth } from './kiro-auth.js';
import type { KiroCredentials } from './kiro-credentials.js';
import { classifyKiroError } from './kiro-errors.js';
import { kiroHeaders, machineIdFor } from './kiro-headers.js';
import { KIRO_MODELS } from './kiro-models.js';
import { collectClaudeMessage, encodeClaudeStream, readKiroEvents, startEvents, type KiroResponseContext } from './kiro-response.js';
import { chatUrlOf, type KiroSettings } from './kiro-settings.js';
import { ToolNameMap } from './kiro-tool-names.js';
import { estimateInputTokens } from './kiro-usage.js';
import { toKiroRequest } from './to-kiro-request.js';
import type { CredentialLock } from '../shared/oauth/credential-lock.js';

const PROVIDER_TYPE = 'claude-kiro-oauth';

async function* singleChunk(chunk: Buffer): AsyncGenerator<Buffer> {
  yield chunk;
}

function decodeClaudeBody(body: Buffer, model: string): CanonicalRequest {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new GatewayError('invalid_json', 'invalid_request', 'Request body is not valid JSON', { status: 400, scope: 'request' });
  }
  const request = claudeCodec.decodeRequest(parsed, {});
  return model ? { ...request, model } : request;
}

/** One Kiro account: Claude Messages in, CodeWhisperer conversationState out, event stream back as Claude. */
export class KiroClient implements ProviderClient {
  private readonly auth: KiroAuth;

  constructor(
    private readonly settings: KiroSettings,
    private readonly http: UpstreamHttpClient,
    logger: Logger,
    credentialLock?: CredentialLock,
  ) {
    this.auth = new KiroAuth(settings, http, logger, credentialLock);
  }

  async send(upstreamRequest: UpstreamRequest): Promise<UpstreamResponse> {
    const request = decodeClaudeBody(upstreamRequest.body, upstreamRequest.model);
    const names = new ToolNameMap();
    const context: KiroResponseContext = {
      model: request.model,
      inputEstimate: estimateInputTokens(request),
      thinkingRequested: request.reasoning?.mode === 'enabled' || request.reasoning?.mode === 'adaptive',
      names,
    };
    let credentials = await this.auth.current();
    for (let attempt = 0; ; attempt += 1) {
      const body = JSON.stringify(toKiroRequest(request, { names, profileArn: credentials.profileArn }));
      try {
        return await this.call(credentials, body, upstreamRequest, context);
      } catch (error) {
        // Only HTTP answers are classified here; exception frames and transport errors already are.
        if (!isGatewayError(error) || !/^upstream_\d{3}$/.test(error.code)) throw error;
        const failure = classifyKiroError(error);
        // A token Kiro rejects: one refresh (shared with every request that hit the same), then one retry.
        if (!failure.needsRefresh || attempt > 0) throw failure.error;
        credentials = await this.auth.refreshAfterRejection(credentials);
      }
    }
  }

  private async call(credentials: KiroCredentials, body: string, upstreamRequest: UpstreamRequest, context: KiroResponseContext): Promise<UpstreamResponse> {
    const machineId = machineIdFor(this.settings, credentials);
    const response = await this.http.send({
      method: 'POST',
      url: chatUrlOf(this.settings, credentials.region),
      headers: kiroHeaders({ clientVersion: this.settings.clientVersion, machineId, accessToken: credentials.accessToken }),
      body,
      signal: upstreamRequest.signal,
      providerType: PROVIDER_TYPE,
    });
    const contentType = String(response.headers['content-type'] ?? '');
    if (contentType.includes('json')) {
      // A 200 that is not an event stream is an error in disguise; decoding it as frames would only say "corrupt".
      const text = await readErrorBodyText(response.body);
      throw createUpstreamError(502, response.headers, text, PROVIDER_TYPE);
    }
    const events = await startEvents(readKiroEvents(response.body));
    if (upstreamRequest.stream) {
      return { status: 200, contentType: 'text/event-stream', body: encodeClaudeStream(events, context) };
    }
    const message = await collectClaudeMessage(events, context);
    return { status: 200, contentType: 'application/json', body: singleChunk(Buffer.from(JSON.stringify(message))) };
  }

  /** getUsageLimits (providers.md §4.10): credits used and the limit, with the reset time. */
  async fetchQuota(signal: AbortSignal): Promise<Record<string, unknown>> {
    let credentials = await this.auth.current();
    for (let attempt = 0; ; attempt += 1) {
      const url = new URL(chatUrlOf(this.settings, credentials.region).replace('generateAssistantResponse', 'getUsageLimits'));
      url.searchParams.set('isEmailRequired', 'true');
      url.searchParams.set('origin', 'AI_EDITOR');
      url.searchParams.set('resourceType', 'AGENTIC_REQUEST');
      if (credentials.authMethod === 'social' && credentials.profileArn) url.searchParams.set('profileArn', credentials.profileArn);
      const headers = kiroHeaders({
        clientVersion: this.settings.clientVersion,
        machineId: machineIdFor(this.settings, credentials),
        accessToken: credentials.accessToken,
      });
      headers['amz-sdk-request'] = 'attempt=1; max=1';
      try {
        const response = await this.http.send({ method: 'GET', url: url.toString(), headers, signal, providerType: PROVIDER_TYPE });
        return (await response.body.json()) as Record<string, unknown>;
      } catch (error) {
        if (!isGatewayError(error) || error.status !== 401 || attempt > 0) throw error;
        credentials = await this.auth.refreshAfterRejection(credentials);
      }
    }
  }

  async listModels(): Promise<ModelInfo[]> {
    return KIRO_MODELS.map((id) => ({ id, ownedBy: 'kiro' }));
  }
}
