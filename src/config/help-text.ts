import { DEFAULT_CONFIG_PATH } from './load-config.js';
import { FLAGS } from './flags.js';
import { ConfigSchema } from './schema.js';

function defaultOf(key: string): string {
  const defaults = ConfigSchema.parse({}) as Record<string, unknown>;
  let value: unknown = defaults;
  for (const segment of key.split('.')) value = (value as Record<string, unknown> | undefined)?.[segment];
  if (value === undefined || value === '') return '(none)';
  return String(value);
}

/** `--help`: every flag with the config key it sets and its default. */
export function renderHelp(): string {
  const rows = FLAGS.map((spec) => {
    const usage = `${spec.flag} <${spec.type === 'string' ? 'value' : spec.type}>`;
    return `  ${usage.padEnd(44)} ${spec.description}\n  ${''.padEnd(44)} key ${spec.key}, default ${defaultOf(spec.key)}`;
  });
  return [
    'Usage: aiclient2api [options]',
    '       aiclient2api --config path/to/config.json',
    '       aiclient2api auth <name>            log in to a backend (aiclient2api auth --help lists them)',
    '       aiclient2api usage [--since 24h] [--by provider,model]   usage table from the usage database',
    '',
    'An LLM API gateway: OpenAI, Claude and Gemini clients in front of many backends.',
    `Options override ${DEFAULT_CONFIG_PATH} (relative to the working directory), which overrides defaults.`,
    '',
    `  ${'--config <path>'.padEnd(44)} config file (default ${DEFAULT_CONFIG_PATH}; missing = defaults)`,
    `  ${'--help, -h'.padEnd(44)} this help`,
    `  ${'--version, -v'.padEnd(44)} print the version`,
    ...rows,
    '',
  ].join('\n');
}
