import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
  /** Resolves when the connection that carried this request closes or its response is aborted. */
  readonly closed: Promise<void>;
  json<T = Record<string, unknown>>(): T;
}

export type MockHandler = (request: RecordedRequest, response: ServerResponse) => void | Promise<void>;

export interface MockServer {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Handlers used once each, before the default, in order. */
  enqueue(...handlers: MockHandler[]): void;
  close(): Promise<void>;
}

/** A loopback HTTP server that records every request and answers from a script or a default handler. */
export async function startMockServer(defaultHandler: MockHandler): Promise<MockServer> {
  const requests: RecordedRequest[] = [];
  const queue: MockHandler[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer(async (incoming, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(incoming.url ?? '/', 'http://127.0.0.1');
    const closed = new Promise<void>((resolve) => {
      response.once('close', () => resolve());
    });
    const recorded: RecordedRequest = {
      method: incoming.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: incoming.headers,
      body,
      closed,
      json: <T>() => JSON.parse(body.toString('utf8')) as T,
    };
    requests.push(recorded);
    const handler = queue.shift() ?? defaultHandler;
    try {
      await handler(recorded, response);
    } catch (error) {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: { message: String(error) } }));
    }
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...handlers) => queue.push(...handlers),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Writes SSE frames one by one with an optional pause, as a real upstream does. */
export async function sendSse(response: ServerResponse, frames: readonly string[], pauseMs = 0): Promise<void> {
  response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  for (const frame of frames) {
    if (response.destroyed) return;
    response.write(frame);
    if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
  }
  response.end();
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
