import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import path from 'node:path';
import { DEFAULT_CONFIG_PATH, type LoadedConfig } from '../config/load-config.js';
import { createGatewayRuntime } from '../gateway/create-gateway.js';
import { resolveAdminSecret, type AdminSecret } from '../security/index.js';
import { createApp } from './create-app.js';

export interface RunningServer {
  readonly app: FastifyInstance;
  /** `http://host:port` the server listens on. */
  readonly url: string;
  readonly port: number;
  /** What guards the admin API; a generated password is printed by the CLI when `created`. */
  readonly adminSecret: AdminSecret;
  /** Re-reads the provider pools file (SIGHUP). */
  reloadPools(): void;
  /** Stops accepting, lets running requests finish for up to `graceMs`, then cuts what is left. */
  close(graceMs?: number): Promise<void>;
}

/** Builds the gateway from a loaded config and starts listening. Used by the CLI and by tests. */
export async function startServer(loaded: LoadedConfig, options: { logger: Logger; cwd: string }): Promise<RunningServer> {
  const { config } = loaded;
  const adminSecret = await resolveAdminSecret({
    adminApiKey: config.ADMIN_API_KEY,
    requiredApiKey: config.REQUIRED_API_KEY,
    directory: path.dirname(loaded.configFile ?? path.resolve(options.cwd, DEFAULT_CONFIG_PATH)),
  });
  const runtime = await createGatewayRuntime({ config, providers: loaded.providers, logger: options.logger, cwd: options.cwd });
  const app = await createApp({
    gateway: runtime.gateway,
    pool: runtime.pool,
    healthChecker: runtime.healthChecker,
    logger: options.logger,
    security: {
      listenHost: config.HOST,
      allowedHosts: config.ALLOWED_HOSTS,
      allowedOrigins: config.CORS_ALLOWED_ORIGINS,
      requiredApiKey: config.REQUIRED_API_KEY,
      adminSecret,
    },
    bodyLimitBytes: config.REQUEST_BODY_LIMIT_MB * 1024 * 1024,
    ui: config.UI_ENABLED ? { config, cwd: options.cwd, reloadPools: () => runtime.reloadPools() } : undefined,
    accounting: runtime.accounting,
  });
  await app.listen({ host: config.HOST, port: config.SERVER_PORT });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.SERVER_PORT;
  const host = config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  let closing: Promise<void> | undefined;
  return {
    app,
    port,
    adminSecret,
    url: `http://${host}:${port}`,
    reloadPools: () => void runtime.reloadPools(),
    close(graceMs = config.SHUTDOWN_GRACE_MS) {
      closing ??= (async () => {
        const timer = setTimeout(() => {
          options.logger.warn('shutdown grace period over: closing the remaining connections');
          app.server.closeAllConnections();
          void runtime.http.destroy();
        }, graceMs);
        timer.unref();
        // Connections whose last response ends during shutdown become idle later: close them as they do.
        const idleSweep = setInterval(() => app.server.closeIdleConnections(), 50);
        idleSweep.unref();
        await app.close();
        clearTimeout(timer);
        clearInterval(idleSweep);
        await runtime.http.close().catch(() => undefined);
        await runtime.close();
      })();
      return closing;
    },
  };
}
