import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { GeminiCliOAuthClient } from '../../src/providers/gemini-cli-oauth/gemini-client.js';
import { geminiCliOAuthAdapter } from '../../src/providers/gemini-cli-oauth/index.js';
import type { ProviderClient } from '../../src/providers/provider-adapter.js';
import { UpstreamHttpClient } from '../../src/upstream/http-client.js';
import { INITIAL_ACCESS_TOKEN, startGeminiMock, VALID_REFRESH_TOKEN, type GeminiMock, type GeminiMockOptions } from './gemini-mock.js';

export const HI = { contents: [{ parts: [{ text: 'Hi' }] }] };

export interface GeminiTestSetup {
  mock: GeminiMock;
  client: GeminiCliOAuthClient;
  file: string;
  directory: string;
  logs: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

/**
 * The adapter's client as the gateway creates it, against a fresh Code Assist + OAuth mock, with a
 * Gemini CLI credential file (valid for an hour unless overridden) in a temp directory.
 */
export async function setupGeminiClient(
  options: { mock?: GeminiMockOptions; settings?: Record<string, unknown>; credentials?: Record<string, unknown> } = {},
): Promise<GeminiTestSetup> {
  const mock = await startGeminiMock(options.mock);
  const directory = await mkdtemp(path.join(tmpdir(), 'gemini-creds-'));
  const file = path.join(directory, 'oauth_creds.json');
  const credentials = {
    access_token: INITIAL_ACCESS_TOKEN,
    refresh_token: VALID_REFRESH_TOKEN,
    scope: 'https://www.googleapis.com/auth/cloud-platform',
    token_type: 'Bearer',
    id_token: 'a.b.c',
    expiry_date: Date.now() + 3_600_000,
    written_by: { tool: 'gemini-cli', keep: true },
    ...options.credentials,
  };
  await writeFile(file, JSON.stringify(credentials), { mode: 0o600 });
  const http = new UpstreamHttpClient({ connectTimeoutMs: 2000, headersTimeoutMs: 5000, bodyTimeoutMs: 5000, maxRetries: 0, baseDelayMs: 10 });
  const logs: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const settings = {
    GEMINI_OAUTH_CREDS_FILE_PATH: file,
    GEMINI_BASE_URL: mock.url,
    GEMINI_OAUTH_TOKEN_URL: `${mock.url}/token`,
    GEMINI_ONBOARD_POLL_INTERVAL_MS: 5,
    ...options.settings,
  };
  const client = geminiCliOAuthAdapter.createClient(settings, { http, logger }) as GeminiCliOAuthClient;
  const close = async () => {
    await http.close();
    await mock.close();
  };
  return { mock, client, file, directory, logs, close };
}

/** Calls send() as the gateway does and collects the bytes it yields. */
export async function sendGemini(client: ProviderClient, body: unknown, options: { stream?: boolean; model?: string } = {}) {
  const response = await client.send({
    model: options.model ?? 'gemini-2.5-flash',
    stream: options.stream ?? false,
    body: Buffer.from(JSON.stringify(body)),
    clientHeaders: {},
    signal: new AbortController().signal,
  });
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) chunks.push(chunk);
  return { status: response.status, contentType: response.contentType, text: Buffer.concat(chunks).toString('utf8') };
}

export const generationCalls = (mock: GeminiMock) => [...mock.calls('/v1internal:generateContent'), ...mock.calls('/v1internal:streamGenerateContent')];

/** A Gemini CLI credential file valid for an hour, in a fresh temp folder. */
export async function writeGeminiCredentials(): Promise<string> {
  const directory = await mkdtemp(path.join(tmpdir(), 'gemini-gw-creds-'));
  const file = path.join(directory, 'oauth_creds.json');
  await writeFile(file, JSON.stringify({ access_token: INITIAL_ACCESS_TOKEN, refresh_token: VALID_REFRESH_TOKEN, expiry_date: Date.now() + 3_600_000 }));
  return file;
}

/** Config values that point the gateway's gemini-cli-oauth backend at a mock. */
export function geminiGatewaySettings(mock: GeminiMock, credentialsFile: string): Record<string, unknown> {
  return { GEMINI_OAUTH_CREDS_FILE_PATH: credentialsFile, GEMINI_BASE_URL: mock.url, GEMINI_OAUTH_TOKEN_URL: `${mock.url}/token` };
}
