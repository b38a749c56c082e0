import fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaController } from './lazy-schema-compilers.js';

describe('lazySchemaController', () => {
  it('still validates and serializes routes that declare schemas, loading the compilers on first use', async () => {
    const app = fastify({ schemaController: lazySchemaController() });
    app.post(
      '/echo',
      {
        schema: {
          body: { type: 'object', required: ['name'], properties: { name: { type: 'string' } } },
          response: { 200: { type: 'object', properties: { greeting: { type: 'string' } } } },
        },
      },
      async (request) => ({ greeting: `hi ${(request.body as { name: string }).name}`, secret: 'not in the schema' }),
    );
    const url = await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const ok = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"ada"}' });
      expect(await ok.json()).toStrictEqual({ greeting: 'hi ada' });
      const bad = await fetch(`${url}/echo`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toContain("must have required property 'name'");
    } finally {
      await app.close();
    }
  });
});
