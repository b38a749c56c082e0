import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError } from '../../config/config-error.js';
import { GatewayError } from '../../errors/gateway-error.js';
import type { CliLogin, CliLoginContext } from '../provider-adapter.js';
import { readCredentialFile, writeCredentialFileAtomic } from '../shared/oauth/credential-file.js';
import { createPkcePair } from '../shared/oauth/pkce.js';
import { QWEN_CLIENT_ID, QWEN_DEVICE_GRANT, QWEN_SCOPE, readQwenSettings } from './qwen-settings.js';
import { describeOAuthError, mergeTokenAnswer, postOAuthForm, type OAuthAnswer } from './qwen-token-endpoint.js';
import { loginDispatcher } from '../../upstream/proxy/login-dispatcher.js';

/** RFC 8628 defaults when the server leaves them out. */
const DEFAULT_INTERVAL_SECONDS = 5;
const DEFAULT_EXPIRES_IN_SECONDS = 300;
const SLOW_DOWN_STEP_MS = 5_000;

export interface DeviceLoginClock {
  readonly sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly now: () => number;
}

export const realClock: DeviceLoginClock = { sleep: (ms, signal) => delay(ms, undefined, { signal }), now: Date.now };

function loginFailed(message: string, cause?: unknown): GatewayError {
  return new GatewayError('oauth_login_failed', 'auth', `Qwen login failed: ${message}`, { status: 401, scope: 'request', cause });
}

function parseArgs(args: readonly string[]): { credentialsFile?: string } {
  const parsed: { credentialsFile?: string } = {};
  for (let index = 0; index < args.length; index += 1) {
    const argument = args[index] as string;
    if (argument === '--creds-file') parsed.credentialsFile = args[(index += 1)];
    else if (argument.startsWith('--creds-file=')) parsed.credentialsFile = argument.slice('--creds-file='.length);
    else throw new ConfigError(`Unknown option for "auth qwen": ${argument} (usage: aiclient2api auth qwen [--config PATH] [--creds-file PATH])`);
  }
  if (parsed.credentialsFile === '') throw new ConfigError('--creds-file needs a path');
  return parsed;
}

export interface DeviceCode {
  readonly deviceCode: string;
  readonly userCode: string | undefined;
  readonly verificationUrl: string;
  readonly expiresInMs: number;
  readonly intervalMs: number;
}

export function readDeviceCode(answer: OAuthAnswer): DeviceCode {
  const { body } = answer;
  if (answer.status < 200 || answer.status >= 300) throw loginFailed(`device code request refused (${describeOAuthError(answer)})`);
  const deviceCode = typeof body.device_code === 'string' ? body.device_code : '';
  const complete = typeof body.verification_uri_complete === 'string' ? body.verification_uri_complete : '';
  if (!deviceCode || !complete) throw loginFailed('the device code answer lacks device_code or verification_uri_complete');
  const expiresIn = Number(body.expires_in);
  const interval = Number(body.interval);
  return {
    deviceCode,
    userCode: typeof body.user_code === 'string' ? body.user_code : undefined,
    verificationUrl: complete,
    expiresInMs: (Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : DEFAULT_EXPIRES_IN_SECONDS) * 1000,
    // Polling faster than the server's interval earns slow_down answers; never below one second.
    intervalMs: Math.max(1, Number.isFinite(interval) && interval > 0 ? interval : DEFAULT_INTERVAL_SECONDS) * 1000,
  };
}

/** Progress on one rewritten line when a person watches a terminal, one line per poll otherwise. */
function createProgress(output: NodeJS.WritableStream): { update(text: string): void; done(): void } {
  const tty = (output as { isTTY?: boolean }).isTTY === true;
  let shown = false;
  return {
    update(text) {
      output.write(tty ? `\r${text}\u001b[K` : `${text}\n`);
      shown = true;
    },
    done() {
      if (tty && shown) output.write('\n');
    },
  };
}

