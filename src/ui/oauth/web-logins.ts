/**
 * OAuth logins started from the admin console, reusing the CLI logins' pieces: Gemini's
 * authorization-code flow with PKCE (the browser comes back to the gateway, or the person pastes the
 * final URL when the gateway runs elsewhere), Qwen's device code (polled here), and a Kiro token
 * upload. Each success writes a credential file (0600, atomic) and adds a pools entry using it.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { GatewayConfig } from '../../config/schema.js';
import { GatewayError, isGatewayError } from '../../errors/gateway-error.js';
import { parseKiroCredentials } from '../../providers/claude-kiro-oauth/kiro-credentials.js';
import { postTokenForm, toCredentialFields } from '../../providers/gemini-cli-oauth/google-token-endpoint.js';
import { DEFAULT_LOGIN_PORT, GEMINI_OAUTH_SCOPES, readGeminiSettings } from '../../providers/gemini-cli-oauth/gemini-settings.js';
import { pollForToken, readDeviceCode, realClock } from '../../providers/openai-qwen-oauth/qwen-device-login.js';
import { QWEN_CLIENT_ID, QWEN_SCOPE, readQwenSettings } from '../../providers/openai-qwen-oauth/qwen-settings.js';
import { mergeTokenAnswer, postOAuthForm } from '../../providers/openai-qwen-oauth/qwen-token-endpoint.js';
import { writeCredentialFileAtomic } from '../../providers/shared/oauth/credential-file.js';
import { createPkcePair } from '../../providers/shared/oauth/pkce.js';
import type { UpstreamHttpClient } from '../../upstream/http-client.js';
import { loginDispatcher } from '../../upstream/proxy/login-dispatcher.js';
import { loginProxyUrl } from '../../upstream/proxy/proxy-url.js';
import type { PoolsFileEditor } from '../pools-file-editor.js';
import { describeFlow, LoginFlows, type LoginFlow } from './login-flows.js';

const GEMINI_FLOW_TTL_MS = 10 * 60_000;

interface GeminiSecret {
  readonly verifier: string;
  readonly redirectUri: string;
  readonly group: string;
  readonly projectId?: string;
}

export interface WebLoginsOptions {
  readonly config: GatewayConfig;
  readonly cwd: string;
  readonly editor: PoolsFileEditor;
  readonly http: () => UpstreamHttpClient;
}

function invalid(message: string): GatewayError {
  return new GatewayError('invalid_request', 'invalid_request', message, { status: 400, scope: 'request' });
}

function optionalText(body: Record<string, unknown>, key: string): string | undefined {
  const value = body[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`${key}: expected a string`);
  return value.trim() || undefined;
}

function bodyObject(body: unknown): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('body: expected a JSON object');
  return body as Record<string, unknown>;
}

/** A message safe for the page: our own errors say what went wrong; anything else stays generic. */
function publicMessage(error: unknown): string {
  return isGatewayError(error) ? error.message : 'the login could not be completed (see the gateway log)';
}

/** Only loopback names are allowed as redirect targets by Google's installed-app clients. */
function loopbackOrigin(hostHeader: string | undefined, port: number): string {
  const host = hostHeader ?? '';
  if (/^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host)) return `http://${host}`;
  return `http://localhost:${port}`;
}

export class WebLogins {
  readonly #options: WebLoginsOptions;
  readonly #flows = new LoginFlows();
  readonly #credentialsDirectory: string;

  constructor(options: WebLoginsOptions) {
    this.#options = options;
    // Beside the pools file, which references them: one folder per backend.
    this.#credentialsDirectory = path.join(path.dirname(path.resolve(options.cwd, options.editor.filePath)), 'oauth');
  }

  flowStatus(id: string): Record<string, unknown> {
    const flow = this.#flows.get(id);
    if (!flow) throw new GatewayError('unknown_login', 'not_found', 'No such login (it may have expired): start again', { status: 404, scope: 'request' });
    return describeFlow(flow);
  }

