import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from '../config/config-error.js';
import type { TokenCounts } from './usage-record.js';

/** USD per million tokens; cache prices default to the input price. */
const Price = z.object({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
  cacheRead: z.number().nonnegative().optional(),
  cacheWrite: z.number().nonnegative().optional(),
});
type Price = z.infer<typeof Price>;
const PricesFile = z.record(z.string(), Price);

export type PriceFunction = (model: string | null, tokens: TokenCounts) => number | undefined;

function globToRegExp(glob: string): RegExp {
  const pattern = glob
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${pattern}$`, 'i');
}

/** Cost of one request: exact model names first, then globs in file order; undefined when unpriced. */
export function createPriceFunction(prices: Readonly<Record<string, Price>>): PriceFunction {
  const exact = new Map<string, Price>();
  const globs: Array<{ pattern: RegExp; price: Price }> = [];
  for (const [name, price] of Object.entries(prices)) {
    if (/[*?]/.test(name)) globs.push({ pattern: globToRegExp(name), price });
    else exact.set(name.toLowerCase(), price);
  }
  const resolved = new Map<string, Price | undefined>();
  const lookup = (model: string): Price | undefined => {
    if (resolved.has(model)) return resolved.get(model);
    const price = exact.get(model.toLowerCase()) ?? globs.find((entry) => entry.pattern.test(model))?.price;
    if (resolved.size < 10_000) resolved.set(model, price);
    return price;
  };
  return (model, tokens) => {
    const price = model === null ? undefined : lookup(model);
    if (!price) return undefined;
    const uncached = Math.max(0, tokens.inputTokens - tokens.cacheReadTokens - tokens.cacheWriteTokens);
    const micro =
      uncached * price.input +
      tokens.cacheReadTokens * (price.cacheRead ?? price.input) +
      tokens.cacheWriteTokens * (price.cacheWrite ?? price.input) +
      tokens.outputTokens * price.output;
    return micro / 1_000_000;
  };
}

/** Reads MODEL_PRICES_FILE_PATH; empty path: every model is unpriced. */
export async function loadModelPrices(file: string): Promise<PriceFunction> {
  if (file === '') return () => undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`MODEL_PRICES_FILE_PATH ${file}: ${(error as Error).message}`);
  }
  const result = PricesFile.safeParse(parsed);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(
      `MODEL_PRICES_FILE_PATH ${file}: ${issue?.path.join('.') || 'file'}: ${issue?.message ?? 'invalid'} (expected {"model or glob": {"input": USD per million, "output": ..., "cacheRead"?: ..., "cacheWrite"?: ...}})`,
    );
  }
  return createPriceFunction(result.data);
}
