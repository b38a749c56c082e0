import { createStreamTranscoder } from '../protocols/canonical/transcode.js';
import type { CanonicalRequest, CanonicalResponse, StreamEncoderOptions, StreamEvent, Usage } from '../protocols/canonical/types.js';
import { getCodec } from '../protocols/codecs.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { SseFrameSplitter, parseSseFrame } from '../protocols/sse/sse-frame-splitter.js';
import { GatewayError, isGatewayError } from '../errors/gateway-error.js';

/** A client request decoded to the canonical form and re-encoded for the backend's protocol. */
export interface ConvertedRequest {
  readonly canonical: CanonicalRequest;
  readonly body: Buffer;
}

export function convertRequest(
  clientProtocol: ProtocolId,
  backendProtocol: ProtocolId,
  clientBody: Record<string, unknown>,
  context: { model: string | undefined; stream: boolean },
): ConvertedRequest {
  const canonical = getCodec(clientProtocol).decodeRequest(clientBody, { model: context.model, stream: context.stream });
  if (context.model !== undefined) canonical.model = context.model;
  canonical.stream = context.stream;
  const body = getCodec(backendProtocol).encodeRequest(canonical);
  return { canonical, body: Buffer.from(JSON.stringify(body)) };
}

export interface ConvertedStream {
  readonly frames: AsyncGenerator<string>;
  readonly renderError: (error: GatewayError) => string;
}

/**
 * Re-encodes an upstream SSE stream event by event: each complete upstream frame is decoded by the
 * backend codec and written in the client's protocol before the next one is read.
 */
export function convertStream(options: {
  body: AsyncIterable<Buffer>;
  clientProtocol: ProtocolId;
  backendProtocol: ProtocolId;
  canonical: CanonicalRequest;
  encoderOptions?: StreamEncoderOptions;
  /** Receives the backend's token counts when the stream ends (also when it ends early). */
  onUsage?: (usage: Usage | undefined) => void;
}): ConvertedStream {
  const { onUsage } = options;
  let usage: Usage | undefined;
  const observe = onUsage
    ? (event: StreamEvent) => {
        if (event.type === 'finish') usage = event.usage;
        else if (event.type === 'message-start' && event.usage) usage = { inputTokens: 0, outputTokens: 0, ...event.usage };
      }
    : undefined;
  const transcoder = createStreamTranscoder(
    getCodec(options.backendProtocol),
    getCodec(options.clientProtocol),
    options.canonical,
    options.encoderOptions,
    observe,
  );
  async function* frames(): AsyncGenerator<string> {
    const splitter = new SseFrameSplitter();
    // The body's own failures arrive classified (GatewayError) from the edge; a codec that throws is a gateway bug.
    try {
      for await (const chunk of options.body) {
        let out = '';
        for (const frame of splitter.push(chunk)) out += transcoder.push(parseSseFrame(frame.toString('utf8')));
        if (out !== '') yield out;
      }
    } finally {
      onUsage?.(usage);
    }
    const rest = splitter.flush();
    let tail = rest ? transcoder.push(parseSseFrame(rest.toString('utf8'))) : '';
    tail += transcoder.end();
    onUsage?.(usage);
    if (tail !== '') yield tail;
  }
  return { frames: frames(), renderError: (error) => transcoder.error(error) };
}

/** Converts a complete upstream JSON answer (non-streaming requests) into the client's protocol. */
export function convertResponse(
  upstreamJson: Buffer,
  clientProtocol: ProtocolId,
  backendProtocol: ProtocolId,
  canonical: CanonicalRequest,
  onUsage?: (usage: Usage | undefined) => void,
): Buffer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(upstreamJson.toString('utf8'));
  } catch {
    throw unreadableAnswer('is not JSON');
  }
  let decoded: CanonicalResponse;
  try {
    decoded = getCodec(backendProtocol).decodeResponse(parsed);
  } catch (error) {
    if (isGatewayError(error)) throw error;
    throw unreadableAnswer(`does not have the ${backendProtocol} response shape`);
  }
  onUsage?.(decoded.usage);
  return Buffer.from(JSON.stringify(getCodec(clientProtocol).encodeResponse(decoded, canonical)));
}

/** A 200 whose body cannot be read is the upstream's (this account's) failure, never the client's or a network one. */
function unreadableAnswer(what: string): GatewayError {
  return new GatewayError('upstream_invalid_body', 'upstream', `The upstream answered 200 but its body ${what}`, { status: 502, scope: 'account' });
}
