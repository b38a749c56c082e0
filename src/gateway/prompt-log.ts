import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';

export interface PromptLogEntry {
  readonly requestId: string;
  readonly provider: string;
  readonly model: string | undefined;
  readonly input: string;
  readonly output: string;
}

export interface PromptLog {
  readonly enabled: boolean;
  write(entry: PromptLogEntry): void;
  close(): Promise<void>;
}

function timestampForFileName(date: Date): string {
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${date.getFullYear()}${pad(date.getMonth() + 1)}${pad(date.getDate())}-${pad(date.getHours())}${pad(date.getMinutes())}${pad(date.getSeconds())}`;
}

const disabled: PromptLog = { enabled: false, write: () => undefined, close: async () => undefined };

/**
 * PROMPT_LOG_MODE: `console` logs through pino, `file` appends to `{base}-{YYYYMMDD-HHMMSS}.log` in
 * the working directory (asynchronously: a write stream, never a sync write per request).
 */
export function createPromptLog(options: { mode: 'none' | 'console' | 'file'; baseName: string; cwd: string; logger: Logger; now?: Date }): PromptLog {
  if (options.mode === 'none') return disabled;
  if (options.mode === 'console') {
    return {
      enabled: true,
      write: (entry) => options.logger.info({ prompt: entry }, 'prompt log'),
      close: async () => undefined,
    };
  }
  const file = path.resolve(options.cwd, `${options.baseName}-${timestampForFileName(options.now ?? new Date())}.log`);
  let stream: WriteStream | undefined;
  return {
    enabled: true,
    write(entry) {
      stream ??= createWriteStream(file, { flags: 'a', mode: 0o600 });
      stream.write(
        `=== ${new Date().toISOString()} ${entry.requestId} provider=${entry.provider} model=${entry.model ?? ''}\n` +
          `--- input\n${entry.input}\n--- output\n${entry.output}\n\n`,
      );
    },
    close: () =>
      new Promise<void>((resolve) => {
        if (!stream) resolve();
        else stream.end(resolve);
      }),
  };
}
