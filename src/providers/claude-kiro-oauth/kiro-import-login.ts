import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigError } from '../../config/config-error.js';
import { expandHome, writeCredentialFileAtomic } from '../shared/oauth/credential-file.js';
import type { CliLogin, CliLoginContext } from '../provider-adapter.js';
import { parseKiroCredentials } from './kiro-credentials.js';
import { DEFAULT_CREDS_DIRECTORY, DEFAULT_CREDS_FILE_NAME, resolveCredsFilePath } from './kiro-settings.js';

const USAGE = 'Usage: aiclient2api auth kiro [--from FILE] [--to FILE]';

function parseArgs(args: readonly string[]): { from: string | undefined; to: string | undefined } {
  let from: string | undefined;
  let to: string | undefined;
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] as string;
    const [flag, inline] = argument.includes('=') ? argument.split(/=(.*)/s, 2) : [argument, undefined];
    const value = () => inline ?? args[(index += 1)];
    if (flag === '--from') from = value();
    else if (flag === '--to') to = value();
    else if (flag === '--help' || flag === '-h') throw new ConfigError(USAGE);
    else throw new ConfigError(`Unknown option ${argument}. ${USAGE}`);
  }
  return { from, to };
}

function describeExpiry(expiresAtMs: number | undefined): string {
  if (expiresAtMs === undefined) return 'unknown (no expiresAt)';
  const minutes = Math.round((expiresAtMs - Date.now()) / 60_000);
  const when = new Date(expiresAtMs).toISOString();
  return minutes > 0 ? `${when} (in ${minutes} min)` : `${when} (expired; the gateway refreshes it on first use)`;
}

/**
 * `aiclient2api auth kiro --from FILE`: takes a token Kiro IDE wrote (default
 * ~/.aws/sso/cache/kiro-auth-token.json), checks it, and writes it atomically where the gateway reads
 * it. An IdC login's client registration (`<clientIdHash>.json` beside the source) is copied inline, so
 * the imported file refreshes on its own wherever it lives. No secret is printed.
 */
export async function runKiroImport(args: readonly string[], context: CliLoginContext): Promise<void> {
  const options = parseArgs(args);
  const source = path.resolve(context.cwd, expandHome(options.from ?? path.join(DEFAULT_CREDS_DIRECTORY, DEFAULT_CREDS_FILE_NAME)));
  const target = options.to ? path.resolve(context.cwd, expandHome(options.to)) : resolveCredsFilePath(context.settings);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(source, 'utf8'));
  } catch (error) {
    throw new ConfigError(`Cannot read a Kiro token from ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${source} does not hold a JSON object`);
  const token = raw as Record<string, unknown>;
  const credentials = await parseKiroCredentials(token, path.dirname(source));
  if (!credentials.accessToken && !credentials.refreshToken) {
    throw new ConfigError(`${source} has neither accessToken nor refreshToken: is it a Kiro token file?`);
  }
  if (!credentials.refreshToken) context.output.write('warning: no refreshToken: the token cannot be renewed when it expires\n');
  if (credentials.authMethod === 'idc' && !credentials.clientSource) {
    throw new ConfigError(
      `${source} is an IdC/Builder ID login but its client registration (clientId/clientSecret, or ${String(token.clientIdHash ?? '<clientIdHash>')}.json beside it) was not found`,
    );
  }
  const output: Record<string, unknown> = { ...token };
  if (credentials.authMethod === 'idc' && credentials.clientSource !== 'inline') {
    output.clientId = credentials.clientId;
    output.clientSecret = credentials.clientSecret;
  }
  if (source !== target) await writeCredentialFileAtomic(target, output);
  const lines = [
    `Kiro token ${source === target ? 'checked in place' : 'imported'}: ${target}`,
    `  auth method: ${credentials.authMethod === 'social' ? `social (${String(token.provider ?? token.socialProvider ?? 'Google/GitHub')})` : `IdC / Builder ID (${String(token.authMethod ?? 'IdC')})`}`,
    `  region: ${credentials.region}${credentials.authMethod === 'idc' ? `, OIDC region: ${credentials.idcRegion}` : ''}`,
    `  access token expires: ${describeExpiry(credentials.expiresAtMs)}`,
    `  refresh token: ${credentials.refreshToken ? 'present' : 'missing'}`,
    `  profileArn: ${credentials.profileArn ?? 'none'}`,
    ...(credentials.authMethod === 'idc' ? [`  client registration: ${credentials.clientSource}`] : []),
    `Set KIRO_OAUTH_CREDS_FILE_PATH to ${target} (or keep the default) and MODEL_PROVIDER to claude-kiro-oauth.`,
  ];
  context.output.write(`${lines.join('\n')}\n`);
}

export const kiroImportLogin: CliLogin = {
  command: 'kiro',
  summary: 'import a Kiro IDE token (--from FILE, default ~/.aws/sso/cache/kiro-auth-token.json)',
  run: runKiroImport,
};
