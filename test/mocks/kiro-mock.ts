import type { ServerResponse } from 'node:http';
import { contextUsageFrame, meteringFrame, textFrame } from './kiro-event-stream.js';
import { sendJson, startMockServer, type MockHandler, type MockServer, type RecordedRequest } from './mock-server.js';

/** What the mock Kiro service considers valid right now; tests change it to script token life. */
export interface KiroMockState {
  accessToken: string;
  refreshToken: string;
  profileArn: string | undefined;
  clientId: string;
  clientSecret: string;
  /** How a wrong access token is refused: 401, or Kiro's 403 naming the token invalid. */
  rejectWith: 401 | 403;
  /** Delay of the refresh endpoints, to let concurrent requests pile up behind one refresh. */
  refreshDelayMs: number;
  rotations: number;
}

export interface KiroMock {
  readonly url: string;
  readonly chatUrl: string;
  readonly refreshUrl: string;
  readonly idcRefreshUrl: string;
  readonly state: KiroMockState;
  readonly server: MockServer;
  /** Scripted answers for the chat route, used once each in order; then the default greeting. */
  enqueueChat(...handlers: MockHandler[]): void;
  requests(path: string): RecordedRequest[];
  close(): Promise<void>;
}

export const KIRO_USER_AGENT = /^aws-sdk-js\/1\.0\.34 KiroIDE-[\d.]+-[0-9a-f]{64}$/;

function hasNull(value: unknown): boolean {
  if (value === null) return true;
  if (Array.isArray(value)) return value.some(hasNull);
  if (typeof value === 'object') return Object.values(value as object).some(hasNull);
  return false;
}

/** The request invariants of providers.md §7.4/§9.2; a violation gets Kiro's real 400. */
export function conversationStateProblems(body: Record<string, any>, profileArn: string | undefined): string[] {
  const problems: string[] = [];
  const state = body.conversationState;
  if (!state) return ['no conversationState'];
  if (state.agentTaskType !== 'vibe') problems.push('agentTaskType');
  if (state.chatTriggerType !== 'MANUAL') problems.push('chatTriggerType');
  const current = state.currentMessage?.userInputMessage;
  if (!current || typeof current.content !== 'string' || current.content === '') problems.push('current content empty');
  const tools = current?.userInputMessageContext?.tools;
  if (!Array.isArray(tools) || tools.length === 0) problems.push('no tools');
  for (const tool of tools ?? []) if (tool.toolSpecification.name.length > 64) problems.push('tool name > 64');
  for (const tool of tools ?? []) if (tool.toolSpecification.description.length > 9216 + 3) problems.push('description too long');
  const history: any[] = state.history ?? [];
  if ('history' in state && history.length === 0) problems.push('empty history array');
  history.forEach((entry, index) => {
    const expected = index % 2 === 0 ? 'userInputMessage' : 'assistantResponseMessage';
    if (!(expected in entry)) problems.push(`history[${index}] is not ${expected}`);
  });
  if (history.length > 0 && !('assistantResponseMessage' in history.at(-1))) problems.push('history does not end with assistant');
  const ids = [...history.map((entry) => entry.userInputMessage), current]
    .flatMap((message) => message?.userInputMessageContext?.toolResults ?? [])
    .map((result: { toolUseId: string }) => result.toolUseId);
  if (new Set(ids).size !== ids.length) problems.push('duplicate toolUseIds');
  if (hasNull(body)) problems.push('null value');
  if (profileArn !== undefined && body.profileArn !== profileArn) problems.push('profileArn missing');
  return problems;
}

/** Writes event-stream frames; `chunkSize` cuts the bytes anywhere, as TCP may. */
export async function sendFrames(response: ServerResponse, frames: readonly Buffer[], options: { chunkSize?: number; pauseMs?: number } = {}): Promise<void> {
  response.writeHead(200, { 'content-type': 'application/vnd.amazon.eventstream' });
  const bytes = Buffer.concat(frames);
  const size = options.chunkSize ?? bytes.length;
  for (let offset = 0; offset < bytes.length; offset += size) {
    if (response.destroyed) return;
    response.write(bytes.subarray(offset, offset + size));
    if (options.pauseMs !== undefined) await new Promise((resolve) => setTimeout(resolve, options.pauseMs));
  }
  response.end();
}

