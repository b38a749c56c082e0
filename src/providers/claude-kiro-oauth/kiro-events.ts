import { GatewayError } from '../../errors/gateway-error.js';
import type { EventStreamMessage } from './event-stream-decoder.js';

/** What one Kiro event-stream message means to us. */
export type KiroEvent =
  | { readonly type: 'text'; readonly text: string }
  | { readonly type: 'tool-use'; readonly toolUseId: string; readonly name: string; readonly input: string; readonly stop: boolean }
  | { readonly type: 'context-usage'; readonly percentage: number }
  | { readonly type: 'metering'; readonly usage: number }
  | { readonly type: 'error'; readonly error: GatewayError }
  | { readonly type: 'ignored'; readonly eventType: string };

function parsePayload(message: EventStreamMessage): Record<string, unknown> | undefined {
  if (message.payload.length === 0) return {};
  try {
    const parsed = JSON.parse(message.payload.toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

function headerText(message: EventStreamMessage, name: string): string | undefined {
  const value = message.headers[name];
  return typeof value === 'string' ? value : undefined;
}

/** Maps an exception frame's type to the error kind the pool acts on. */
export function kiroExceptionError(exceptionType: string, message: string): GatewayError {
  const text = `claude-kiro-oauth: ${exceptionType}: ${message}`;
  const lower = exceptionType.toLowerCase();
  if (lower.includes('throttl') || lower.includes('toomanyrequests')) {
    return new GatewayError('kiro_throttled', 'rate_limit', text, { status: 429, scope: 'account', upstreamType: exceptionType });
  }
  if (lower.includes('quota')) {
    return new GatewayError('kiro_quota_exhausted', 'quota', text, { status: 429, scope: 'account', upstreamType: exceptionType });
  }
  if (lower.includes('accessdenied') || lower.includes('unauthorized') || lower.includes('expiredtoken')) {
    return new GatewayError('kiro_access_denied', 'auth', text, { status: 403, scope: 'account', upstreamType: exceptionType });
  }
  if (lower.includes('validation') || lower.includes('contenttoolong') || lower.includes('badrequest')) {
    return new GatewayError('kiro_invalid_request', 'invalid_request', text, { status: 400, scope: 'request', upstreamType: exceptionType });
  }
  return new GatewayError('kiro_stream_exception', 'upstream', text, { status: 502, scope: 'account', upstreamType: exceptionType });
}

/**
 * Classifies a decoded frame by its `:message-type` and `:event-type` headers. Exception and error
 * frames become errors (the original never looked at them and lost them silently).
 */
export function readKiroEvent(message: EventStreamMessage): KiroEvent {
  const messageType = headerText(message, ':message-type') ?? 'event';
  const payload = parsePayload(message);
  if (messageType === 'exception') {
    const exceptionType = headerText(message, ':exception-type') ?? 'UnknownException';
    const text = typeof payload?.message === 'string' ? payload.message : message.payload.toString('utf8');
    return { type: 'error', error: kiroExceptionError(exceptionType, text) };
  }
  if (messageType === 'error') {
    const code = headerText(message, ':error-code') ?? 'UnknownError';
    return { type: 'error', error: kiroExceptionError(code, headerText(message, ':error-message') ?? '') };
  }
  const eventType = headerText(message, ':event-type') ?? '';
  if (payload === undefined) {
    return { type: 'error', error: kiroExceptionError('MalformedEvent', `${eventType || 'event'} payload is not a JSON object`) };
  }
  switch (eventType) {
    case 'assistantResponseEvent':
      return typeof payload.content === 'string' ? { type: 'text', text: payload.content } : { type: 'ignored', eventType };
    case 'toolUseEvent':
      return {
        type: 'tool-use',
        toolUseId: typeof payload.toolUseId === 'string' ? payload.toolUseId : '',
        name: typeof payload.name === 'string' ? payload.name : '',
        input: typeof payload.input === 'string' ? payload.input : payload.input === undefined ? '' : JSON.stringify(payload.input),
        stop: payload.stop === true,
      };
    case 'contextUsageEvent':
      return typeof payload.contextUsagePercentage === 'number'
        ? { type: 'context-usage', percentage: payload.contextUsagePercentage }
        : { type: 'ignored', eventType };
    case 'meteringEvent':
      return { type: 'metering', usage: typeof payload.usage === 'number' ? payload.usage : 0 };
    default:
      // followupPromptEvent, messageMetadataEvent, codeReferenceEvent, ...: nothing a Claude client shows.
      return { type: 'ignored', eventType };
  }
}
