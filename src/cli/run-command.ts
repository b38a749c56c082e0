import { createRequire } from 'node:module';
import { ConfigError } from '../config/config-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import { renderHelp } from '../config/help-text.js';
import { loadConfig } from '../config/load-config.js';

/**
 * The `aiclient2api` command: parse, then hand over to the subcommand. `onServing` runs once the
 * gateway listens (start-up is over).
 */
export async function runCommand(argv: string[], onServing: () => void): Promise<void> {
  const cwd = process.cwd();
  try {
    if (argv[0] === 'auth') {
      const { runAuth } = await import('./auth.js');
      await runAuth(argv.slice(1), cwd);
      return;
    }
    if (argv[0] === 'usage') {
      const { runUsage } = await import('./usage.js');
      await runUsage(argv.slice(1), cwd);
      return;
    }
    const request = await loadConfig(argv, cwd);
    if (request.kind === 'help') {
      process.stdout.write(renderHelp());
      return;
    }
    if (request.kind === 'version') {
      const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };
      process.stdout.write(`${version}\n`);
      return;
    }
    if (request.config.WORKERS > 1) {
      const workers = await import('./workers.js');
      workers.checkWorkers(request.config);
      if (workers.isSupervisor(request.config)) {
        workers.runSupervisor(request);
        onServing();
        return;
      }
    }
    const { runServe } = await import('./serve.js');
    await runServe(request, cwd);
    onServing();
  } catch (error) {
    if (error instanceof ConfigError || error instanceof GatewayError) {
      process.stderr.write(`aiclient2api: ${error.message}\n`);
      process.exit(1);
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      process.stderr.write(`aiclient2api: cannot listen: ${(error as Error).message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
