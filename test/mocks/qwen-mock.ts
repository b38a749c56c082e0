import { createHash } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { pause, sendJson, sendSse, startMockServer, type MockServer, type RecordedRequest } from './mock-server.js';
import { openaiChunk, openaiCompletion, openaiTextStream } from './openai-mock.js';

/** Qwen OAuth server plus its OpenAI-compatible chat endpoint, per providers.md §7.5, on one port. */
export const QWEN_CLIENT_ID = 'f0304373b74a44d2b584a3fb70ca9e56';
export const QWEN_DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

export interface QwenMockState {
  /** Access tokens the chat endpoint accepts. */
  readonly accessTokens: Set<string>;
  /** Refresh tokens the token endpoint accepts (each is rotated away when used). */
  readonly refreshTokens: Set<string>;
  /** Answers to device-grant polls before approval, consumed in order; empty means approved. */
  pollScript: Array<'authorization_pending' | 'slow_down' | 'expired_token' | 'access_denied'>;
  /** `interval` in the device-code answer (absent, as in the spec, when undefined). */
  interval: number | undefined;
  /** How long a refresh takes, so concurrent requests really overlap it. */
  refreshDelayMs: number;
  refreshCalls: number;
  /** PKCE challenge remembered per device code. */
  readonly challenges: Map<string, string>;
  issued: number;
}

export interface QwenMock extends MockServer {
  readonly state: QwenMockState;
  /** Makes a token pair valid, as if issued earlier. */
  grant(accessToken: string, refreshToken: string): void;
}

const AUTH_ERROR = { error: { code: 'invalid_api_key', message: 'invalid access token or token expired', type: 'invalid_request_error' } };
export const QUOTA_ERROR = { error: { code: 'insufficient_quota', message: 'Free allocated quota exceeded.', type: 'insufficient_quota' } };

function oauthError(response: ServerResponse, status: number, error: string, description?: string): void {
  sendJson(response, status, description ? { error, error_description: description } : { error });
}

function issueTokens(state: QwenMockState, url: string): Record<string, unknown> {
  state.issued += 1;
  const accessToken = `qa-${state.issued}`;
  const refreshToken = `qr-${state.issued}`;
  state.accessTokens.add(accessToken);
  state.refreshTokens.add(refreshToken);
  return { access_token: accessToken, refresh_token: refreshToken, token_type: 'Bearer', expires_in: 21600, resource_url: url };
}

function handleDeviceCode(state: QwenMockState, request: RecordedRequest, response: ServerResponse, url: string): void {
  const form = new URLSearchParams(request.body.toString('utf8'));
  if (form.get('client_id') !== QWEN_CLIENT_ID) return oauthError(response, 400, 'invalid_client', 'unknown client_id');
  const challenge = form.get('code_challenge');
  if (form.get('code_challenge_method') !== 'S256' || !challenge) return oauthError(response, 400, 'invalid_request', 'PKCE S256 required');
  const deviceCode = `dc${state.challenges.size + 1}`;
  state.challenges.set(deviceCode, challenge);
  sendJson(response, 200, {
    device_code: deviceCode,
    user_code: 'ABCD-EFGH',
    verification_uri: `${url}/authorize`,
    verification_uri_complete: `${url}/authorize?user_code=ABCD-EFGH`,
    expires_in: 900,
    ...(state.interval === undefined ? {} : { interval: state.interval }),
  });
}

async function handleToken(state: QwenMockState, request: RecordedRequest, response: ServerResponse, url: string): Promise<void> {
  const form = new URLSearchParams(request.body.toString('utf8'));
  if (form.get('client_id') !== QWEN_CLIENT_ID) return oauthError(response, 400, 'invalid_client', 'unknown client_id');
  const grant = form.get('grant_type');
  if (grant === QWEN_DEVICE_GRANT) {
    const challenge = state.challenges.get(form.get('device_code') ?? '');
    if (!challenge) return oauthError(response, 400, 'invalid_grant', 'unknown device_code');
    const verifier = form.get('code_verifier') ?? '';
    if (createHash('sha256').update(verifier).digest('base64url') !== challenge) {
      return oauthError(response, 400, 'invalid_grant', 'code_verifier does not match code_challenge');
    }
    const next = state.pollScript.shift();
    if (next === 'slow_down') return oauthError(response, 429, 'slow_down');
    if (next) return oauthError(response, 400, next);
    state.challenges.delete(form.get('device_code') ?? '');
    return sendJson(response, 200, issueTokens(state, url));
  }
  if (grant === 'refresh_token') {
    state.refreshCalls += 1;
    if (state.refreshDelayMs > 0) await pause(state.refreshDelayMs);
    const refreshToken = form.get('refresh_token') ?? '';
    if (!state.refreshTokens.delete(refreshToken)) {
      return oauthError(response, 400, 'invalid_request', 'Invalid refresh token or client_id');
    }
    return sendJson(response, 200, issueTokens(state, url));
  }
  oauthError(response, 400, 'unsupported_grant_type');
}

