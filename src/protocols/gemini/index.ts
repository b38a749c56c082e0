import type { ProtocolCodec } from '../canonical/types.js';
import { decodeGeminiRequest } from './gemini-decode-request.js';
import { createGeminiStreamDecoder } from './gemini-decode-stream.js';
import { encodeGeminiRequest } from './gemini-encode-request.js';
import { createGeminiStreamEncoder } from './gemini-encode-stream.js';
import { decodeGeminiResponse, encodeGeminiResponse } from './gemini-response.js';

/**
 * Gemini generateContent. The model and the stream flag come from the URL
 * (`/v1beta/models/{model}:streamGenerateContent`), passed in the decode context; encodeRequest does not
 * put the model in the body.
 */
export const geminiCodec: ProtocolCodec = {
  id: 'gemini',
  decodeRequest: decodeGeminiRequest,
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  encodeResponse: encodeGeminiResponse,
  createStreamDecoder: () => createGeminiStreamDecoder(),
  createStreamEncoder: (request, options) => createGeminiStreamEncoder(request, options),
};

export { toGeminiSchema, toGeminiParameters, fromGeminiSchema } from './gemini-schema.js';
export { SKIP_THOUGHT_SIGNATURE } from './gemini-encode-request.js';
