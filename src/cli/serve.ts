import type { Logger } from 'pino';
import type { LoadedConfig } from '../config/load-config.js';
import { createGatewayLogger } from '../logging/log-output.js';
import { startServer } from '../server/start-server.js';
import type { AdminSecret } from '../security/index.js';
import { checkListenPolicy } from './listen-policy.js';

/** `aiclient2api` (serve): start the gateway and stop it gracefully on SIGTERM/SIGINT. */
export async function runServe(loaded: LoadedConfig, cwd: string): Promise<void> {
  const { config } = loaded;
  const policyWarnings = checkListenPolicy(config.HOST, config.REQUIRED_API_KEY);
  const logger: Logger = createGatewayLogger(config, cwd);
  for (const warning of [...loaded.warnings, ...policyWarnings]) logger.warn(warning);
  logger.info({ configFile: loaded.configFile ?? '(none: defaults)', providers: loaded.providers }, 'configuration loaded');
  const server = await startServer(loaded, { logger, cwd });
  logger.info({ url: server.url, defaultProvider: loaded.providers[0] ?? null }, 'gateway listening');
  announceAdminSecret(server.adminSecret, logger);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) {
      logger.warn(`${signal} again: exiting now`);
      logger.flush();
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: finishing running requests');
    server.close().then(
      () => {
        logger.info('stopped');
        logger.flush(() => process.exit(0));
      },
      (error: unknown) => {
        logger.error({ err: error }, 'error during shutdown');
        logger.flush(() => process.exit(1));
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => {
    logger.info('SIGHUP: reloading the provider pools file');
    server.reloadPools();
  });
}

/**
 * A generated admin password is shown once, on the console (stderr, not the log stream); later starts
 * only say where it is kept.
 */
function announceAdminSecret(secret: AdminSecret, logger: Logger): void {
  if (secret.source !== 'generated') {
    logger.info({ adminCredential: secret.source }, 'admin API: send this key as Authorization: Bearer');
    return;
  }
  if (secret.created) {
    process.stderr.write(
      `\nAdmin password (generated, shown once, saved with mode 0600 in ${secret.file}):\n\n    ${secret.value}\n\n` +
        'Send it as "Authorization: Bearer <password>" to the admin API, or set ADMIN_API_KEY.\n\n',
    );
    return;
  }
  logger.info({ adminCredential: 'generated', file: secret.file }, 'admin API: the password is in this file');
}
