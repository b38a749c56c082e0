/**
 * undici dispatchers that reach upstreams through a proxy: undici's ProxyAgent for http(s) proxies
 * (absolute-URI requests for http:// targets, a CONNECT tunnel for https://), and for SOCKS5 an
 * Agent whose connector opens the tunnel with the `socks` package and then lets undici's own
 * connector add TLS. Nothing here parses HTTP or SOCKS by hand.
 */
import { createRequire } from 'node:module';
import type { SocksProxy } from 'socks';
import type { Agent as UndiciAgent, Dispatcher } from 'undici';
import { Agent } from '../undici-agent.js';

// The whole of undici (ProxyAgent, buildConnector) and `socks` are loaded only when a proxy is
// configured: a gateway without one starts on the lean Agent alone (see undici-agent.ts).
const require = createRequire(import.meta.url);
const undici = () => require('undici') as typeof import('undici');
const socks = () => require('socks') as typeof import('socks');

export interface DispatcherOptions {
  readonly connectTimeoutMs: number;
  readonly headersTimeoutMs: number;
  readonly bodyTimeoutMs: number;
  readonly keepAliveTimeout: number;
  readonly keepAliveMaxTimeout: number;
}

function agentOptions(options: DispatcherOptions): UndiciAgent.Options {
  return {
    keepAliveTimeout: options.keepAliveTimeout,
    keepAliveMaxTimeout: options.keepAliveMaxTimeout,
    connect: { timeout: options.connectTimeoutMs },
    headersTimeout: options.headersTimeoutMs,
    bodyTimeout: options.bodyTimeoutMs,
  };
}

/** A direct (no proxy) dispatcher with the gateway's timeouts and keep-alive. */
export function createDirectDispatcher(options: DispatcherOptions): Dispatcher {
  return new Agent(agentOptions(options));
}

/** A dispatcher sending everything through `proxyUrl` (already validated by proxyUrlProblem). */
export function createProxyDispatcher(proxyUrl: string, options: DispatcherOptions): Dispatcher {
  const url = new URL(proxyUrl);
  if (url.protocol === 'socks5:' || url.protocol === 'socks5h:') return createSocksDispatcher(url, options);
  // ProxyAgent reads user:password from the URL and sends them as Proxy-Authorization.
  return new (undici().ProxyAgent)({ ...agentOptions(options), uri: proxyUrl, proxyTunnel: false });
}

function createSocksDispatcher(url: URL, options: DispatcherOptions): Dispatcher {
  const proxy: SocksProxy = {
    host: url.hostname.replace(/^\[|\]$/g, ''),
    port: Number(url.port || 1080),
    type: 5,
    ...(url.username !== '' ? { userId: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : {}),
  };
  // undici's connector does TLS (SNI, session cache) over a socket we hand it.
  const tlsConnector = undici().buildConnector({ timeout: options.connectTimeoutMs });
  return new (undici().Agent)({
    ...agentOptions(options),
    connect: (connectOptions, callback) => {
      const https = connectOptions.protocol === 'https:';
      const port = Number(connectOptions.port) || (https ? 443 : 80);
      socks()
        .SocksClient.createConnection({
          proxy,
          command: 'connect',
          destination: { host: connectOptions.hostname, port },
          timeout: options.connectTimeoutMs,
        })
        .then(
          ({ socket }) => {
            if (!https) return callback(null, socket);
            tlsConnector({ ...connectOptions, httpSocket: socket }, callback);
          },
          // A fresh error: the socks library's own carries its options, proxy password included.
          (error: Error) => callback(Object.assign(new Error(`SOCKS5 proxy: ${error.message}`), { code: 'EPROXY' }), null),
        );
    },
  });
}
