import { readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/schema.js';
import type { SystemPromptSettings } from '../system-prompt.js';

async function readSystemPrompt(file: string, logger: Logger): Promise<string> {
  if (!file) return '';
  try {
    const text = await readFile(file, 'utf8');
    if (text.trim() !== '') logger.info({ file }, 'system prompt override loaded');
    return text.trim() === '' ? '' : text;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') logger.warn({ file, error: (error as Error).message }, 'cannot read system prompt file');
    return '';
  }
}

/** SYSTEM_PROMPT_*: the override text (a missing or empty file means none), its mode and replacements. */
export async function loadSystemPrompt(config: GatewayConfig, logger: Logger): Promise<SystemPromptSettings> {
  return {
    text: await readSystemPrompt(config.SYSTEM_PROMPT_FILE_PATH, logger),
    mode: config.SYSTEM_PROMPT_MODE,
    replacements: config.SYSTEM_PROMPT_REPLACEMENTS,
  };
}
