import type { Logger } from 'pino';
import { GatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient, UpstreamHttpResponse } from '../../upstream/http-client.js';
import type { ModelInfo, ProviderClient, UpstreamRequest, UpstreamResponse } from '../provider-adapter.js';
import type { CredentialLock } from '../shared/oauth/credential-lock.js';
import { CodeAssistApi, type CodeAssistCall } from './code-assist-api.js';
import { normalizeModelId, prepareGenerateRequest, unwrapResponse, wrapCountTokensRequest, wrapGenerateRequest } from './code-assist-envelope.js';
import { unwrapCodeAssistStream } from './code-assist-sse.js';
import { GeminiCredentials } from './gemini-credentials.js';
import { classifyCodeAssistError } from './gemini-errors.js';
import { listGeminiModelIds } from './gemini-models.js';
import { PROVIDER_TYPE, type GeminiSettings } from './gemini-settings.js';
import { ProjectDiscovery } from './project-discovery.js';

async function* once(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

/** One Gemini CLI account: Gemini requests in, Gemini responses out, Code Assist in between. */
export class GeminiCliOAuthClient implements ProviderClient {
  private readonly api: CodeAssistApi;
  private readonly projects: ProjectDiscovery;

  constructor(
    private readonly settings: GeminiSettings,
    http: UpstreamHttpClient,
    private readonly logger: Logger,
    credentialLock?: CredentialLock,
  ) {
    this.api = new CodeAssistApi(settings.baseUrl, http, new GeminiCredentials(settings, http, logger, Date.now, credentialLock));
    this.projects = new ProjectDiscovery(
      this.api,
      { configuredProject: settings.projectId, pollIntervalMs: settings.onboardPollIntervalMs, maxPolls: settings.onboardMaxPolls },
      logger,
    );
  }

  async send(request: UpstreamRequest): Promise<UpstreamResponse> {
    const model = normalizeModelId(request.model);
    if (model === '') {
      throw new GatewayError('model_required', 'invalid_request', `${PROVIDER_TYPE}: a model is required`, { status: 400, scope: 'request' });
    }
    const generateRequest = prepareGenerateRequest(model, request.body);
    const project = await this.projects.resolve(request.signal);
    const body = wrapGenerateRequest(model, project, generateRequest);
    const method = request.stream ? 'streamGenerateContent' : 'generateContent';
    const response = await this.call({ method, body, model, signal: request.signal });
    if (request.stream) {
      return { status: response.status, contentType: 'text/event-stream', body: unwrapCodeAssistStream(response.body, this.logger) };
    }
    const unwrapped = unwrapResponse(await this.readJson(response));
    return { status: response.status, contentType: 'application/json', body: once(Buffer.from(JSON.stringify(unwrapped))) };
  }

  /** Code Assist's countTokens: takes a Gemini countTokens body, answers `{totalTokens}`. */
  async countTokens(model: string, body: Buffer, signal: AbortSignal): Promise<Record<string, unknown>> {
    const id = normalizeModelId(model);
    const response = await this.call({ method: 'countTokens', body: wrapCountTokensRequest(id, body), model: id, signal });
    return (await this.readJson(response)) as Record<string, unknown>;
  }

  /** Code Assist's per-model quota buckets for this account's project. */
  async retrieveUserQuota(signal: AbortSignal): Promise<Record<string, unknown>> {
    const project = await this.projects.resolve(signal);
    const response = await this.call({ method: 'retrieveUserQuota', body: JSON.stringify({ project }), signal });
    return { ...((await this.readJson(response)) as Record<string, unknown>), project };
  }

  fetchQuota(signal: AbortSignal): Promise<Record<string, unknown>> {
    return this.retrieveUserQuota(signal);
  }

  async listModels(_signal?: AbortSignal): Promise<ModelInfo[]> {
    return listGeminiModelIds(this.settings.extraModels).map((id) => ({ id, ownedBy: 'google' }));
  }

  private async call(call: CodeAssistCall): Promise<UpstreamHttpResponse> {
    try {
      return await this.api.call(call);
    } catch (error) {
      const classified = classifyCodeAssistError(error, { project: this.projects.current, projectSource: this.projects.source });
      if (classified instanceof GatewayError && classified.code === 'gemini_project_forbidden') this.projects.forget();
      throw classified;
    }
  }

  private async readJson(response: UpstreamHttpResponse): Promise<unknown> {
    const text = await response.body.text();
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw new GatewayError('upstream_invalid_response', 'upstream', `${PROVIDER_TYPE}: Code Assist answered with invalid JSON`, {
        status: 502,
        scope: 'account',
      });
    }
  }
}
