import type { FastifyInstance, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';
import { JsonScanError } from '../json/json-scan.js';
import { RawJsonObject } from '../json/raw-json-object.js';

/**
 * Route config of the generation routes: their JSON object body arrives as a RawJsonObject (checked
 * and its top-level members located, nothing materialised), so a passthrough forwards the client's
 * bytes, spliced where the gateway edits them. Every other route gets the parsed value.
 */
export const RAW_JSON_BODY = { rawJsonBody: true } as const;

function wantsRawJson(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { rawJsonBody?: boolean } | undefined)?.rawJsonBody === true;
}

function malformed(message: string): GatewayError {
  return new GatewayError('invalid_json', 'invalid_request', `Malformed JSON in request body: ${message}`, { status: 400, scope: 'request' });
}

/**
 * Reads the body as JSON and keeps the raw bytes. Non-JSON bodies never get here: the request guard
 * (src/security) answers them 415. Generation routes get a RawJsonObject; other routes the value
 * JSON.parse gives.
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
    let value: unknown;
    try {
      value = wantsRawJson(request) ? scanRawJson(buffer) : JSON.parse(buffer.toString('utf8'));
    } catch (error) {
      done(malformed((error as Error).message), undefined);
      return;
    }
    done(null, value);
  });
}

/** A RawJsonObject, or for a JSON value other than an object the (small) value itself, for the route's 400. */
function scanRawJson(buffer: Buffer): unknown {
  try {
    const scanned = RawJsonObject.from(buffer);
    return scanned instanceof RawJsonObject ? scanned : JSON.parse(buffer.toString('utf8'));
  } catch (error) {
    if (!(error instanceof JsonScanError)) throw error;
    // The scanner only says where: JSON.parse says what (and, were the two ever to disagree, the parsed
    // value still serves the request).
    return JSON.parse(buffer.toString('utf8'));
  }
}

export function requireJsonObject(body: unknown): Record<string, unknown> {
  if (body instanceof RawJsonObject) return body.toObject();
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new GatewayError('invalid_body', 'invalid_request', 'Request body must be a JSON object', { status: 400, scope: 'request' });
  }
  return body as Record<string, unknown>;
}

/** The body of a RAW_JSON_BODY route as a RawJsonObject, or the route's 400 when it is not a JSON object. */
export function requireRawJsonObject(body: unknown): RawJsonObject {
  if (body instanceof RawJsonObject) return body;
  return RawJsonObject.fromObject(requireJsonObject(body));
}
