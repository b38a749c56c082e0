import { ConfigError } from '../config/config-error.js';
import { isLoopbackListenAddress } from '../security/loopback.js';

/** The original's well-known default key: fine on loopback, dangerous anywhere else. */
const WELL_KNOWN_DEFAULT_KEY = '123456';

export const isLoopbackHost = isLoopbackListenAddress;

/**
 * Refuses an open gateway: no key on a non-loopback address is an error; the original's default key
 * there gets a loud warning. Returns the warnings to log.
 */
export function checkListenPolicy(host: string, requiredApiKey: string): string[] {
  const loopback = isLoopbackHost(host);
  if (requiredApiKey === '') {
    if (!loopback) {
      throw new ConfigError(
        `Refusing to listen on ${host} without an API key: anyone who can reach it could use your accounts. ` +
          'Set REQUIRED_API_KEY (or --api-key), or listen on 127.0.0.1.',
      );
    }
    return [`No REQUIRED_API_KEY set: any program on this machine can use the gateway at ${host}`];
  }
  if (!loopback && requiredApiKey === WELL_KNOWN_DEFAULT_KEY) {
    return [
      `!!! REQUIRED_API_KEY is the well-known default "${WELL_KNOWN_DEFAULT_KEY}" while listening on ${host}: ` +
        'anyone on the network can use your accounts. Change it. !!!',
    ];
  }
  return [];
}
