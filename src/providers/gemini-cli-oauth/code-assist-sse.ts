import type { Logger } from 'pino';
import { SseFrameSplitter, parseSseFrame } from '../../protocols/sse/sse-frame-splitter.js';
import { unwrapResponse } from './code-assist-envelope.js';
import { PROVIDER_TYPE } from './gemini-settings.js';

const CRLF_END = Buffer.from('\r\n\r\n');

/** Re-frames one upstream event as a plain Gemini SSE frame, in the upstream's own line ending. */
function reframe(frame: Buffer, logger: Logger): Buffer | undefined {
  const { data } = parseSseFrame(frame.toString('utf8'));
  if (data === undefined || data.trim() === '') return undefined; // comments and keep-alives
  let envelope: unknown;
  try {
    envelope = JSON.parse(data);
  } catch {
    logger.warn({ provider: PROVIDER_TYPE, bytes: data.length }, 'gemini-cli-oauth: skipped a stream event that is not JSON');
    return undefined;
  }
  const response = unwrapResponse(envelope);
  const ending = frame.subarray(-4).equals(CRLF_END) ? '\r\n\r\n' : '\n\n';
  return Buffer.from(`data: ${JSON.stringify(response)}${ending}`);
}

/**
 * Unwraps Code Assist's SSE stream incrementally: each `{response, traceId}` event becomes
 * `data: {GenerateContentResponse}` as the public Gemini API sends it, the moment the event's blank
 * line arrives. Chunk boundaries may fall anywhere (inside a CRLF, a UTF-8 character or a JSON
 * string), and an event's JSON may span several `data:` lines.
 */
export async function* unwrapCodeAssistStream(body: AsyncIterable<Buffer>, logger: Logger): AsyncGenerator<Buffer> {
  const splitter = new SseFrameSplitter();
  for await (const chunk of body) {
    const out: Buffer[] = [];
    for (const frame of splitter.push(chunk)) {
      const reframed = reframe(frame, logger);
      if (reframed) out.push(reframed);
    }
    // One yield per upstream chunk: no complete event is held back, and small events stay batched.
    if (out.length === 1) yield out[0]!;
    else if (out.length > 1) yield Buffer.concat(out);
  }
  const rest = splitter.flush();
  if (rest) {
    // A last event without its blank line: Google does not send one, but a proxy may cut it.
    const reframed = reframe(Buffer.concat([rest, Buffer.from('\n\n')]), logger);
    if (reframed) yield reframed;
  }
}
