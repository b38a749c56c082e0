import { ConfigError } from '../config/config-error.js';
import { loadConfig } from '../config/load-config.js';
import { PROVIDER_ADAPTERS } from '../providers/registry.js';

function listLogins(): string {
  const rows = [...PROVIDER_ADAPTERS.values()]
    .filter((adapter) => adapter.login)
    .map((adapter) => `  aiclient2api auth ${adapter.login!.command.padEnd(10)} ${adapter.login!.summary} (${adapter.type})`);
  return rows.length > 0 ? rows.join('\n') : '  (no backend with a login command yet)';
}

/** `aiclient2api auth <name> [--config PATH] [login options]`: runs a backend's login from the registry. */
export async function runAuth(argv: readonly string[], cwd: string): Promise<void> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    process.stdout.write(`Usage: aiclient2api auth <name> [--config PATH] [options]\n\n${listLogins()}\n`);
    return;
  }
  const adapter = [...PROVIDER_ADAPTERS.values()].find((candidate) => candidate.login?.command === name || candidate.type === name);
  if (!adapter?.login) throw new ConfigError(`No login named "${name}". Available:\n${listLogins()}`);
  const configArgs: string[] = [];
  const loginArgs: string[] = [];
  for (let index = 0; index < rest.length; index += 1) {
    const argument = rest[index] as string;
    if (argument === '--config') configArgs.push(argument, rest[(index += 1)] ?? '');
    else if (argument.startsWith('--config=')) configArgs.push(argument);
    else loginArgs.push(argument);
  }
  const loaded = await loadConfig(configArgs, cwd);
  if (loaded.kind !== 'serve') return;
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  try {
    await adapter.login.run(loginArgs, { settings: loaded.config, cwd, output: process.stderr, signal: controller.signal });
  } finally {
    process.off('SIGINT', onSignal);
  }
}
