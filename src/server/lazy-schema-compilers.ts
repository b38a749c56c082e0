import { createRequire } from 'node:module';
import type { FastifyServerOptions } from 'fastify';

/**
 * Fastify loads Ajv and fast-json-stringify's compiler (with their JSON Schema resolvers and formats:
 * about 2 MB of idle RSS) when the server is created, whether or not a route has a schema. These
 * factories load the same compilers on first use, i.e. only once a route declares a schema.
 * (Handing fastify a factory marks the validator "custom", which only means header schemas are passed
 * to it as written instead of lower-cased: the gateway's routes have none.)
 */
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

type CompilerFactory = (...args: unknown[]) => unknown;

function loadedOnFirstUse(packageName: string): CompilerFactory {
  let factory: CompilerFactory | undefined;
  return (...args) => {
    factory ??= (requireFromFastify(packageName) as () => CompilerFactory)();
    return factory(...args);
  };
}

export function lazySchemaController(): FastifyServerOptions['schemaController'] {
  return {
    compilersFactory: {
      buildValidator: loadedOnFirstUse('@fastify/ajv-compiler'),
      buildSerializer: loadedOnFirstUse('@fastify/fast-json-stringify-compiler'),
    } as NonNullable<FastifyServerOptions['schemaController']>['compilersFactory'],
  };
}
