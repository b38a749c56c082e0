import { randomUUID } from 'node:crypto';
import { GatewayError, kindFromStatus } from '../../errors/gateway-error.js';
import { PROVIDER_TYPE } from './gemini-settings.js';
import { jsonSyntaxErrorWhere } from '../../json/json-syntax-error.js';

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `models/gemini-2.5-pro` and `gemini-2.5-pro` name the same model; Code Assist wants the bare id. */
export function normalizeModelId(model: string): string {
  return model.trim().replace(/^models\//, '');
}

/** Thinking output is only returned when asked for; these models think, so a thinking budget implies it. */
function isThinkingModel(model: string): boolean {
  return model.startsWith('gemini-3') || model.startsWith('gemini-2.5-') || model.includes('-thinking');
}

/**
 * Normalises a public-API GenerateContentRequest the way Code Assist expects it: no top-level
 * model or gateway-internal `_` fields, camelCase systemInstruction with a role, a role on every
 * content, and includeThoughts when a thinking budget or level was requested. Everything else,
 * including thoughtSignature values, is passed on untouched.
 */
export function normalizeGenerateRequest(model: string, input: Json): Json {
  const request: Json = {};
  for (const key in input) if (key !== 'model' && key.charCodeAt(0) !== 0x5f) request[key] = input[key];
  if (request.system_instruction !== undefined && request.systemInstruction === undefined) request.systemInstruction = request.system_instruction;
  delete request.system_instruction;
  if (typeof request.systemInstruction === 'string') request.systemInstruction = { parts: [{ text: request.systemInstruction }] };
  if (isObject(request.systemInstruction) && request.systemInstruction.role === undefined) {
    request.systemInstruction = { role: 'user', ...request.systemInstruction };
  }
  if (Array.isArray(request.contents)) {
    request.contents = request.contents.map((content) => (isObject(content) && content.role === undefined ? { role: 'user', ...content } : content));
  }
  const generationConfig = request.generationConfig;
  if (isThinkingModel(model) && isObject(generationConfig) && isObject(generationConfig.thinkingConfig)) {
    const thinking = generationConfig.thinkingConfig;
    const wantsThinking = thinking.thinkingLevel !== undefined || (typeof thinking.thinkingBudget === 'number' && thinking.thinkingBudget !== 0);
    if (wantsThinking && thinking.includeThoughts === undefined) {
      request.generationConfig = { ...generationConfig, thinkingConfig: { ...thinking, includeThoughts: true } };
    }
  }
  return request;
}

export function parseJsonObject(body: Buffer, what: string): Json {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new GatewayError('invalid_json', 'invalid_request', `${what} is not valid JSON (${jsonSyntaxErrorWhere(error, body.toString('utf8'))})`, {
      status: 400,
      scope: 'request',
    });
  }
  if (!isObject(parsed)) throw new GatewayError('invalid_json', 'invalid_request', `${what} must be a JSON object`, { status: 400, scope: 'request' });
  return parsed;
}

/** Parses and normalises the client's Gemini body (a malformed one fails before any upstream call). */
export function prepareGenerateRequest(model: string, body: Buffer): Json {
  return normalizeGenerateRequest(model, parseJsonObject(body, 'The Gemini request body'));
}

/** The Code Assist envelope around a Gemini request, as Gemini CLI sends it. */
export function wrapGenerateRequest(model: string, project: string, request: Json): string {
  return JSON.stringify({ model, project, user_prompt_id: randomUUID(), request });
}

/** Code Assist's countTokens takes the model inside the request, with the `models/` prefix. */
export function wrapCountTokensRequest(model: string, body: Buffer): string {
  const input = parseJsonObject(body, 'The countTokens body');
  const inner = isObject(input.generateContentRequest) ? input.generateContentRequest : input;
  return JSON.stringify({ request: { model: `models/${model}`, contents: Array.isArray(inner.contents) ? inner.contents : [] } });
}

/**
 * The GenerateContentResponse inside `{response, traceId}`. The whole inner object is kept (the
 * public API also returns modelVersion and responseId); an event carrying `error` instead is raised.
 */
export function unwrapResponse(envelope: unknown): Json {
  if (isObject(envelope) && isObject(envelope.response)) return envelope.response;
  if (isObject(envelope) && isObject(envelope.error)) {
    const error = envelope.error;
    const status = typeof error.code === 'number' && error.code >= 400 && error.code < 600 ? error.code : 502;
    throw new GatewayError(`upstream_${status}`, kindFromStatus(status), typeof error.message === 'string' ? error.message : 'Code Assist returned an error', {
      status,
      upstreamType: typeof error.status === 'string' ? error.status : undefined,
      scope: 'account',
    });
  }
  throw new GatewayError('upstream_invalid_response', 'upstream', `${PROVIDER_TYPE}: Code Assist answered without a "response" object`, {
    status: 502,
    scope: 'account',
  });
}