export const framesHandler =
  (frames: readonly Buffer[], options?: { chunkSize?: number; pauseMs?: number }): MockHandler =>
  (_request, response) =>
    sendFrames(response, frames, options);

export const kiroErrorHandler =
  (status: number, message: string, headers: Record<string, string> = {}): MockHandler =>
  (_request, response) =>
    sendJson(response, status, { message, reason: null }, headers);

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback Kiro: chat (binary event stream), social refresh, IdC token endpoint, usage limits. */
export async function startKiroMock(initial: Partial<KiroMockState> = {}): Promise<KiroMock> {
  const state: KiroMockState = {
    accessToken: 'access-0',
    refreshToken: 'refresh-0',
    profileArn: 'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE',
    clientId: 'client-id-1',
    clientSecret: 'client-secret-1',
    rejectWith: 403,
    refreshDelayMs: 0,
    rotations: 0,
    ...initial,
  };
  const chatQueue: MockHandler[] = [];
  const rotate = () => {
    state.rotations += 1;
    state.accessToken = `access-${state.rotations}`;
    state.refreshToken = `refresh-${state.rotations}`;
  };
  const server = await startMockServer(async (request, response) => {
    if (request.path === '/generateAssistantResponse') {
      if (request.headers.authorization !== `Bearer ${state.accessToken}`) {
        return state.rejectWith === 401
          ? sendJson(response, 401, { message: 'Unauthorized', reason: null })
          : sendJson(response, 403, { message: 'The bearer token included in the request is invalid.', reason: null });
      }
      if (!KIRO_USER_AGENT.test(String(request.headers['x-amz-user-agent'])) || request.headers['x-amzn-kiro-agent-mode'] !== 'vibe') {
        return sendJson(response, 403, { message: 'User is not authorized to make this call.', reason: null });
      }
      const problems = conversationStateProblems(request.json(), state.profileArn);
      if (problems.length > 0) {
        return sendJson(response, 400, { message: 'Improperly formed request.', reason: null, problems });
      }
      const scripted = chatQueue.shift();
      if (scripted) return scripted(request, response);
      return sendFrames(response, [textFrame('Hello '), textFrame('from '), textFrame('kiro-mock!'), meteringFrame(0.01), contextUsageFrame(1.5)]);
    }
    if (request.path === '/refreshToken') {
      await pause(state.refreshDelayMs);
      const body = request.json<{ refreshToken?: string }>();
      if (body.refreshToken !== state.refreshToken) return sendJson(response, 401, { message: 'Invalid refresh token' });
      rotate();
      return sendJson(response, 200, { accessToken: state.accessToken, refreshToken: state.refreshToken, profileArn: state.profileArn, expiresIn: 3600 });
    }
    if (request.path === '/token') {
      await pause(state.refreshDelayMs);
      const body = request.json<Record<string, string>>();
      if (body.grantType !== 'refresh_token' || body.clientId !== state.clientId || body.clientSecret !== state.clientSecret) {
        return sendJson(response, 400, { error: 'invalid_client', error_description: 'Invalid client' });
      }
      if (body.refreshToken !== state.refreshToken) return sendJson(response, 400, { error: 'invalid_grant', error_description: 'Invalid refresh token' });
      rotate();
      return sendJson(response, 200, { accessToken: state.accessToken, refreshToken: state.refreshToken, expiresIn: 3600, tokenType: 'Bearer' });
    }
    if (request.path === '/getUsageLimits') {
      return sendJson(response, 200, {
        nextDateReset: 1_767_225_600,
        subscriptionInfo: { subscriptionTitle: 'KIRO FREE' },
        usageBreakdownList: [{ resourceType: 'CREDIT', currentUsage: 12, usageLimit: 50, nextDateReset: 1_767_225_600 }],
      });
    }
    return sendJson(response, 404, { message: `no route ${request.path}` });
  });
  return {
    url: server.url,
    chatUrl: `${server.url}/generateAssistantResponse`,
    refreshUrl: `${server.url}/refreshToken`,
    idcRefreshUrl: `${server.url}/token`,
    state,
    server,
    enqueueChat: (...handlers) => chatQueue.push(...handlers),
    requests: (path) => server.requests.filter((request) => request.path === path),
    close: () => server.close(),
  };
}
