import type { IncomingHttpHeaders } from 'node:http';

/**
 * Whether a request carries a body that is not JSON. Browsers send `text/plain`, form and untyped
 * bodies cross-site without a CORS preflight; JSON needs one. So a non-JSON body is refused (415)
 * before it is read, and no page can slip a generation request past the origin rules as a "simple"
 * request. Every official SDK and CLI sends `application/json`.
 */
export function hasNonJsonBody(headers: IncomingHttpHeaders): boolean {
  const length = headers['content-length'];
  if ((length === undefined || length === '0') && headers['transfer-encoding'] === undefined) return false;
  const type = headers['content-type'];
  if (type === 'application/json') return false;
  if (type === undefined) return true;
  const semicolon = type.indexOf(';');
  return (semicolon === -1 ? type : type.slice(0, semicolon)).trim().toLowerCase() !== 'application/json';
}
