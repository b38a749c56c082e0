import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { GEMINI_CLI_CLIENT_ID, GEMINI_CLI_CLIENT_SECRET } from '../../src/providers/gemini-cli-oauth/gemini-settings.js';
import { pause, sendJson, startMockServer, type MockServer, type RecordedRequest } from './mock-server.js';

/**
 * Google Code Assist (`/v1internal:*`) and Google OAuth (`/token`, `/tokeninfo`, `/o/oauth2/v2/auth`)
 * in one loopback server, per providers.md §7.3. Tokens are checked for real: a revoked or unknown
 * access token gets Google's 401, a revoked refresh token `invalid_grant`.
 */
export type ProjectScenario = 'assigned' | 'onboard' | 'onboard-never' | 'needs-own-project';
export type GenerationHandler = (request: RecordedRequest, response: ServerResponse, envelope: Envelope) => void | Promise<void>;
export interface Envelope {
  model: string;
  project: string;
  user_prompt_id?: string;
  request: Record<string, unknown>;
}

export const INITIAL_ACCESS_TOKEN = 'ya29.initial';
export const VALID_REFRESH_TOKEN = '1//refresh-ok';
export const ASSIGNED_PROJECT = 'clever-abc-123';
export const ONBOARDED_PROJECT = 'proj-1';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform https://www.googleapis.com/auth/userinfo.email';

export const ERROR_401 = { error: { code: 401, message: 'Request had invalid authentication credentials.', status: 'UNAUTHENTICATED' } };
export const ERROR_429 = {
  error: {
    code: 429,
    message: 'You have exhausted your capacity on this model. Your quota will reset after 30s.',
    status: 'RESOURCE_EXHAUSTED',
    details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '30s' }],
  },
};
export const ERROR_500 = { error: { code: 500, message: 'Internal error encountered.', status: 'INTERNAL' } };
function error403(project: string) {
  return {
    error: {
      code: 403,
      message: `Permission denied on resource project ${project}.`,
      status: 'PERMISSION_DENIED',
      details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'CONSUMER_INVALID', domain: 'googleapis.com' }],
    },
  };
}

export const HELLO_RESPONSE = {
  candidates: [{ content: { role: 'model', parts: [{ text: 'Hello!' }] }, finishReason: 'STOP', index: 0 }],
  usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'r1',
};

/** One Code Assist SSE event: `data: {"response":...,"traceId":"t1"}` and its blank line. */
export function codeAssistEvent(response: unknown, ending: '\r\n' | '\n' = '\r\n'): string {
  return `data: ${JSON.stringify({ response, traceId: 't1' })}${ending}${ending}`;
}

export function textChunk(text: string, finish?: boolean): Record<string, unknown> {
  return {
    candidates: [{ content: { role: 'model', parts: [{ text }] }, ...(finish ? { finishReason: 'STOP' } : {}), index: 0 }],
    usageMetadata: finish ? { promptTokenCount: 4, candidatesTokenCount: 2, totalTokenCount: 6 } : { promptTokenCount: 4, totalTokenCount: 4 },
  };
}

/** Writes the bytes in pieces of `size` bytes, pausing between them, so events arrive cut anywhere. */
export async function sendChunkedSse(response: ServerResponse, text: string, size: number): Promise<void> {
  const bytes = Buffer.from(text);
  response.writeHead(200, { 'content-type': 'text/event-stream' });
  for (let offset = 0; offset < bytes.length; offset += size) {
    response.write(bytes.subarray(offset, offset + size));
    await pause(1);
  }
  response.end();
}

export interface GeminiMockOptions {
  scenario?: ProjectScenario;
  /** onboardUser answers `done:false` this many times before done (scenario 'onboard'). */
  pendingPolls?: number;
  /** Projects generation may use; anything else is 403 PERMISSION_DENIED. */
  allowedProjects?: string[];
  tokenDelayMs?: number;
  /** Answers every generation call not scripted with enqueueGeneration (default: "Hello!"). */
  generate?: GenerationHandler;
}

