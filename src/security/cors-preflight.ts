import type { FastifyReply, FastifyRequest } from 'fastify';

const DEFAULT_ALLOW_HEADERS =
  'Content-Type, Authorization, x-api-key, x-goog-api-key, model-provider, anthropic-version, anthropic-beta, anthropic-dangerous-direct-browser-access';

/**
 * Answers a CORS preflight. It only runs for origins the request guard accepted (others got 403, which
 * fails the preflight), so the headers the page asks for are granted as asked: SDKs send their own
 * (`x-stainless-*`), which no fixed list keeps up with. Chrome's Private Network Access asks whether
 * a public page may reach a local address; an accepted origin may.
 */
export function sendPreflight(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const requested = request.headers['access-control-request-headers'];
  if (request.headers['access-control-request-private-network'] === 'true') reply.header('access-control-allow-private-network', 'true');
  return reply
    .code(204)
    .header('access-control-allow-methods', 'GET, POST, HEAD, OPTIONS')
    .header('access-control-allow-headers', typeof requested === 'string' && requested !== '' ? requested : DEFAULT_ALLOW_HEADERS)
    .header('access-control-max-age', '86400')
    .header('vary', 'Origin, Access-Control-Request-Headers')
    .send();
}
