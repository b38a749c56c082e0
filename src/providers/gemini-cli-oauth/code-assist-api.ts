import { arch, platform } from 'node:os';
import { isGatewayError } from '../../errors/gateway-error.js';
import type { UpstreamHttpClient, UpstreamHttpResponse } from '../../upstream/http-client.js';
import { awaitUnlessAborted } from './abortable.js';
import type { GeminiCredentials } from './gemini-credentials.js';
import { PROVIDER_TYPE } from './gemini-settings.js';

/** Identity Gemini CLI presents (providers.md §3.2); Code Assist serves what it knows this client asks for. */
const GEMINI_CLI_VERSION = '0.31.0';
const GOOGLE_API_CLIENT = 'google-api-nodejs-client/10.1.0';
const X_GOOG_API_CLIENT = 'google-genai-sdk/1.41.0 gl-node/v22.19.0';

export type CodeAssistMethod = 'loadCodeAssist' | 'onboardUser' | 'generateContent' | 'streamGenerateContent' | 'countTokens' | 'retrieveUserQuota';

export interface CodeAssistCall {
  readonly method: CodeAssistMethod;
  readonly body: string;
  readonly signal: AbortSignal;
  /** Set for generation calls: it goes into the User-Agent as Gemini CLI does. */
  readonly model?: string;
}

function userAgent(model: string | undefined): string {
  if (!model) return GOOGLE_API_CLIENT;
  const cpu = arch() === 'ia32' ? 'x86' : arch();
  // The model comes from the client's URL: characters a header cannot carry become `_` (the name is informative only).
  return `GeminiCLI/${GEMINI_CLI_VERSION}/${model.replace(/[^\x21-\x7e]/g, '_')} (${platform()}; ${cpu}) ${GOOGLE_API_CLIENT}`;
}

/**
 * `POST {base}/v1internal:{method}` with a bearer token. A 401 causes one (shared) refresh and one
 * retry of the same call; the second answer, whatever it is, goes back to the caller.
 */
export class CodeAssistApi {
  constructor(
    private readonly baseUrl: string,
    private readonly http: UpstreamHttpClient,
    private readonly credentials: GeminiCredentials,
  ) {}

  async call(call: CodeAssistCall): Promise<UpstreamHttpResponse> {
    const token = await awaitUnlessAborted(this.credentials.getAccessToken(), call.signal);
    try {
      return await this.sendOnce(call, token);
    } catch (error) {
      if (!isGatewayError(error) || error.status !== 401 || call.signal.aborted) throw error;
      const fresh = await awaitUnlessAborted(this.credentials.refreshAfterRejection(token), call.signal);
      return this.sendOnce(call, fresh);
    }
  }

  private sendOnce(call: CodeAssistCall, token: string): Promise<UpstreamHttpResponse> {
    const stream = call.method === 'streamGenerateContent';
    return this.http.send({
      method: 'POST',
      url: `${this.baseUrl}/v1internal:${call.method}${stream ? '?alt=sse' : ''}`,
      headers: {
        'content-type': 'application/json',
        accept: stream ? 'text/event-stream' : 'application/json',
        authorization: `Bearer ${token}`,
        'user-agent': userAgent(call.model),
        'x-goog-api-client': X_GOOG_API_CLIENT,
      },
      body: call.body,
      signal: call.signal,
      providerType: PROVIDER_TYPE,
    });
  }
}