  startGemini(body: unknown, hostHeader: string | undefined, gatewayPort: number): Record<string, unknown> {
    const input = bodyObject(body);
    const mode = input.mode ?? 'redirect';
    if (mode !== 'redirect' && mode !== 'paste') throw invalid('mode: expected "redirect" or "paste"');
    const settings = readGeminiSettings(this.#options.config);
    const { verifier, challenge } = createPkcePair();
    // In paste mode the browser ends on Gemini CLI's usual loopback address, which need not answer:
    // the person copies that address from the browser and pastes it here.
    const redirectUri =
      mode === 'redirect' ? `${loopbackOrigin(hostHeader, gatewayPort)}/api/oauth/gemini/callback` : `http://localhost:${DEFAULT_LOGIN_PORT}/oauth2callback`;
    const flow = this.#flows.start<GeminiSecret>('gemini-cli-oauth', GEMINI_FLOW_TTL_MS, {
      verifier,
      redirectUri,
      group: optionalText(input, 'group') ?? 'gemini-cli-oauth',
      projectId: optionalText(input, 'projectId'),
    });
    const authUrl = new URL(settings.authUrl);
    const query = {
      client_id: settings.clientId,
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: GEMINI_OAUTH_SCOPES.join(' '),
      access_type: 'offline',
      prompt: 'select_account consent',
      state: flow.id,
      code_challenge: challenge,
      code_challenge_method: 'S256',
    };
    for (const [key, value] of Object.entries(query)) authUrl.searchParams.set(key, value);
    return { ...describeFlow(flow), mode, authUrl: authUrl.toString(), redirectUri };
  }

  /** The browser's return to /api/oauth/gemini/callback: answers what the page shows next. */
  async completeGeminiRedirect(query: Record<string, string | undefined>): Promise<Record<string, string>> {
    const flow = query.state ? this.#flows.get<GeminiSecret>(query.state) : undefined;
    if (flow?.provider !== 'gemini-cli-oauth' || flow.status !== 'pending') return { login: 'failed', message: 'unknown or expired login: start again' };
    await this.#finishGemini(flow, query.code, query.error);
    return { login: flow.status, message: flow.message ?? '', ...(flow.uuid ? { uuid: flow.uuid } : {}) };
  }

  async completeGeminiPaste(body: unknown): Promise<Record<string, unknown>> {
    const pasted = optionalText(bodyObject(body), 'url');
    if (!pasted) throw invalid('url: paste the address the browser ended on after signing in');
    let params: URLSearchParams;
    try {
      params = pasted.includes('://') ? new URL(pasted).searchParams : new URLSearchParams(pasted.replace(/^[^?]*\?/, ''));
    } catch {
      throw invalid('url: not an address; copy the whole address from the browser');
    }
    const state = params.get('state');
    const flow = state ? this.#flows.get<GeminiSecret>(state) : undefined;
    if (flow?.provider !== 'gemini-cli-oauth') throw invalid('url: it belongs to no login started here (or the login expired): start again');
    if (flow.status !== 'pending') return describeFlow(flow);
    await this.#finishGemini(flow, params.get('code') ?? undefined, params.get('error') ?? undefined);
    if ((flow.status as string) === 'failed')
      throw new GatewayError('oauth_login_failed', 'invalid_request', flow.message ?? 'login failed', { status: 400, scope: 'request' });
    return describeFlow(flow);
  }

  async #finishGemini(flow: LoginFlow<GeminiSecret>, code: string | undefined, error: string | undefined): Promise<void> {
    if (error || !code) {
      this.#flows.finish(flow, { status: 'failed', message: `Google did not sign in: ${error ?? 'no authorization code in the address'}` });
      return;
    }
    // Claimed before the exchange: a second paste of the same address cannot run it twice.
    flow.status = 'done';
    try {
      const settings = readGeminiSettings(this.#options.config);
      const token = await postTokenForm(
        // Through PROXY_URL when gemini-cli-oauth is in PROXY_ENABLED_PROVIDERS, as the CLI login does.
        this.#options.http().viaProxy(loginProxyUrl('gemini-cli-oauth', this.#options.config)),
        settings.tokenUrl,
        {
          grant_type: 'authorization_code',
          code,
          redirect_uri: flow.secret.redirectUri,
          client_id: settings.clientId,
          client_secret: settings.clientSecret,
          code_verifier: flow.secret.verifier,
        },
        { purpose: 'exchanging the authorization code', errorCode: 'oauth_login_failed', retryHint: 'start the login again' },
      );
      if (!token.refresh_token)
        throw new GatewayError('oauth_login_failed', 'auth', 'Google returned no refresh token: start again and accept the consent screen', { status: 400 });
      const file = await this.#writeCredentials('gemini', toCredentialFields(token));
      const entry = await this.#options.editor.add(flow.secret.group, {
        GEMINI_OAUTH_CREDS_FILE_PATH: file,
        ...(flow.secret.projectId ? { PROJECT_ID: flow.secret.projectId } : {}),
      });
      this.#flows.finish(flow, { status: 'done', message: `Signed in; account added to ${flow.secret.group}`, uuid: String(entry.uuid) });
    } catch (failure) {
      this.#flows.finish(flow, { status: 'failed', message: publicMessage(failure) });
    }
  }

  async startQwen(body: unknown): Promise<Record<string, unknown>> {
    const input = bodyObject(body);
    const group = optionalText(input, 'group') ?? 'openai-qwen-oauth';
    const settings = readQwenSettings(this.#options.config, this.#options.cwd);
    const { verifier, challenge } = createPkcePair();
    let answer;
    try {
      answer = await postOAuthForm(
        `${settings.oauthBaseUrl}/api/v1/oauth2/device/code`,
        { client_id: QWEN_CLIENT_ID, scope: QWEN_SCOPE, code_challenge: challenge, code_challenge_method: 'S256' },
        AbortSignal.timeout(30_000),
        loginDispatcher('openai-qwen-oauth', this.#options.config),
      );
    } catch {
      throw new GatewayError('oauth_login_failed', 'network', `Cannot reach the Qwen OAuth server ${settings.oauthBaseUrl}`, { status: 502, scope: 'request' });
    }
    const code = readDeviceCode(answer);
    const controller = new AbortController();
    const flow = this.#flows.start('openai-qwen-oauth', code.expiresInMs, { controller });
    const timer = setTimeout(() => controller.abort(), code.expiresInMs + 5_000);
    timer.unref();
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    // Polled here in the background: the page only reads the flow's status.
    void pollForToken(
      `${settings.oauthBaseUrl}/api/v1/oauth2/token`,
      code,
      verifier,
      { settings: this.#options.config, cwd: this.#options.cwd, output: discard, signal: controller.signal },
      realClock,
    )
      .then(async (token) => {
        const file = await this.#writeCredentials('qwen', mergeTokenAnswer({}, token, Date.now()));
        const entry = await this.#options.editor.add(group, { QWEN_OAUTH_CREDS_FILE_PATH: file });
        this.#flows.finish(flow, { status: 'done', message: `Logged in; account added to ${group}`, uuid: String(entry.uuid) });
      })
      .catch((failure: unknown) => this.#flows.finish(flow, { status: 'failed', message: publicMessage(failure) }))
      .finally(() => clearTimeout(timer));
    return { ...describeFlow(flow), userCode: code.userCode, verificationUrl: code.verificationUrl };
  }

  async importKiro(body: unknown): Promise<Record<string, unknown>> {
    const input = bodyObject(body);
    const group = optionalText(input, 'group') ?? 'claude-kiro-oauth';
    let token = input.token;
    if (typeof token === 'string') {
      try {
        token = JSON.parse(token) as unknown;
      } catch {
        throw invalid('token: not JSON; upload the kiro-auth-token.json file as it is');
      }
    }
    if (typeof token !== 'object' || token === null || Array.isArray(token)) throw invalid('token: expected the JSON object of a Kiro token file');
    const fields = token as Record<string, unknown>;
    let credentials;
    try {
      credentials = await parseKiroCredentials(fields, undefined);
    } catch (failure) {
      throw invalid(`token: ${publicMessage(failure)}`);
    }
    if (!credentials.accessToken && !credentials.refreshToken) throw invalid('token: neither accessToken nor refreshToken: is it a Kiro token file?');
    if (credentials.authMethod === 'idc' && !credentials.clientSource) {
      throw invalid(
        'token: an IdC / Builder ID login needs its client registration: add clientId and clientSecret from the <clientIdHash>.json file beside it',
      );
    }
    const file = await this.#writeCredentials('kiro', fields);
    const entry = await this.#options.editor.add(group, { KIRO_OAUTH_CREDS_FILE_PATH: file });
    return {
      uuid: entry.uuid,
      group,
      file,
      authMethod: credentials.authMethod,
      expiresAt: credentials.expiresAtMs === undefined ? undefined : new Date(credentials.expiresAtMs).toISOString(),
      hasRefreshToken: Boolean(credentials.refreshToken),
    };
  }

  async #writeCredentials(folder: string, fields: Record<string, unknown>): Promise<string> {
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(3).toString('hex')}.json`;
    const file = path.join(this.#credentialsDirectory, folder, name);
    await writeCredentialFileAtomic(file, fields);
    return file;
  }
}
