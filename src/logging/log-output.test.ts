import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createGatewayLogger } from './log-output.js';

const settings = { LOG_LEVEL: 'info', LOG_ENABLED: true, LOG_DIR: 'logs', LOG_MAX_FILE_SIZE: 10 * 1024 * 1024, LOG_MAX_FILES: 10 } as const;

describe('createGatewayLogger', () => {
  it.each([[{ ...settings, LOG_OUTPUT_MODE: 'none' as const }], [{ ...settings, LOG_OUTPUT_MODE: 'file' as const, LOG_ENABLED: false }]])(
    'is silent and creates no folder for %o',
    async (options) => {
      const cwd = await mkdtemp(path.join(tmpdir(), 'log-output-'));
      const logger = createGatewayLogger(options, cwd);
      expect(logger.level).toBe('silent');
      logger.error('never written');
      expect(await readdir(cwd)).toEqual([]);
    },
  );

  it('keeps LOG_LEVEL in file mode', async () => {
    const cwd = await mkdtemp(path.join(tmpdir(), 'log-output-'));
    const logger = createGatewayLogger({ ...settings, LOG_OUTPUT_MODE: 'file', LOG_LEVEL: 'warn' }, cwd);
    expect(logger.level).toBe('warn');
    await new Promise<void>((resolve) => logger.flush(() => resolve()));
  });
});
