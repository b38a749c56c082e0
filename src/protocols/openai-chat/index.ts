import type { ProtocolCodec } from '../canonical/types.js';
import { decodeOpenAIChatRequest } from './openai-chat-decode-request.js';
import { createOpenAIChatStreamDecoder } from './openai-chat-decode-stream.js';
import { encodeOpenAIChatRequest } from './openai-chat-encode-request.js';
import { createOpenAIChatStreamEncoder } from './openai-chat-encode-stream.js';
import { decodeOpenAIChatResponse, encodeOpenAIChatResponse } from './openai-chat-response.js';

export const openaiChatCodec: ProtocolCodec = {
  id: 'openai-chat',
  decodeRequest: decodeOpenAIChatRequest,
  encodeRequest: encodeOpenAIChatRequest,
  decodeResponse: decodeOpenAIChatResponse,
  encodeResponse: encodeOpenAIChatResponse,
  createStreamDecoder: () => createOpenAIChatStreamDecoder(),
  createStreamEncoder: (request) => createOpenAIChatStreamEncoder(request),
};

export { mapOpenAIFinishReason, toOpenAIFinishReason } from './openai-chat-mappings.js';
