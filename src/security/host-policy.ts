import { hostnameOfHostHeader, isLoopbackHostname, isLoopbackListenAddress } from './loopback.js';

export interface HostPolicyOptions {
  /** The listen address (HOST). */
  readonly listenHost: string;
  /** ALLOWED_HOSTS: more names this gateway answers to; `*` turns the check off. */
  readonly allowedHosts: readonly string[];
}

/** Whether a request's `Host` header is acceptable. */
export type HostCheck = (host: string | undefined) => boolean;

/**
 * DNS rebinding defence. A page on attacker.example can make its own name resolve to 127.0.0.1 and then
 * read our answers as same-origin; its requests still carry `Host: attacker.example`. A gateway on
 * loopback therefore answers only to loopback names and ALLOWED_HOSTS. Undefined when the gateway
 * listens elsewhere (then a client key is required anyway and any name may reach it).
 */
export function createHostPolicy(options: HostPolicyOptions): HostCheck | undefined {
  if (!isLoopbackListenAddress(options.listenHost)) return undefined;
  const allowed = new Set<string>();
  for (const entry of options.allowedHosts) {
    const name = hostnameOfHostHeader(entry.trim());
    if (name === '*') return undefined;
    if (name) allowed.add(name);
  }
  // Clients keep sending the same Host: remember the last one accepted and skip the parsing.
  let lastAccepted = '';
  return (host) => {
    // HTTP/1.0 clients may send none; browsers always do.
    if (host === undefined || host === lastAccepted) return true;
    const hostname = hostnameOfHostHeader(host);
    const accepted = hostname !== undefined && (isLoopbackHostname(hostname) || allowed.has(hostname));
    if (accepted) lastAccepted = host;
    return accepted;
  };
}