export interface GeminiMock {
  readonly url: string;
  readonly requests: RecordedRequest[];
  readonly accessTokens: Set<string>;
  readonly refreshTokens: Set<string>;
  /** Scripted answers for the next generateContent / streamGenerateContent calls, in order. */
  enqueueGeneration(...handlers: GenerationHandler[]): void;
  calls(path: string): RecordedRequest[];
  close(): Promise<void>;
}

function bearer(request: RecordedRequest): string | undefined {
  const value = request.headers.authorization;
  return typeof value === 'string' && value.startsWith('Bearer ') ? value.slice(7) : undefined;
}

export async function startGeminiMock(options: GeminiMockOptions = {}): Promise<GeminiMock> {
  const scenario = options.scenario ?? 'assigned';
  const allowed = new Set(options.allowedProjects ?? [ASSIGNED_PROJECT, ONBOARDED_PROJECT]);
  const accessTokens = new Set([INITIAL_ACCESS_TOKEN]);
  const refreshTokens = new Set([VALID_REFRESH_TOKEN]);
  const generationQueue: GenerationHandler[] = [];
  const authorizations = new Map<string, { redirectUri: string; challenge: string }>();
  let issued = 0;
  let onboardPolls = 0;

  const issueToken = (withRefresh: boolean) => {
    issued += 1;
    const token: Record<string, unknown> = { access_token: `ya29.new-${issued}`, expires_in: 3599, scope: SCOPE, token_type: 'Bearer', id_token: 'x.y.z' };
    accessTokens.add(token.access_token as string);
    if (withRefresh) {
      token.refresh_token = `1//login-${issued}`;
      refreshTokens.add(token.refresh_token as string);
    }
    return token;
  };

  const handleToken = async (request: RecordedRequest, response: ServerResponse) => {
    if (options.tokenDelayMs) await pause(options.tokenDelayMs);
    const form = new URLSearchParams(request.body.toString('utf8'));
    const invalidGrant = () => sendJson(response, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
    if (form.get('client_id') !== GEMINI_CLI_CLIENT_ID || form.get('client_secret') !== GEMINI_CLI_CLIENT_SECRET) {
      return sendJson(response, 401, { error: 'invalid_client', error_description: 'The OAuth client was not found.' });
    }
    if (form.get('grant_type') === 'refresh_token') {
      return refreshTokens.has(form.get('refresh_token') ?? '') ? sendJson(response, 200, issueToken(false)) : invalidGrant();
    }
    if (form.get('grant_type') === 'authorization_code') {
      const grant = authorizations.get(form.get('code') ?? '');
      const verifier = form.get('code_verifier') ?? '';
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      if (!grant || grant.redirectUri !== form.get('redirect_uri') || grant.challenge !== challenge) return invalidGrant();
      authorizations.delete(form.get('code') ?? '');
      return sendJson(response, 200, issueToken(true));
    }
    sendJson(response, 400, { error: 'unsupported_grant_type' });
  };

  /** The browser side of consent: the user "approves" at once and Google redirects back. */
  const handleAuthorize = (request: RecordedRequest, response: ServerResponse) => {
    const { query } = request;
    const redirectUri = query.get('redirect_uri') ?? '';
    const challenge = query.get('code_challenge') ?? '';
    if (query.get('client_id') !== GEMINI_CLI_CLIENT_ID || query.get('code_challenge_method') !== 'S256' || !challenge || !query.get('state')) {
      return sendJson(response, 400, { error: 'invalid_request' });
    }
    const code = `4/code-${authorizations.size + 1}`;
    authorizations.set(code, { redirectUri, challenge });
    const location = new URL(redirectUri);
    location.searchParams.set('code', code);
    location.searchParams.set('state', query.get('state') ?? '');
    location.searchParams.set('scope', SCOPE);
    response.writeHead(302, { location: location.toString() });
    response.end();
  };

  const handleLoad = (response: ServerResponse) => {
    const tiers = [
      { id: 'free-tier', name: 'Gemini Code Assist for individuals', isDefault: scenario !== 'needs-own-project', userDefinedCloudaicompanionProject: false },
      { id: 'standard-tier', isDefault: scenario === 'needs-own-project', userDefinedCloudaicompanionProject: true },
    ];
    const body: Record<string, unknown> = { allowedTiers: tiers, manageSubscriptionUri: 'https://example.test/manage?Email=user%40example.com&x=1' };
    if (scenario === 'assigned') Object.assign(body, { currentTier: { id: 'free-tier' }, cloudaicompanionProject: ASSIGNED_PROJECT });
    sendJson(response, 200, body);
  };

  const handleOnboard = (response: ServerResponse) => {
    onboardPolls += 1;
    if (scenario === 'onboard-never' || onboardPolls <= (options.pendingPolls ?? 2)) {
      return sendJson(response, 200, { name: 'operations/onboard-1', done: false });
    }
    sendJson(response, 200, {
      name: 'operations/onboard-1',
      done: true,
      response: {
        '@type': 'type.googleapis.com/google.internal.cloud.code.v1internal.OnboardUserResponse',
        cloudaicompanionProject: { id: ONBOARDED_PROJECT, name: 'p' },
      },
    });
  };

  const handleGeneration = async (request: RecordedRequest, response: ServerResponse, stream: boolean) => {
    const envelope = request.json<Envelope>();
    const agent = String(request.headers['user-agent'] ?? '');
    if (!envelope.model || !envelope.request || !agent.startsWith(`GeminiCLI/0.31.0/${envelope.model} (`)) {
      return sendJson(response, 400, { error: { code: 400, message: 'Invalid Code Assist envelope or client', status: 'INVALID_ARGUMENT' } });
    }
    if (!allowed.has(envelope.project)) return sendJson(response, 403, error403(envelope.project));
    if (stream && request.query.get('alt') !== 'sse')
      return sendJson(response, 400, { error: { code: 400, message: 'alt=sse required', status: 'INVALID_ARGUMENT' } });
    const scripted = generationQueue.shift() ?? options.generate;
    if (scripted) return scripted(request, response, envelope);
    if (!stream) return sendJson(response, 200, { response: HELLO_RESPONSE, traceId: 't1' });
    response.writeHead(200, { 'content-type': 'text/event-stream' });
    response.end(codeAssistEvent(textChunk('Hel')) + codeAssistEvent(textChunk('lo!', true)));
  };

  const server: MockServer = await startMockServer(async (request, response) => {
    if (request.path === '/token') return handleToken(request, response);
    if (request.path === '/o/oauth2/v2/auth') return handleAuthorize(request, response);
    if (request.path === '/tokeninfo') return sendJson(response, 200, { email: 'user@example.com', expires_in: 3500, scope: SCOPE });
    const token = bearer(request);
    if (!token || !accessTokens.has(token)) return sendJson(response, 401, ERROR_401);
    if (!request.headers['x-goog-api-client'])
      return sendJson(response, 400, { error: { code: 400, message: 'missing x-goog-api-client', status: 'INVALID_ARGUMENT' } });
    switch (request.path) {
      case '/v1internal:loadCodeAssist':
        return handleLoad(response);
      case '/v1internal:onboardUser':
        return handleOnboard(response);
      case '/v1internal:generateContent':
        return handleGeneration(request, response, false);
      case '/v1internal:streamGenerateContent':
        return handleGeneration(request, response, true);
      case '/v1internal:countTokens':
        return sendJson(response, 200, { totalTokens: 7 });
      case '/v1internal:retrieveUserQuota':
        return sendJson(response, 200, {
          buckets: [{ modelId: 'gemini-2.5-flash', tokenType: 'REQUESTS', remainingFraction: 0.5, resetTime: '2030-01-01T00:00:00Z' }],
        });
      default:
        return sendJson(response, 404, { error: { code: 404, message: `no route ${request.path}`, status: 'NOT_FOUND' } });
    }
  });

  return {
    url: server.url,
    requests: server.requests,
    accessTokens,
    refreshTokens,
    enqueueGeneration: (...handlers) => generationQueue.push(...handlers),
    calls: (path) => server.requests.filter((request) => request.path === path),
    close: () => server.close(),
  };
}
