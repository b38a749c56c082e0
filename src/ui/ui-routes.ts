/**
 * The admin console's entry: login sessions, the /ui/ pages, and the admin endpoints the console
 * needs beyond the pool API (pools file entries, OAuth logins, effective config). Loaded only when
 * UI_ENABLED; the pages, the pools-file editor and the login flows load on their first request.
 */
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config/schema.js';
import { GatewayError } from '../errors/gateway-error.js';
import type { ProviderPool } from '../pool/index.js';
import { sendError } from '../server/send-error.js';
import { SessionStore, sessionCookie, sessionTokenOf, withSession } from './session-store.js';
import type { StaticSite } from './static-files.js';
import type { UiApi } from './ui-api.js';

export interface UiOptions {
  readonly config: GatewayConfig;
  readonly pool: ProviderPool;
  readonly cwd: string;
  /** Re-reads the pools file now; resolves once the new pools are in service. */
  readonly reloadPools: () => Promise<void>;
  /** The admin credential a person types to log in; '' when none is configured (admin API open). */
  readonly adminSecret: string;
  /** Checks a request's admin key (throws a 401 GatewayError); sessions are checked before it. */
  readonly checkAdminKey: (request: FastifyRequest) => void;
}

export interface UiAccess {
  readonly sessions: SessionStore;
  /** A key check that also lets a logged-in browser through. */
  allowSessions(check: (request: FastifyRequest) => void): (request: FastifyRequest) => void;
  /** Whether the request carries a valid console session (an admin credential check, see src/security). */
  hasSession(request: FastifyRequest): boolean;
}

/** `adminSecret`: the admin credential; it signs the console's session tokens. */
export function createUiAccess(adminSecret: string): UiAccess {
  const sessions = new SessionStore({ secret: adminSecret });
  return {
    sessions,
    allowSessions: (check) => withSession(sessions, check),
    hasSession: (request) => request.headers.cookie !== undefined && sessions.isValid(sessionTokenOf(request)),
  };
}

function badRequest(message: string): GatewayError {
  return new GatewayError('invalid_request', 'invalid_request', message, { status: 400, scope: 'request' });
}

function readVersion(): string {
  try {
    return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** Whether the request passes the admin guard by itself (a key, or no credential configured). */
function passes(check: (request: FastifyRequest) => void, request: FastifyRequest): boolean {
  try {
    check(request);
    return true;
  } catch {
    return false;
  }
}

export function uiRoutes(access: UiAccess, options: UiOptions): FastifyPluginAsync {
  return async (app: FastifyInstance) => {
    const { sessions } = access;
    const startedAt = Date.now();
    const version = readVersion();
    const adminGuard = access.allowSessions(options.checkAdminKey);
    let site: Promise<StaticSite | undefined> | undefined;
    let api: Promise<UiApi> | undefined;
    const loadApi = () =>
      (api ??= import('./ui-api.js').then((module) =>
        module.createUiApi({ config: options.config, pool: options.pool, cwd: options.cwd, reloadPools: options.reloadPools }),
      ));

    app.setErrorHandler((error, _request, reply) => sendError(reply, 'openai-chat', error));
    app.addHook('onClose', async () => {
      if (api) await (await api).close();
    });

    const sendPage = async (request: FastifyRequest, reply: FastifyReply, relativePath: string) => {
      const loaded = await (site ??= import('./static-files.js').then((module) => module.loadStaticSite()));
      if (!loaded) return reply.code(503).type('text/plain; charset=utf-8').send('The admin console is not built: run `npm run build`.');
      return loaded.send(request, reply, relativePath);
    };
    // The router ignores trailing slashes: /ui and /ui/ are one route. Asset URLs in index.html are absolute.
    app.get('/ui', async (request, reply) => sendPage(request, reply, 'index.html'));
    app.get('/ui/*', async (request, reply) => sendPage(request, reply, (request.params as { '*': string })['*'] || 'index.html'));

    app.get('/api/session', async (request) => {
      const authenticated = sessions.isValid(sessionTokenOf(request)) || passes(options.checkAdminKey, request);
      return {
        authenticated,
        credentialConfigured: options.adminSecret !== '',
        ...(authenticated ? { version, startedAt: new Date(startedAt).toISOString(), uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) } : {}),
      };
    });

    app.post('/api/session', async (request, reply) => {
      const password = (request.body as { password?: unknown } | undefined)?.password;
      if (typeof password !== 'string' || password === '') throw badRequest('password: enter the admin key');
      // The same per-address throttle as a wrong key in a header (429 while the address waits).
      if (!app.adminAuth.verifySecret(request, password)) {
        throw new GatewayError('invalid_admin_key', 'client_auth', 'Wrong admin key.', { status: 401, scope: 'request' });
      }
      const token = sessions.create();
      reply.header('set-cookie', sessionCookie(token, { maxAgeSeconds: Math.floor(sessions.ttlMs / 1000), secure: request.protocol === 'https' }));
      return { authenticated: true };
    });

    app.delete('/api/session', async (request, reply) => {
      sessions.delete(sessionTokenOf(request));
      reply.header('set-cookie', sessionCookie('', { maxAgeSeconds: 0, secure: request.protocol === 'https' }));
      return { authenticated: false };
    });

    // The browser comes back here from Google: it carries no admin credential (a SameSite=Strict cookie
    // is not sent on a cross-site redirect); the unguessable state of a login this admin started is its proof.
    app.get('/api/oauth/gemini/callback', async (request, reply) => {
      const result = await (await loadApi()).completeGeminiRedirect(request.query as Record<string, string | undefined>);
      return reply.redirect(`/ui/#/oauth?${new URLSearchParams(result).toString()}`, 302);
    });

    await app.register(async (admin) => {
      admin.addHook('onRequest', async (request) => adminGuard(request));
      admin.get('/api/config', async () => (await loadApi()).configView());
      admin.get('/api/pool-entries', async () => (await loadApi()).listEntries());
      admin.post('/api/pool-entries', async (request) => (await loadApi()).addEntry(request.body));
      admin.put('/api/pool-entries/:uuid', async (request) => (await loadApi()).updateEntry((request.params as { uuid: string }).uuid, request.body));
      admin.delete('/api/pool-entries/:uuid', async (request) => (await loadApi()).deleteEntry((request.params as { uuid: string }).uuid));
      admin.get('/api/oauth/credentials', async () => (await loadApi()).listCredentials());
      admin.post('/api/oauth/gemini/start', async (request) => (await loadApi()).startGeminiLogin(request.body, request.headers.host));
      admin.post('/api/oauth/gemini/complete', async (request) => (await loadApi()).completeGeminiPaste(request.body));
      admin.post('/api/oauth/qwen/start', async (request) => (await loadApi()).startQwenLogin(request.body));
      admin.get('/api/oauth/flows/:id', async (request) => (await loadApi()).flowStatus((request.params as { id: string }).id));
      admin.post('/api/oauth/kiro/import', async (request) => (await loadApi()).importKiroToken(request.body));
    });
  };
}
