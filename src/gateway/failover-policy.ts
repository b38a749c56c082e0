import type { GatewayError } from '../errors/gateway-error.js';

/**
 * Whether a failed attempt may be tried again on another instance: failures of the account or the
 * upstream yes; the client's own mistakes and its disconnects never.
 */
export function canTryAnotherInstance(error: GatewayError): boolean {
  if (error.code === 'client_closed') return false;
  switch (error.kind) {
    case 'network':
    case 'timeout':
    case 'upstream':
    case 'rate_limit':
    case 'quota':
    case 'auth':
    case 'overloaded':
      return true;
    default:
      return false;
  }
}
