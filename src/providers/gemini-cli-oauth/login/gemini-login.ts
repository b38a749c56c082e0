import path from 'node:path';
import { ConfigError } from '../../../config/config-error.js';
import { GatewayError } from '../../../errors/gateway-error.js';
import { UpstreamHttpClient } from '../../../upstream/http-client.js';
import { loginProxyUrl } from '../../../upstream/proxy/proxy-url.js';
import type { CliLogin, CliLoginContext } from '../../provider-adapter.js';
import { writeCredentialFileAtomic } from '../../shared/oauth/credential-file.js';
import { postTokenForm, toCredentialFields } from '../google-token-endpoint.js';
import { DEFAULT_LOGIN_PORT, GEMINI_OAUTH_SCOPES, readGeminiSettings } from '../gemini-settings.js';
import { startCallbackServer } from './loopback-callback-server.js';
import { createOAuthState, createPkcePair } from '../../shared/oauth/pkce.js';

interface LoginOptions {
  port: number;
  output: string | undefined;
  timeoutMs: number;
}

function parseLoginArgs(args: readonly string[], settings: Readonly<Record<string, unknown>>): LoginOptions {
  const options: LoginOptions = { port: DEFAULT_LOGIN_PORT, output: undefined, timeoutMs: 300_000 };
  const configuredPort = Number(settings.GEMINI_OAUTH_CALLBACK_PORT);
  if (Number.isInteger(configuredPort) && configuredPort >= 0 && configuredPort <= 65535 && settings.GEMINI_OAUTH_CALLBACK_PORT !== undefined)
    options.port = configuredPort;
  for (let index = 0; index < args.length; index += 1) {
    const [flag, inline] = (args[index] as string).split(/=(.*)/s, 2) as [string, string | undefined];
    const value = () => inline ?? args[(index += 1)] ?? '';
    if (flag === '--port') {
      const port = Number(value());
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new ConfigError(`--port must be a port number (0-65535), got "${args[index]}"`);
      options.port = port;
    } else if (flag === '--output') options.output = value();
    else if (flag === '--timeout-seconds') {
      const seconds = Number(value());
      if (!(seconds > 0)) throw new ConfigError('--timeout-seconds must be a positive number');
      options.timeoutMs = seconds * 1000;
    } else throw new ConfigError(`Unknown option "${flag}" for \`aiclient2api auth gemini\` (options: --port N, --output PATH, --timeout-seconds N)`);
  }
  return options;
}

function loginError(message: string): GatewayError {
  return new GatewayError('oauth_login_failed', 'auth', `gemini login: ${message}`, { status: 401, scope: 'account' });
}

async function runGeminiLogin(args: readonly string[], context: CliLoginContext): Promise<void> {
  const settings = readGeminiSettings(context.settings);
  const options = parseLoginArgs(args, context.settings);
  const target = path.resolve(context.cwd, options.output ?? settings.credsFilePath);
  const { verifier, challenge } = createPkcePair();
  const state = createOAuthState();
  const server = await startCallbackServer({ port: options.port, state, timeoutMs: options.timeoutMs, signal: context.signal }).catch((error: Error) => {
    throw loginError(`cannot listen on port ${options.port} for the browser's redirect (${error.message}); pick another with --port`);
  });
  const http = new UpstreamHttpClient({
    connectTimeoutMs: 10_000,
    headersTimeoutMs: 30_000,
    bodyTimeoutMs: 30_000,
    maxRetries: 2,
    baseDelayMs: 500,
    proxyUrl: loginProxyUrl('gemini-cli-oauth', context.settings),
  });
  try {
    const authUrl = new URL(settings.authUrl);
    const query = {
      client_id: settings.clientId,
      redirect_uri: server.redirectUri,
      response_type: 'code',
      scope: GEMINI_OAUTH_SCOPES.join(' '),
      access_type: 'offline',
      // consent: Google only returns a refresh token when the consent screen was shown.
      prompt: 'select_account consent',
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    for (const [key, value] of Object.entries(query)) authUrl.searchParams.set(key, value);
    context.output.write(
      `Open this URL in a browser and sign in with the Google account to use for Gemini:\n\n  ${authUrl.toString()}\n\n` +
        `Waiting for the browser to come back to ${server.redirectUri} ...\n` +
        `(On a remote machine, forward the port first: ssh -L ${server.port}:localhost:${server.port} HOST)\n`,
    );
    let callback;
    try {
      callback = await server.result;
    } catch (error) {
      throw loginError((error as Error).message);
    }
    try {
      const token = await postTokenForm(
        http,
        settings.tokenUrl,
        {
          grant_type: 'authorization_code',
          code: callback.code,
          redirect_uri: server.redirectUri,
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          code_verifier: verifier,
        },
        { purpose: 'exchanging the authorization code', errorCode: 'oauth_login_failed', retryHint: 'run `aiclient2api auth gemini` again' },
      );
      if (!token.refresh_token) throw loginError('Google returned no refresh token; run the login again and accept the consent screen');
      await writeCredentialFileAtomic(target, toCredentialFields(token));
      callback.reply(true, 'Signed in. You can close this window and return to the terminal.');
    } catch (error) {
      callback.reply(false, 'The sign-in could not be completed; see the terminal for details.');
      throw error;
    }
    context.output.write(
      `Saved Gemini credentials to ${target} (mode 0600).\n` +
        `Use them with MODEL_PROVIDER "gemini-cli-oauth"${target === settings.credsFilePath ? '' : ` and GEMINI_OAUTH_CREDS_FILE_PATH "${target}"`}.\n`,
    );
  } finally {
    await server.close();
    await http.close();
  }
}

/** `aiclient2api auth gemini`: Google's loopback OAuth flow for installed apps, with PKCE and state. */
export const geminiLogin: CliLogin = {
  command: 'gemini',
  summary: 'sign in with Google (OAuth in the browser) and save Gemini CLI credentials',
  run: runGeminiLogin,
};
