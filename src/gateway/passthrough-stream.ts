import { GatewayError } from '../errors/gateway-error.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { SseFrameSplitter, parseSseFrame } from '../protocols/sse/sse-frame-splitter.js';
import { extractStreamDeltaText } from './prompt-text.js';
import type { StreamUsageScanner } from './usage-scan.js';

const DONE_FRAME = 'data: [DONE]\n\n';
const FINISH_REASON_MARK = Buffer.from('"finish_reason":"');
const EMPTY_CHOICES_MARK = Buffer.from('"choices":[]');

export interface PassthroughOptions {
  readonly protocol: ProtocolId;
  readonly providerType: string;
  /** Receives output text when prompt logging is on; undefined keeps the hot path free of parsing. */
  readonly onText?: (text: string) => void;
  /** Reads token counts from the frames that carry them. */
  readonly usage?: StreamUsageScanner;
  /** The gateway asked an OpenAI-compatible upstream for usage: its usage-only chunk is not forwarded. */
  readonly dropUsageChunk?: boolean;
}

function spanOf(frames: Buffer[]): Buffer {
  const first = frames[0] as Buffer;
  const last = frames[frames.length - 1] as Buffer;
  if (first.buffer !== last.buffer) return Buffer.concat(frames);
  return Buffer.from(first.buffer, first.byteOffset, last.byteOffset + last.length - first.byteOffset);
}

function truncatedStream(providerType: string): GatewayError {
  return new GatewayError('upstream_stream_truncated', 'upstream', `${providerType} stream ended before its end marker`, {
    status: 502,
    scope: 'account',
  });
}

/**
 * Forwards an upstream SSE stream frame by frame, bytes untouched, as soon as each frame is complete,
 * and makes sure the client sees exactly one proper ending: a missing `[DONE]` after a finished
 * OpenAI stream is added, a stream cut short becomes an error (the server renders it as an error event).
 */
export async function* passthroughFrames(body: AsyncIterable<Buffer>, options: PassthroughOptions): AsyncGenerator<Buffer | string> {
  const splitter = new SseFrameSplitter();
  const { protocol, onText, usage, dropUsageChunk } = options;
  let lastFrame: Buffer | undefined;
  let sawFinishReason = false;
  /** Inspects one frame; returns false when it is the usage chunk the client did not ask for. */
  const inspect = (frame: Buffer): boolean => {
    lastFrame = frame;
    if (usage?.frame(frame) && dropUsageChunk && frame.indexOf(EMPTY_CHOICES_MARK) !== -1) return false;
    if (protocol === 'openai-chat' && !sawFinishReason && frame.indexOf(FINISH_REASON_MARK) !== -1) sawFinishReason = true;
    if (onText) {
      const { data } = parseSseFrame(frame.toString('utf8'));
      if (data && data !== '[DONE]') {
        try {
          onText(extractStreamDeltaText(protocol, JSON.parse(data)));
        } catch {
          // A frame that is not JSON has no text to log.
        }
      }
    }
    return true;
  };
  // The body's own failures arrive classified (GatewayError) from the edge; anything else thrown here is ours.
  for await (const chunk of body) {
    const frames = splitter.push(chunk);
    let dropped = -1;
    for (let index = 0; index < frames.length; index += 1) if (!inspect(frames[index] as Buffer)) dropped = index;
    if (dropped !== -1) {
      // Once per stream at most: forward what surrounds the dropped frame, in one write.
      const before = frames.slice(0, dropped);
      const after = frames.slice(dropped + 1);
      if (before.length > 0 && after.length > 0) yield Buffer.concat([spanOf(before), spanOf(after)]);
      else if (before.length > 0) yield spanOf(before);
      else if (after.length > 0) yield spanOf(after);
      continue;
    }
    // One write per upstream chunk keeps syscalls down while never holding back a complete frame.
    // The frames are adjacent views of one buffer, so their span is forwarded without copying.
    if (frames.length === 1) yield frames[0] as Buffer;
    else if (frames.length > 1) yield spanOf(frames);
  }
  const rest = splitter.flush();
  if (rest && inspect(rest)) yield Buffer.concat([rest, Buffer.from('\n\n')]);
  const lastText = lastFrame?.toString('utf8') ?? '';
  if (protocol === 'openai-chat') {
    if (parseSseFrame(lastText).data === '[DONE]') return;
    if (sawFinishReason) {
      yield DONE_FRAME;
      return;
    }
    throw truncatedStream(options.providerType);
  }
  if (protocol === 'claude') {
    const { event, data } = parseSseFrame(lastText);
    if (event === 'message_stop' || event === 'error' || data?.includes('"type":"message_stop"')) return;
    throw truncatedStream(options.providerType);
  }
}
