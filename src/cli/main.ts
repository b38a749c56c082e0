#!/usr/bin/env node
import { createRequire } from 'node:module';
import { ConfigError } from '../config/config-error.js';
import { GatewayError } from '../errors/gateway-error.js';
import { renderHelp } from '../config/help-text.js';
import { loadConfig } from '../config/load-config.js';
import { runAuth } from './auth.js';
import { runServe } from './serve.js';

/** Entry point of the `aiclient2api` command: parse, then hand over to the subcommand. */
async function main(argv: string[]): Promise<void> {
  const cwd = process.cwd();
  try {
    if (argv[0] === 'auth') {
      await runAuth(argv.slice(1), cwd);
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
    await runServe(request, cwd);
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

await main(process.argv.slice(2));
