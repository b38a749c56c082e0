/**
 * Serves the built admin console (dist/ui/public) from memory: the few files are read and gzipped
 * once, on the first /ui request, so a gateway whose console is never opened never reads them.
 */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { FastifyReply, FastifyRequest } from 'fastify';

interface StaticFile {
  readonly body: Buffer;
  readonly gzip: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly cacheControl: string;
}

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json; charset=utf-8',
};

/** Same place from src/ui (tests run the sources) and dist/ui (the built package). */
export const DEFAULT_PUBLIC_DIRECTORY = fileURLToPath(new URL('../../dist/ui/public/', import.meta.url));

/** Only the console's own scripts and styles; uPlot sets inline style attributes, hence style-src-attr. */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

async function listFiles(directory: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true });
  const files: string[] = [];
  for (const entry of entries) {
    const relative = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) files.push(...(await listFiles(path.join(directory, entry.name), relative)));
    else files.push(relative);
  }
  return files;
}

export interface StaticSite {
  send(request: FastifyRequest, reply: FastifyReply, relativePath: string): FastifyReply;
}

export async function loadStaticSite(directory = DEFAULT_PUBLIC_DIRECTORY): Promise<StaticSite | undefined> {
  let names: string[];
  try {
    names = await listFiles(directory);
  } catch {
    return undefined;
  }
  if (!names.includes('index.html')) return undefined;
  const files = new Map<string, StaticFile>();
  for (const name of names) {
    const body = await readFile(path.join(directory, name));
    files.set(name, {
      body,
      gzip: gzipSync(body),
      type: TYPES[path.extname(name)] ?? 'application/octet-stream',
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 16)}"`,
      // Asset names carry their content hash: cache them for good. index.html names them: always revalidate.
      cacheControl: name.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
  }
  const index = files.get('index.html') as StaticFile;
  return {
    send(request, reply, relativePath) {
      const file = files.get(relativePath) ?? (relativePath.startsWith('assets/') ? undefined : index);
      if (!file) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
      reply.headers({ ...SECURITY_HEADERS, 'content-type': file.type, 'cache-control': file.cacheControl, etag: file.etag, vary: 'accept-encoding' });
      if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
      const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
      if (acceptsGzip) reply.header('content-encoding', 'gzip');
      return reply.send(acceptsGzip ? file.gzip : file.body);
    },
  };
}
