// The reference floor: a bare node:http pass-through with an undici pool, no parsing, no logging.
import { createServer } from 'node:http';
import { Pool } from 'undici';

// Enough connections for the idle-streams measurement (each open stream holds one).
const upstream = new Pool(process.argv[2], { connections: 2048 });
const server = createServer((request, response) => {
  const chunks = [];
  request.on('data', (chunk) => chunks.push(chunk));
  request.on('end', async () => {
    try {
      const { statusCode, headers, body } = await upstream.request({
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(statusCode, { 'content-type': headers['content-type'] });
      for await (const chunk of body) response.write(chunk);
      response.end();
    } catch {
      response.destroy();
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => process.send?.({ port: server.address().port }));
process.on('disconnect', () => process.exit(0));
