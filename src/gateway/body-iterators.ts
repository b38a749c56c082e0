import type { ProtocolId } from '../protocols/protocol-id.js';
import { parseSseFrame } from '../protocols/sse/sse-frame-splitter.js';
import { clientClosedError } from '../upstream/transport-error.js';
import { extractStreamDeltaText } from './prompt-text.js';

/** Small async-iterator pieces the gateway wraps around upstream bodies. */

/** The last two chunks of a body (where its usage object is), kept without copying. */
export interface ChunkTail {
  previous?: Buffer;
  last?: Buffer;
}

/** Passes chunks on, keeping a copy when `chunks` is given (the body's failures are already classified by the edge). */
export async function* collectInto(body: AsyncIterable<Buffer>, chunks: Buffer[] | undefined, tail?: ChunkTail): AsyncGenerator<Buffer> {
  for await (const chunk of body) {
    chunks?.push(chunk);
    if (tail) {
      tail.previous = tail.last;
      tail.last = chunk;
    }
    yield chunk;
  }
}

/** Prompt logging for converted streams: reads the text back out of the client-protocol frames. */
export async function* tapText(frames: AsyncIterable<string>, protocol: ProtocolId, onText: (text: string) => void): AsyncGenerator<string> {
  for await (const text of frames) {
    for (const block of text.split(/\n\n/)) {
      const { data } = parseSseFrame(block);
      if (!data || data === '[DONE]') continue;
      try {
        onText(extractStreamDeltaText(protocol, JSON.parse(data)));
      } catch {
        // Not JSON: nothing to log.
      }
    }
    yield text;
  }
}

/**
 * Calls `done` exactly once when the iteration ends, fails, or is abandoned by the consumer, even when
 * the consumer gives up before the first `next()` (a generator never started skips its `finally`).
 */
export function settleWhenDone<T>(source: AsyncIterable<T>, done: (error: unknown) => void): AsyncGenerator<T> {
  let settled = false;
  const settle = (error: unknown) => {
    if (settled) return;
    settled = true;
    done(error);
  };
  let started = false;
  async function* run(): AsyncGenerator<T> {
    started = true;
    let outcome: { error: unknown } | undefined;
    try {
      for await (const item of source) yield item;
      outcome = { error: undefined };
    } catch (error) {
      outcome = { error };
      throw error;
    } finally {
      settle(outcome === undefined ? clientClosedError() : outcome.error);
    }
  }
  const generator = run();
  const stop = generator.return.bind(generator);
  generator.return = async (value) => {
    // Abandoned before the first next(): the upstream body was never read, so it is closed here.
    if (!started) void Promise.resolve(source[Symbol.asyncIterator]().return?.()).catch(() => undefined);
    const result = await stop(value);
    settle(clientClosedError());
    return result;
  };
  return generator;
}
