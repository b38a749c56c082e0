/**
 * The canonical middle of protocol conversion. The gateway's flow for one request:
 *
 *   const client = getCodec(clientProtocol), backend = getCodec(backendProtocol);
 *   const request = client.decodeRequest(body, { model, stream });      // Gemini: model/stream from the URL
 *   const upstreamBody = backend.encodeRequest({ ...request, model: resolvedModel });
 *   // non-stream: client.encodeResponse(backend.decodeResponse(json), request)
 *   // stream: createStreamTranscoder(backend, client, request, { format }) per response; push(frame) per
 *   //         upstream SSE frame, end() when the body ends, error(e) on a failure after the first byte.
 *
 * When clientProtocol === backendProtocol the body should pass through untouched (no codec).
 */
export * from './types.js';
export { collectStream, responseToStreamEvents, emptyUsage, totalTokens } from './stream-collect.js';
export { signatureForClient, signatureFromClient, readSignature } from './signatures.js';
export { createStreamTranscoder, parseSseText, transcodeSseText } from './transcode.js';
export { estimateInputTokens } from './estimate-tokens.js';
export { encodeModelList, type ModelInfo } from './model-list.js';
