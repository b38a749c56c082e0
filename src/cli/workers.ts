/**
 * `aiclient2api --workers N`: N gateway processes on one machine sharing one port (node:cluster).
 * The primary only supervises: it starts the workers, starts a crashed one again, and passes
 * SIGTERM/SIGINT (graceful stop) and SIGHUP (pools file reload) on. Each worker is a whole gateway;
 * they share the pool through Redis, which is why more than one worker needs REDIS_URL.
 */
import cluster, { type Worker } from 'node:cluster';
import { ConfigError } from '../config/config-error.js';
import type { LoadedConfig } from '../config/load-config.js';
import { createLogger } from '../logging/create-logger.js';

/** A crashed worker is started again after this long (not in a tight loop when it crashes at once). */
const RESTART_DELAY_MS = 1000;

export function checkWorkers(config: LoadedConfig['config']): void {
  if (config.WORKERS > 1 && config.REDIS_URL === '') {
    throw new ConfigError(
      `--workers ${config.WORKERS} needs REDIS_URL (--redis-url): without shared state every worker would keep its own pool, ` +
        'so rate limits, concurrency limits and OAuth refreshes would not hold across them',
    );
  }
}

/** True in the supervising process of a multi-worker start (it must not serve itself). */
export function isSupervisor(config: LoadedConfig['config']): boolean {
  return config.WORKERS > 1 && cluster.isPrimary;
}

export function runSupervisor(loaded: LoadedConfig): void {
  const { config } = loaded;
  const logger = createLogger(config.LOG_LEVEL);
  let stopping = false;
  const fork = () => cluster.fork();
  logger.info({ workers: config.WORKERS, port: config.SERVER_PORT }, 'starting gateway workers');
  for (let index = 0; index < config.WORKERS; index += 1) fork();
  if (config.METRICS_ENABLED) {
    // A worker taking a /metrics scrape asks this process to gather every worker's metrics.
    import('../metrics/cluster-metrics.js').then(
      ({ serveClusterMetrics }) => serveClusterMetrics(),
      (error: Error) => logger.error({ error: error.message }, 'metrics of the workers cannot be gathered'),
    );
  }

  cluster.on('exit', (worker: Worker, code: number | null, signal: string | null) => {
    if (stopping) {
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        logger.info('all workers stopped');
        logger.flush(() => process.exit(0));
      }
      return;
    }
    logger.warn({ worker: worker.process.pid, code, signal }, 'gateway worker exited; starting another');
    setTimeout(() => {
      if (!stopping) fork();
    }, RESTART_DELAY_MS).unref();
  });

  const forward = (signal: NodeJS.Signals) => {
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill(signal);
  };
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      forward('SIGKILL');
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, 'stopping gateway workers');
    forward('SIGTERM');
    if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGHUP', () => forward('SIGHUP'));
}
