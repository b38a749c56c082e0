import type { GatewayError } from '../errors/gateway-error.js';
import { claudeErrorBody, geminiErrorBody, openaiErrorBody } from '../protocols/error-bodies.js';

/** In-stream error events, for failures after the first byte of a passthrough stream. */
export function renderOpenAiStreamError(error: GatewayError): string {
  return `data: ${JSON.stringify(openaiErrorBody(error))}\n\n`;
}

export function renderClaudeStreamError(error: GatewayError): string {
  return `event: error\ndata: ${JSON.stringify(claudeErrorBody(error))}\n\n`;
}

export function renderGeminiStreamError(error: GatewayError): string {
  return `data: ${JSON.stringify(geminiErrorBody(error))}\n\n`;
}
