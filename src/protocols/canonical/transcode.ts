import type { GatewayError } from '../../errors/gateway-error.js';
import { parseSseFrame, type SseFrame } from '../sse/sse-frame-splitter.js';
import type { CanonicalRequest, ProtocolCodec, StreamEncoderOptions, StreamEvent } from './types.js';

/**
 * Joins a backend codec's stream decoder to a client codec's stream encoder: frames in, client text out.
 * `request` is the client's canonical request.
 */
export function createStreamTranscoder(
  backend: ProtocolCodec,
  client: ProtocolCodec,
  request: CanonicalRequest,
  options?: StreamEncoderOptions,
  /** Sees each decoded event before it is encoded (the gateway reads usage here). */
  observe?: (event: StreamEvent) => void,
): { push(frame: SseFrame): string; end(): string; error(error: GatewayError): string } {
  const decoder = backend.createStreamDecoder(request);
  const encoder = client.createStreamEncoder(request, options);
  const encode = observe
    ? (event: StreamEvent) => {
        observe(event);
        return encoder.encode(event);
      }
    : (event: StreamEvent) => encoder.encode(event);
  return {
    push: (frame) => decoder.decode(frame).map(encode).join(''),
    end: () => decoder.end().map(encode).join('') + encoder.end(),
    error: (error) => encoder.error(error),
  };
}

/** Splits a whole SSE text (LF or CRLF framing) into parsed frames; for tests and buffered bodies. */
export function parseSseText(text: string): SseFrame[] {
  return text
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map((block) => parseSseFrame(block));
}

/** Runs a whole upstream SSE text through a transcoder and returns what the client would read. */
export function transcodeSseText(
  backend: ProtocolCodec,
  client: ProtocolCodec,
  request: CanonicalRequest,
  upstream: string,
  options?: StreamEncoderOptions,
): string {
  const transcoder = createStreamTranscoder(backend, client, request, options);
  return (
    parseSseText(upstream)
      .map((frame) => transcoder.push(frame))
      .join('') + transcoder.end()
  );
}
