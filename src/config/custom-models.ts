import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './config-error.js';
import { jsonSyntaxErrorWhere } from '../json/json-syntax-error.js';

/**
 * The original's custom models file: extra model ids shown in model lists, each owned by a provider,
 * and optionally redirected to another provider and/or upstream model id.
 */
const CustomModelSchema = z
  .object({
    id: z.string().min(1),
    provider: z.string().min(1),
    actualProvider: z.string().min(1).optional(),
    actualModel: z.string().min(1).optional(),
    name: z.string().optional(),
    displayName: z.string().optional(),
  })
  .passthrough();

export type CustomModel = z.infer<typeof CustomModelSchema>;

const FileSchema = z.union([z.array(CustomModelSchema), z.object({ models: z.array(CustomModelSchema) }).passthrough()]);

/** Reads CUSTOM_MODELS_FILE_PATH; a missing file means none, a broken one is a config error naming the entry. */
export async function loadCustomModels(file: string): Promise<CustomModel[]> {
  if (!file) return [];
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(`Cannot read custom models file ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`Custom models file ${file} is not valid JSON (${jsonSyntaxErrorWhere(error, text)})`);
  }
  const result = FileSchema.safeParse(parsed);
  if (!result.success) {
    const issues = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`).join('\n');
    throw new ConfigError(`Invalid custom models file ${file}:\n${issues}`);
  }
  return Array.isArray(result.data) ? result.data : result.data.models;
}
