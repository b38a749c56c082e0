import type { ProtocolCodec } from '../canonical/types.js';
import { decodeResponsesRequest } from './responses-decode-request.js';
import { createResponsesStreamDecoder } from './responses-decode-stream.js';
import { encodeResponsesRequest } from './responses-encode-request.js';
import { createResponsesStreamEncoder } from './responses-encode-stream.js';
import { decodeResponsesResponse, encodeResponsesResponse } from './responses-response.js';

export const openaiResponsesCodec: ProtocolCodec = {
  id: 'openai-responses',
  decodeRequest: decodeResponsesRequest,
  encodeRequest: encodeResponsesRequest,
  decodeResponse: decodeResponsesResponse,
  encodeResponse: encodeResponsesResponse,
  createStreamDecoder: () => createResponsesStreamDecoder(),
  createStreamEncoder: (request) => createResponsesStreamEncoder(request),
};
