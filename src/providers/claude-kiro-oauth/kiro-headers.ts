import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { KiroCredentials } from './kiro-credentials.js';
import type { KiroSettings } from './kiro-settings.js';

const SDK_VERSION = '1.0.34';

/**
 * Kiro IDE sends a per-installation machine id. Ours is stable per account: the pool instance's uuid,
 * else the credential file's path, else the profile ARN or client id. The original put the profile ARN
 * before the path, but every social account can share one consumer ARN, which made all accounts look
 * like one machine.
 */
export function machineIdFor(settings: KiroSettings, credentials: KiroCredentials): string {
  const seed = settings.instanceId ?? settings.credsFilePath ?? credentials.profileArn ?? credentials.clientId ?? 'KIRO_DEFAULT_MACHINE';
  return createHash('sha256').update(seed).digest('hex');
}

function osName(): string {
  const platform = os.platform();
  const name = platform === 'win32' ? 'windows' : platform === 'darwin' ? 'macos' : platform;
  return `${name}#${os.release()}`;
}

/**
 * The header set Kiro IDE sends (providers.md §4.2); the x-amz-user-agent form is checked upstream.
 * `Connection: close` is left out: undici keeps connections alive, which is what we want.
 */
export function kiroHeaders(options: { clientVersion: string; machineId: string; accessToken?: string | undefined }): Record<string, string> {
  const kiroAgent = `KiroIDE-${options.clientVersion}-${options.machineId}`;
  return {
    'content-type': 'application/json',
    accept: 'application/json',
    'amz-sdk-invocation-id': randomUUID(),
    'amz-sdk-request': 'attempt=1; max=3',
    'x-amzn-codewhisperer-optout': 'true',
    'x-amzn-kiro-agent-mode': 'vibe',
    'x-amz-user-agent': `aws-sdk-js/${SDK_VERSION} ${kiroAgent}`,
    'user-agent': `aws-sdk-js/${SDK_VERSION} ua/2.1 os/${osName()} lang/js md/nodejs#${process.versions.node} api/codewhispererstreaming#${SDK_VERSION} m/E ${kiroAgent}`,
    ...(options.accessToken && { authorization: `Bearer ${options.accessToken}` }),
  };
}