/** What the mock reports for streams (non-streaming answers report the OpenAI mock's usage). */
export const QWEN_MOCK_USAGE = { prompt_tokens: 11, completion_tokens: 3, total_tokens: 14, prompt_tokens_details: { cached_tokens: 4 } };

interface ChatBody {
  model: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  messages?: Array<{ role?: string }>;
  tools?: Array<{ function?: { name?: string } }>;
}

async function handleChat(state: QwenMockState, request: RecordedRequest, response: ServerResponse): Promise<void> {
  const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
  if (!state.accessTokens.has(token)) return sendJson(response, 401, AUTH_ERROR);
  if (request.headers['x-dashscope-authtype'] !== 'qwen-oauth') {
    return sendJson(response, 400, { error: { code: 'invalid_parameter_error', message: 'bad request', type: 'invalid_request_error' } });
  }
  const body = request.json<ChatBody>();
  // The real service's answer to OpenAI's `developer` role (CLIProxyAPI #930).
  if (body.messages?.some((message) => message.role === 'developer')) {
    return sendJson(response, 400, {
      error: {
        code: null,
        message: "developer is not one of ['system', 'assistant', 'user', 'tool', 'function'] - 'messages.['0].role'",
        type: 'invalid_request_error',
      },
    });
  }
  const tool = body.tools?.[0]?.function?.name;
  if (tool) {
    const call = { id: 'call_1', type: 'function', function: { name: tool, arguments: '{"city":"Paris"}' } };
    if (body.stream) {
      return sendSse(response, [
        openaiChunk(body.model, { role: 'assistant', tool_calls: [{ index: 0, ...call, function: { name: tool, arguments: '' } }] }),
        openaiChunk(body.model, { tool_calls: [{ index: 0, function: { arguments: '{"city":"Paris"}' } }] }),
        openaiChunk(body.model, {}, 'tool_calls'),
        'data: [DONE]\n\n',
      ]);
    }
    const completion = openaiCompletion(body.model);
    completion.choices = [{ index: 0, message: { role: 'assistant', content: null, tool_calls: [call] }, finish_reason: 'tool_calls' }];
    return sendJson(response, 200, completion);
  }
  // Like DashScope: usage in a last chunk only when the request asks for it.
  if (body.stream)
    return sendSse(response, openaiTextStream(body.model, ['Hello from ', 'qwen!'], body.stream_options?.include_usage ? QWEN_MOCK_USAGE : undefined));
  sendJson(response, 200, openaiCompletion(body.model, `Hello from qwen (${token})!`));
}

export async function startQwenMock(): Promise<QwenMock> {
  const state: QwenMockState = {
    accessTokens: new Set(),
    refreshTokens: new Set(),
    pollScript: [],
    interval: undefined,
    refreshDelayMs: 0,
    refreshCalls: 0,
    challenges: new Map(),
    issued: 0,
  };
  let url = '';
  const server = await startMockServer(async (request, response) => {
    if (request.method === 'POST' && request.path === '/api/v1/oauth2/device/code') return handleDeviceCode(state, request, response, url);
    if (request.method === 'POST' && request.path === '/api/v1/oauth2/token') return handleToken(state, request, response, url);
    if (request.method === 'POST' && request.path === '/v1/chat/completions') return handleChat(state, request, response);
    sendJson(response, 404, { error: { message: `no route ${request.path}`, type: 'invalid_request_error' } });
  });
  url = server.url;
  return Object.assign(server, {
    state,
    grant(accessToken: string, refreshToken: string) {
      state.accessTokens.add(accessToken);
      state.refreshTokens.add(refreshToken);
    },
  });
}
