import type { Logger } from 'pino';
import type { GatewayConfig } from '../../config/schema.js';
import type { PromptLog } from '../prompt-log.js';

const disabledPromptLog: PromptLog = { enabled: false, write: () => undefined, close: async () => undefined };

/** The logging concern beyond pino: the prompt log, loaded only when PROMPT_LOG_MODE is not `none`. */
export async function wireLogging(options: { config: GatewayConfig; cwd: string; logger: Logger }): Promise<PromptLog> {
  const { config } = options;
  if (config.PROMPT_LOG_MODE === 'none') return disabledPromptLog;
  const { createPromptLog } = await import('../prompt-log.js');
  return createPromptLog({ mode: config.PROMPT_LOG_MODE, baseName: config.PROMPT_LOG_BASE_NAME, cwd: options.cwd, logger: options.logger });
}
