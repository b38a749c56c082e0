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
 * the consumer gives up before the first `next()` (a generator would skip its `finally` then).
 */
export function settleWhenDone<T>(source: AsyncIterable<T>, done: (error: unknown) => void): AsyncIterableIterator<T> {
  return new SettlingIterator(source, done);
}

/**
 * A plain iterator object rather than an async generator: it is on every answer's path, and a wrapper
 * generator (its own promise queue and resumption per chunk) cost tens of microseconds per request.
 */
class SettlingIterator<T> implements AsyncIterableIterator<T> {
  #iterator: AsyncIterator<T> | undefined;
  #settled = false;

  constructor(
    private readonly source: AsyncIterable<T>,
    private readonly done: (error: unknown) => void,
  ) {}

  [Symbol.asyncIterator](): this {
    return this;
  }

  async next(): Promise<IteratorResult<T>> {
    if (this.#settled) return { done: true, value: undefined };
    let result: IteratorResult<T>;
    try {
      result = await this.#source().next();
    } catch (error) {
      this.#settle(error);
      throw error;
    }
    if (result.done) this.#settle(undefined);
    return result;
  }

  async return(value?: unknown): Promise<IteratorResult<T>> {
    try {
      // Also when never started: the upstream body was never read, so it is closed here.
      await this.#source().return?.();
    } catch {
      // Closing a body that already failed: nothing more to do.
    } finally {
      // The error is built only when it is news: an Error captures a stack.
      if (!this.#settled) this.#settle(clientClosedError());
    }
    return { done: true, value: value as T };
  }

  #source(): AsyncIterator<T> {
    this.#iterator ??= this.source[Symbol.asyncIterator]();
    return this.#iterator;
  }

  #settle(error: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    this.done(error);
  }
}
