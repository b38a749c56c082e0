import { createServer as createHttpServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from 'node:net';

/** What a test proxy let through, so tests can prove which calls went via which proxy. */
export interface ProxyLog {
  /** `METHOD absolute-URI` for plain-HTTP forwarding, `CONNECT host:port` for tunnels, `SOCKS host:port` for SOCKS5. */
  readonly passed: string[];
  /** Proxy-Authorization headers seen (HTTP proxy) or `user:password` pairs (SOCKS5). */
  readonly credentials: string[];
  /** Attempts refused for wrong or missing credentials. */
  refused: number;
}

export interface TestProxy extends ProxyLog {
  readonly url: string;
  /** The proxy URL with the given credentials in it. */
  urlWith(user: string, password: string): string;
  close(): Promise<void>;
}

function track(server: Server): { sockets: Set<Socket>; close: () => Promise<void> } {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  return {
    sockets,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/**
 * A real forward proxy on loopback: absolute-URI requests are forwarded, CONNECT opens a tunnel.
 * With `auth` set, requests without the matching Basic Proxy-Authorization get 407.
 */
export async function startHttpProxy(auth?: { user: string; password: string }): Promise<TestProxy> {
  const log: ProxyLog = { passed: [], credentials: [], refused: 0 };
  const expected = auth ? `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}` : undefined;
  const allowed = (request: IncomingMessage) => {
    const given = request.headers['proxy-authorization'];
    if (typeof given === 'string') log.credentials.push(given);
    if (expected !== undefined && given !== expected) {
      log.refused += 1;
      return false;
    }
    return true;
  };
  const server = createHttpServer((request, response) => {
    if (!allowed(request)) {
      response.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"' }).end();
      return;
    }
    log.passed.push(`${request.method} ${request.url}`);
    const target = new URL(request.url ?? '');
    const headers = { ...request.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: target.hostname, port: target.port, path: `${target.pathname}${target.search}`, method: request.method, headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  server.on('connect', (request: IncomingMessage, client: Socket, head: Buffer) => {
    client.on('error', () => undefined);
    if (!allowed(request)) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\n\r\n');
      return;
    }
    log.passed.push(`CONNECT ${request.url}`);
    const [host, port] = (request.url ?? '').split(':');
    const upstream = connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    upstream.on('error', () => client.destroy());
  });
  const tracked = track(server);
  const port = await listen(server);
  return Object.assign(log, {
    url: `http://127.0.0.1:${port}`,
    urlWith: (user: string, password: string) => `http://${user}:${password}@127.0.0.1:${port}`,
    close: tracked.close,
  });
}

/** Reads exactly `length` bytes from a socket (the SOCKS handshake is a few tiny messages). */
function reader(socket: Socket): (length: number) => Promise<Buffer> {
  let buffered = Buffer.alloc(0);
  let waiting: { length: number; resolve: (data: Buffer) => void } | undefined;
  const settle = () => {
    if (waiting && buffered.length >= waiting.length) {
      const { length, resolve } = waiting;
      waiting = undefined;
      const data = buffered.subarray(0, length);
      buffered = buffered.subarray(length);
      resolve(data);
    }
  };
  socket.on('data', (chunk: Buffer) => {
    buffered = Buffer.concat([buffered, chunk]);
    settle();
  });
  return (length) =>
    new Promise((resolve) => {
      waiting = { length, resolve };
      settle();
    });
}

/** A real SOCKS5 server (RFC 1928 CONNECT, RFC 1929 user/password) on loopback. */
export async function startSocks5Proxy(auth?: { user: string; password: string }): Promise<TestProxy> {
  const log: ProxyLog = { passed: [], credentials: [], refused: 0 };
  const server = createTcpServer((client) => {
    client.on('error', () => undefined);
    const read = reader(client);
    void (async () => {
      const [, methodCount] = await read(2);
      const methods = [...(await read(methodCount!))];
      const method = auth ? 0x02 : 0x00;
      if (!methods.includes(method)) {
        log.refused += 1;
        client.end(Buffer.from([0x05, 0xff]));
        return;
      }
      client.write(Buffer.from([0x05, method]));
      if (auth) {
        const [, userLength] = await read(2);
        const user = (await read(userLength!)).toString();
        const [passwordLength] = await read(1);
        const password = (await read(passwordLength!)).toString();
        log.credentials.push(`${user}:${password}`);
        if (user !== auth.user || password !== auth.password) {
          log.refused += 1;
          client.end(Buffer.from([0x01, 0x01]));
          return;
        }
        client.write(Buffer.from([0x01, 0x00]));
      }
      const [, command, , addressType] = await read(4);
      let host: string;
      if (addressType === 0x01) host = [...(await read(4))].join('.');
      else if (addressType === 0x03) host = (await read((await read(1))[0]!)).toString();
      else host = (await read(16)).toString('hex').replace(/(.{4})(?!$)/g, '$1:');
      const port = (await read(2)).readUInt16BE(0);
      if (command !== 0x01) {
        client.end(Buffer.from([0x05, 0x07, 0x00, 0x01, 0, 0, 0, 0, 0, 0]));
        return;
      }
      log.passed.push(`SOCKS ${host}:${port}`);
      const upstream = connect(port, host, () => {
        client.write(Buffer.from([0x05, 0x00, 0x00, 0x01, 127, 0, 0, 1, 0, 0]));
        client.removeAllListeners('data');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.end(Buffer.from([0x05, 0x05, 0x00, 0x01, 0, 0, 0, 0, 0, 0])));
    })();
  });
  const tracked = track(server);
  const port = await listen(server);
  return Object.assign(log, {
    url: `socks5://127.0.0.1:${port}`,
    urlWith: (user: string, password: string) => `socks5://${user}:${password}@127.0.0.1:${port}`,
    close: tracked.close,
  });
}
