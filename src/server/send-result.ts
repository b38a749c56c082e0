import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { FastifyReply } from 'fastify';
import type { GatewayResult } from '../gateway/gateway.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { errorBodyFor } from '../protocols/error-bodies.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { clientErrorOf } from './send-error.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/**
 * Pools file names (a uuid in any script) and an upstream's content-type may hold characters a header
 * cannot carry; writeHead would throw after the upstream already answered. Those are percent-encoded.
 */
function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value.replace(/[\ud800-\udfff]/g, '?'));
}

async function waitForDrain(response: ServerResponse): Promise<boolean> {
  if (response.destroyed) return false;
  const result = await Promise.race([once(response, 'drain').then(() => true), once(response, 'close').then(() => false)]);
  return result;
}

/**
 * Writes a stream straight to the socket: each frame as soon as it is ready, honouring backpressure.
 * A failure after the first byte becomes the protocol's error event, and the stream still ends cleanly.
 */
export async function sendStream(
  reply: FastifyReply,
  result: Extract<GatewayResult, { kind: 'stream' }>,
  renderErrorEvent: (error: GatewayError) => string,
): Promise<void> {
  const response = reply.raw;
  const log = reply.request.gatewayLog;
  reply.hijack();
  const headers: Record<string, string> = {
    ...(reply.getHeaders() as Record<string, string>),
    ...SSE_HEADERS,
    'x-aiclient-provider': headerSafe(result.provider),
  };
  if (result.contentType) headers['content-type'] = result.contentType;
  if (log.instanceId) headers['x-aiclient-instance'] = headerSafe(log.instanceId);
  try {
    response.writeHead(200, headers);
  } catch (error) {
    // The answer cannot start: the upstream stream is dropped unread (which settles its lease).
    void (result.frames as AsyncGenerator<unknown>).return?.(undefined)?.catch(() => undefined);
    response.destroy();
    throw error;
  }
  // Headers ride with the first frame when it is ready within this turn of the event loop (one write,
  // not two); otherwise they go out on their own right after it, so clients see the answer has begun.
  let wroteFrame = false;
  const flushHeaders = setImmediate(() => {
    if (!wroteFrame && !response.destroyed) response.flushHeaders();
  });
  try {
    for await (const frame of result.frames) {
      if (response.destroyed) break;
      if (!wroteFrame) {
        wroteFrame = true;
        log.firstByteAt = performance.now();
        clearImmediate(flushHeaders);
      }
      log.bytes += frame.length;
      if (!response.write(frame) && !(await waitForDrain(response))) break;
    }
  } catch (error) {
    const gatewayError = clientErrorOf(reply, error);
    if (gatewayError.code !== 'client_closed' && !response.destroyed) {
      const event = (result.renderError ?? renderErrorEvent)(gatewayError);
      log.bytes += event.length;
      response.write(event);
    }
  } finally {
    clearImmediate(flushHeaders);
    if (!response.destroyed) response.end();
  }
}

/**
 * Sends a complete (non-streamed) answer: the upstream's bytes written straight to the socket as they
 * arrive (no re-serialisation, no intermediate stream objects on the hot path). With a known length, or
 * when the body turns out to be a single chunk, the answer goes out with content-length in one write
 * instead of chunked framing.
 */
export async function sendJson(reply: FastifyReply, result: Extract<GatewayResult, { kind: 'json' }>, protocol: ProtocolId): Promise<void> {
  const response = reply.raw;
  const log = reply.request.gatewayLog;
  reply.hijack();
  const headers: Record<string, string | number> = {
    ...(reply.getHeaders() as Record<string, string>),
    'content-type': headerSafe(result.contentType),
    'x-aiclient-provider': headerSafe(result.provider),
  };
  if (log.instanceId) headers['x-aiclient-instance'] = headerSafe(log.instanceId);
  let started = false;
  const iterator = result.body[Symbol.asyncIterator]();
  try {
    let held: Buffer | undefined;
    if (result.contentLength === undefined) {
      // Hold the first chunk until the next one shows whether it was the whole body.
      const first = await iterator.next();
      if (first.done || response.destroyed) {
        if (!response.destroyed) {
          response.writeHead(200, { ...headers, 'content-length': 0 });
          response.end();
        }
        return;
      }
      held = first.value;
      log.firstByteAt = performance.now();
      const second = await iterator.next();
      if (second.done) {
        if (response.destroyed) return;
        log.bytes += held.length;
        response.writeHead(200, { ...headers, 'content-length': held.length });
        response.end(held);
        return;
      }
      response.writeHead(200, headers);
      started = true;
      log.bytes += held.length;
      if (!response.write(held) && !(await waitForDrain(response))) return;
      held = second.value;
    } else {
      headers['content-length'] = result.contentLength;
    }
    for (let chunk = held ?? (await nextChunk(iterator)); chunk !== undefined; chunk = await nextChunk(iterator)) {
      if (response.destroyed) return;
      if (!started) {
        log.firstByteAt ??= performance.now();
        response.writeHead(200, headers);
        started = true;
      }
      log.bytes += chunk.length;
      if (!response.write(chunk) && !(await waitForDrain(response))) return;
    }
    if (response.destroyed) return;
    if (!started) response.writeHead(200, headers);
    response.end();
  } catch (error) {
    const gatewayError = clientErrorOf(reply, error);
    // Headers already sent: nothing valid can follow, so the connection is cut and the client sees a broken body.
    if (started || gatewayError.code === 'client_closed') response.destroy();
    else {
      delete headers['content-length'];
      response.writeHead(gatewayError.status, { ...headers, 'content-type': 'application/json' });
      response.end(JSON.stringify(errorBodyFor(protocol, gatewayError)));
    }
  } finally {
    // Leaving early (client gone, write failed) still ends the upstream body and settles the lease.
    void iterator.return?.(undefined)?.catch(() => undefined);
  }
}

async function nextChunk(iterator: AsyncIterator<Buffer>): Promise<Buffer | undefined> {
  const step = await iterator.next();
  return step.done ? undefined : step.value;
}
