import type { FastifyInstance } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';

/**
 * Parses JSON once and keeps the raw bytes, so a passthrough can forward them without
 * re-serialising. Non-JSON bodies never get here: the request guard (src/security) answers them 415.
 */
export function registerJsonBodyParser(app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, (request, body, done) => {
    const buffer = body as Buffer;
    request.rawBody = buffer;
    if (buffer.length === 0) {
      done(null, undefined);
      return;
    }
    try {
      done(null, JSON.parse(buffer.toString('utf8')));
    } catch (error) {
      done(
        new GatewayError('invalid_json', 'invalid_request', `Malformed JSON in request body: ${(error as Error).message}`, {
          status: 400,
          scope: 'request',
        }),
        undefined,
      );
    }
  });
}

export function requireJsonObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('invalid_body', 'invalid_request', 'Request body must be a JSON object', { status: 400, scope: 'request' });
  }
  return body as Record<string, unknown>;
}
