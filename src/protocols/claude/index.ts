import type { ProtocolCodec } from '../canonical/types.js';
import { decodeClaudeRequest } from './claude-decode-request.js';
import { createClaudeStreamDecoder } from './claude-decode-stream.js';
import { encodeClaudeRequest } from './claude-encode-request.js';
import { createClaudeStreamEncoder } from './claude-encode-stream.js';
import { decodeClaudeResponse, encodeClaudeResponse } from './claude-response.js';

export const claudeCodec: ProtocolCodec = {
  id: 'claude',
  decodeRequest: decodeClaudeRequest,
  encodeRequest: encodeClaudeRequest,
  decodeResponse: decodeClaudeResponse,
  encodeResponse: encodeClaudeResponse,
  createStreamDecoder: () => createClaudeStreamDecoder(),
  createStreamEncoder: (request) => createClaudeStreamEncoder(request),
};

export { mapClaudeStopReason, toClaudeStopReason, defaultClaudeMaxTokens } from './claude-mappings.js';
