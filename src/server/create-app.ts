import { randomBytes } from 'node:crypto';
import fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../config/schema.js';
import type { Gateway } from '../gateway/gateway.js';
import type { HealthChecker, ProviderPool } from '../pool/index.js';
import { adminRoutes } from './admin-routes.js';
import { claudeRoutes } from './claude-routes.js';
import { geminiRoutes } from './gemini-routes.js';
import { responsesRoutes } from './responses-routes.js';
import { commonRoutes } from './common-routes.js';
import { registerJsonBodyParser } from './json-body-parser.js';
import { lazySchemaController } from './lazy-schema-compilers.js';
import { openaiRoutes } from './openai-routes.js';
import { createProviderPathRewriter } from './provider-path-prefix.js';
import { PATH_PROVIDER, type RawRequestWithProvider } from './request-state.js';
import { protocolOfPath, sendError } from './send-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import { requestLineLogger } from '../logging/create-logger.js';
import { createSecurity, sendPreflight, type SecuritySettings } from '../security/index.js';
import type { Accounting } from '../usage/wire-accounting.js';

export interface AppOptions {
  readonly gateway: Gateway;
  readonly pool: ProviderPool;
  readonly healthChecker: HealthChecker;
  readonly logger: Logger;
  /** Host and origin rules, the client key and the admin secret (see src/security). */
  readonly security: SecuritySettings;
  readonly bodyLimitBytes: number;
  /** The admin console (UI_ENABLED): its module loads only then. */
  readonly ui?: { readonly config: GatewayConfig; readonly cwd: string; readonly reloadPools: () => Promise<void> };
  /** Usage records and metrics: told about each generation request once its response has ended. */
  readonly accounting?: Accounting;
}

/** Builds the HTTP surface: one plugin per client protocol, shared hooks for auth-free routes, CORS and logs. */
export async function createApp(options: AppOptions): Promise<FastifyInstance> {
  const bootId = randomBytes(3).toString('hex');
  let requestCounter = 0;
  const app = fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.bodyLimitBytes,
    routerOptions: { ignoreTrailingSlash: true, ignoreDuplicateSlashes: true },
    genReqId: () => `${bootId}-${((requestCounter += 1)).toString(36)}`,
    // No child logger per request (fastify's default builds one for every request): the few log calls
    // made with request.log name the request id themselves.
    childLoggerFactory: (logger) => logger,
    rewriteUrl: createProviderPathRewriter((name) => options.gateway.directory.isProviderName(name)),
    forceCloseConnections: 'idle',
    schemaController: lazySchemaController(),
    return503OnClosing: true,
  });
  app.decorateRequest('rawBody', undefined);
  app.decorateRequest('pathProvider', undefined);
  app.decorateRequest('gatewayLog', undefined as never);
  registerJsonBodyParser(app, options.bodyLimitBytes);
  const security = createSecurity(options.security, options.logger);
  app.decorate('adminAuth', security.adminAuth);

  const requestLog = requestLineLogger(options.logger);
  const { accounting } = options;
  // Callback style: an async hook costs every request a promise.
  app.addHook('onRequest', (request, reply, done) => {
    request.pathProvider = (request.raw as typeof request.raw & RawRequestWithProvider)[PATH_PROVIDER];
    request.gatewayLog = { bytes: 0 };
    reply.header('x-request-id', request.id);
    const startedAt = performance.now();
    reply.raw.once('close', () => {
      const log = request.gatewayLog;
      if (log.protocol !== undefined && accounting) {
        const { headers, query } = request;
        accounting.observe({
          requestId: request.id,
          log,
          status: reply.raw.statusCode,
          aborted: !reply.raw.writableFinished,
          startedAt,
          endedAt: performance.now(),
          headers,
          query,
        });
      }
      requestLog.info(
        {
          requestId: request.id,
          method: request.method,
          url: request.routeOptions.url ?? request.url.split('?')[0],
          provider: log.provider,
          instance: log.instance,
          model: log.model,
          stream: log.stream,
          status: reply.raw.statusCode,
          error: log.error,
          bytes: log.bytes,
          durationMs: Math.round((performance.now() - startedAt) * 10) / 10,
          aborted: !reply.raw.writableFinished || undefined,
        },
        'request',
      );
    });
    // Host, Origin and body type are checked before the body is read (the refusal goes to the error handler).
    done(security.guard(request, reply));
  });

  app.options('*', async (request, reply) => sendPreflight(request, reply));

  const keyAuthenticate = security.authenticateClient;
  const adminKeyAuthenticate = security.adminAuth.authenticate;
  // A browser logged in to the console passes both guards with its session cookie (the playground uses the client routes).
  const ui = options.ui ? await import('../ui/ui-routes.js') : undefined;
  const uiAccess = ui?.createUiAccess(options.security.adminSecret.value);
  const authenticate = uiAccess ? uiAccess.allowSessions(keyAuthenticate) : keyAuthenticate;
  // One admin check for every admin route (app.adminAuth): the key, or a console session.
  if (uiAccess) security.adminAuth.addCheck(uiAccess.hasSession);
  const routeOptions = { gateway: options.gateway, authenticate, browserHome: ui ? '/ui/' : undefined };
  await app.register(commonRoutes, routeOptions);
  await app.register(openaiRoutes, routeOptions);
  await app.register(claudeRoutes, routeOptions);
  await app.register(responsesRoutes, routeOptions);
  await app.register(geminiRoutes, routeOptions);
  await app.register(adminRoutes, {
    pool: options.pool,
    healthChecker: options.healthChecker,
    authenticate: adminKeyAuthenticate,
  });
  await accounting?.register(app, adminKeyAuthenticate);
  if (ui && uiAccess && options.ui) {
    await app.register(
      ui.uiRoutes(uiAccess, {
        ...options.ui,
        pool: options.pool,
        adminSecret: options.security.adminSecret.value,
        checkAdminKey: adminKeyAuthenticate,
      }),
    );
  }

  app.setNotFoundHandler((request, reply) =>
    sendError(
      reply,
      protocolOfPath(request.url),
      new GatewayError('route_not_found', 'not_found', `No route for ${request.method} ${request.url.split('?')[0]}`, { status: 404, scope: 'request' }),
    ),
  );
  app.setErrorHandler((error, request, reply) => sendError(reply, protocolOfPath(request.url), error));
  return app;
}
