import type { RequestLogRecord } from '../gateway/request-log.js';

/** Per-request values the server layer attaches to fastify's request object. */
declare module 'fastify' {
  interface FastifyRequest {
    /** The body bytes as received (JSON routes only). */
    rawBody: Buffer | undefined;
    /** Provider named by the first path segment, stripped before routing. */
    pathProvider: string | undefined;
    gatewayLog: RequestLogRecord;
  }
}

/** Symbol under which rewriteUrl leaves the provider segment on the raw Node request. */
export const PATH_PROVIDER = Symbol('aiclient2api.pathProvider');

export type RawRequestWithProvider = { [PATH_PROVIDER]?: string };
