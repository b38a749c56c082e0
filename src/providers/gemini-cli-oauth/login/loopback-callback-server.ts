import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const CALLBACK_PATH = '/oauth2callback';

/** What the browser brought back: the authorization code, and a way to answer its request. */
export interface CallbackResult {
  readonly code: string;
  /** Ends the browser's request with a page saying how the login went. */
  reply(ok: boolean, message: string): void;
}

export interface CallbackServer {
  readonly port: number;
  readonly redirectUri: string;
  /** Resolves with the first redirect carrying the expected state; rejects on `error=`, timeout or abort. */
  readonly result: Promise<CallbackResult>;
  close(): Promise<void>;
}

function page(response: ServerResponse, status: number, title: string, message: string): void {
  const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (char) => `&#${char.charCodeAt(0)};`);
  response.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' });
  response.end(`<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p>`);
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * A one-shot HTTP server on the loopback interface for the OAuth redirect. It listens on 127.0.0.1
 * and, when available, on ::1 at the same port, since browsers may resolve `localhost` to either.
 * Requests with a wrong `state` are refused and the login keeps waiting for the real one.
 */
export async function startCallbackServer(options: { port: number; state: string; timeoutMs: number; signal: AbortSignal }): Promise<CallbackServer> {
  let settle: { resolve: (result: CallbackResult) => void; reject: (error: Error) => void } | undefined;
  const result = new Promise<CallbackResult>((resolve, reject) => (settle = { resolve, reject }));
  result.catch(() => undefined); // the caller awaits it; this keeps an early rejection from being "unhandled"
  const handle = (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== CALLBACK_PATH) return page(response, 404, 'Not found', 'This server only receives the Google sign-in redirect.');
    const error = url.searchParams.get('error');
    const code = url.searchParams.get('code');
    if (url.searchParams.get('state') !== options.state) {
      return page(response, 400, 'Sign-in refused', 'The state does not match the login that is running. Start again from the terminal.');
    }
    if (error) {
      page(response, 400, 'Sign-in failed', `Google answered: ${error}. You can close this window.`);
      return settle?.reject(
        new Error(`Google sign-in failed: ${error}${url.searchParams.get('error_description') ? ` (${url.searchParams.get('error_description')})` : ''}`),
      );
    }
    if (!code) return page(response, 400, 'Sign-in failed', 'The redirect carried no authorization code.');
    settle?.resolve({
      code,
      reply: (ok, message) => page(response, ok ? 200 : 500, ok ? 'Signed in' : 'Sign-in failed', message),
    });
  };
  const primary = createServer(handle);
  const secondary = createServer(handle);
  const port = await listen(primary, options.port, '127.0.0.1');
  const hasIpv6 = await listen(secondary, port, '::1').then(
    () => true,
    () => false, // no IPv6 loopback here: 127.0.0.1 alone is fine
  );
  const timer = setTimeout(() => settle?.reject(new Error(`no sign-in within ${Math.round(options.timeoutMs / 1000)} s`)), options.timeoutMs);
  const onAbort = () => settle?.reject(new Error('login cancelled'));
  options.signal.addEventListener('abort', onAbort, { once: true });
  const closeServer = (server: Server) =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Let the last page reach the browser, then drop whatever connection is still open.
      server.closeIdleConnections();
      setTimeout(() => server.closeAllConnections(), 1000).unref();
    });
  return {
    port,
    redirectUri: `http://localhost:${port}${CALLBACK_PATH}`,
    result,
    close: async () => {
      clearTimeout(timer);
      options.signal.removeEventListener('abort', onAbort);
      await Promise.all([closeServer(primary), hasIpv6 ? closeServer(secondary) : Promise.resolve()]);
    },
  };
}