export async function pollForToken(
  tokenUrl: string,
  code: DeviceCode,
  verifier: string,
  context: CliLoginContext,
  clock: DeviceLoginClock,
): Promise<Record<string, unknown>> {
  const startedAt = clock.now();
  const deadline = startedAt + code.expiresInMs;
  const progress = createProgress(context.output);
  let intervalMs = code.intervalMs;
  try {
    for (;;) {
      if (clock.now() + intervalMs > deadline) throw loginFailed('the code expired before it was approved; run the command again');
      await clock.sleep(intervalMs, context.signal).catch((error: unknown) => {
        throw context.signal.aborted ? loginFailed('cancelled') : error;
      });
      let answer: OAuthAnswer;
      try {
        answer = await postOAuthForm(
          tokenUrl,
          { grant_type: QWEN_DEVICE_GRANT, client_id: QWEN_CLIENT_ID, device_code: code.deviceCode, code_verifier: verifier },
          context.signal,
          loginDispatcher('openai-qwen-oauth', context.settings),
        );
      } catch (error) {
        if (context.signal.aborted) throw loginFailed('cancelled');
        // A network blip while a person is still approving is no reason to give up: poll again.
        progress.update(`Cannot reach the Qwen OAuth server (${(error as Error).message}); retrying...`);
        continue;
      }
      if (answer.status >= 200 && answer.status < 300 && typeof answer.body.access_token === 'string') return answer.body;
      const error = answer.body.error;
      const elapsed = Math.round((clock.now() - startedAt) / 1000);
      if (error === 'authorization_pending') {
        progress.update(`Waiting for approval in the browser... ${elapsed}s`);
      } else if (error === 'slow_down') {
        intervalMs += SLOW_DOWN_STEP_MS;
        progress.update(`Waiting for approval in the browser... ${elapsed}s (server asked to slow down: polling every ${intervalMs / 1000}s)`);
      } else if (error === 'expired_token') {
        throw loginFailed('the code expired before it was approved; run the command again');
      } else if (error === 'access_denied') {
        throw loginFailed('access was denied in the browser');
      } else {
        throw loginFailed(`token request refused (${describeOAuthError(answer)})`);
      }
    }
  } finally {
    progress.done();
  }
}

async function readExisting(filePath: string): Promise<Record<string, unknown>> {
  try {
    return await readCredentialFile(filePath, 'openai-qwen-oauth');
  } catch {
    return {};
  }
}

/** `aiclient2api auth qwen`: OAuth 2.0 device authorization (RFC 8628) with PKCE S256 against Qwen's server. */
export function createQwenDeviceLogin(clock: DeviceLoginClock = realClock): CliLogin {
  return {
    command: 'qwen',
    summary: 'log in to Qwen with a device code (writes ~/.qwen/oauth_creds.json or QWEN_OAUTH_CREDS_FILE_PATH)',
    async run(args, context) {
      const options = parseArgs(args);
      const settings = readQwenSettings(
        options.credentialsFile ? { ...context.settings, QWEN_OAUTH_CREDS_FILE_PATH: options.credentialsFile } : context.settings,
        context.cwd,
      );
      const { verifier, challenge } = createPkcePair();
      let answer: OAuthAnswer;
      try {
        answer = await postOAuthForm(
          `${settings.oauthBaseUrl}/api/v1/oauth2/device/code`,
          { client_id: QWEN_CLIENT_ID, scope: QWEN_SCOPE, code_challenge: challenge, code_challenge_method: 'S256' },
          context.signal,
          loginDispatcher('openai-qwen-oauth', context.settings),
        );
      } catch (error) {
        throw loginFailed(`cannot reach ${settings.oauthBaseUrl}: ${(error as Error).message}`, error);
      }
      const code = readDeviceCode(answer);
      context.output.write(
        `To log in to Qwen, open this URL in a browser and approve the request:\n\n  ${code.verificationUrl}\n\n` +
          (code.userCode ? `Code (if the page asks for it): ${code.userCode}\n` : '') +
          `The code is valid for ${Math.round(code.expiresInMs / 60_000)} minutes.\n`,
      );
      const token = await pollForToken(`${settings.oauthBaseUrl}/api/v1/oauth2/token`, code, verifier, context, clock);
      // Qwen Code's format, with expiry_date computed now; fields of an earlier file that we do not know survive.
      const credentials = mergeTokenAnswer(await readExisting(settings.credentialsPath), token, clock.now());
      await writeCredentialFileAtomic(settings.credentialsPath, credentials);
      context.output.write(`Logged in. Credentials written to ${settings.credentialsPath}\n`);
    },
  };
}

export const qwenDeviceLogin: CliLogin = createQwenDeviceLogin();
