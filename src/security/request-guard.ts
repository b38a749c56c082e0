import type { FastifyReply, FastifyRequest } from 'fastify';
import { GatewayError } from '../errors/gateway-error.js';
import { hasNonJsonBody } from './content-type-guard.js';
import { createHostPolicy, type HostPolicyOptions } from './host-policy.js';
import { createOriginPolicy, type OriginPolicyOptions } from './origin-policy.js';

export type RequestGuardOptions = HostPolicyOptions & OriginPolicyOptions;

/** Checks a request before its body is read; returns the refusal, or undefined to go on. */
export type RequestGuard = (request: FastifyRequest, reply: FastifyReply) => GatewayError | undefined;

/**
 * The checks every request passes before routing goes on and before its body is read: the Host
 * (DNS rebinding), the Origin (web pages), and the body's type (JSON only). It also sets the CORS
 * header: an accepted page's own origin, or `*` for clients that send none.
 */
export function createRequestGuard(options: RequestGuardOptions): RequestGuard {
  const hostAllowed = createHostPolicy(options);
  const originAllowed = createOriginPolicy(options);
  return (request, reply) => {
    const headers = request.headers;
    if (hostAllowed !== undefined && !hostAllowed(headers.host)) {
      return new GatewayError(
        'host_not_allowed',
        'client_auth',
        'Forbidden: this gateway listens on loopback and answers only to loopback host names (add others to ALLOWED_HOSTS).',
        { status: 403, scope: 'request' },
      );
    }
    const origin = headers.origin;
    if (origin === undefined) {
      reply.header('access-control-allow-origin', '*');
    } else {
      if (!originAllowed(origin, headers.host)) {
        return new GatewayError(
          'origin_not_allowed',
          'client_auth',
          'Forbidden: web pages from this origin may not use the gateway (see CORS_ALLOWED_ORIGINS).',
          { status: 403, scope: 'request' },
        );
      }
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
    }
    if (hasNonJsonBody(headers)) {
      return new GatewayError(
        'unsupported_media_type',
        'invalid_request',
        'Unsupported content-type: the request body must be JSON (content-type: application/json).',
        {
          status: 415,
          scope: 'request',
          param: 'content-type',
        },
      );
    }
    return undefined;
  };
}
