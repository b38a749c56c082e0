/**
 * Where the gateway's own log lines go, with the original's keys: LOG_OUTPUT_MODE `console` (stdout,
 * the default), `file` (rotated files in LOG_DIR), `all` (both) or `none`; LOG_ENABLED false is
 * `none`. Files are written by pino-roll in pino's worker thread, so the request path only hands a
 * line to a shared buffer; each file grows to LOG_MAX_FILE_SIZE bytes, and at most LOG_MAX_FILES
 * are kept (the oldest are removed).
 */
import path from 'node:path';
import pino, { type Logger } from 'pino';
import { bufferedStdout, createLogger } from './create-logger.js';

export interface LogOutputSettings {
  readonly LOG_LEVEL: string;
  readonly LOG_ENABLED: boolean;
  readonly LOG_OUTPUT_MODE: 'console' | 'file' | 'all' | 'none';
  /** Absolute, or relative to `cwd`. */
  readonly LOG_DIR: string;
  readonly LOG_MAX_FILE_SIZE: number;
  readonly LOG_MAX_FILES: number;
}

/** Base name of the log files: `gateway.1.log`, `gateway.2.log`, ... in LOG_DIR. */
export const LOG_FILE_BASE = 'gateway';

/** pino-roll as a pino transport (a worker thread), writing rotated files into the log folder. */
function rotatingFiles(settings: LogOutputSettings, cwd: string): pino.DestinationStream {
  return pino.transport({
    target: 'pino-roll',
    options: {
      file: path.join(path.resolve(cwd, settings.LOG_DIR), LOG_FILE_BASE),
      extension: '.log',
      size: `${settings.LOG_MAX_FILE_SIZE}b`,
      // pino-roll counts the files it keeps besides the current one.
      limit: { count: Math.max(1, settings.LOG_MAX_FILES - 1) },
      mkdir: true,
    },
  }) as pino.DestinationStream;
}

export function createGatewayLogger(settings: LogOutputSettings, cwd: string): Logger {
  const mode = settings.LOG_ENABLED ? settings.LOG_OUTPUT_MODE : 'none';
  if (mode === 'none') return pino({ level: 'silent' });
  if (mode === 'console') return createLogger(settings.LOG_LEVEL);
  const files = rotatingFiles(settings, cwd);
  if (mode === 'file') return createLogger(settings.LOG_LEVEL, files);
  // Both: the batched stdout writer of createLogger next to the file transport.
  const stdout = bufferedStdout();
  const both = pino.multistream([
    { stream: stdout, level: 'trace' },
    { stream: files, level: 'trace' },
  ]);
  // multistream has no flush(callback): shutdown's logger.flush must still empty both before exit.
  return createLogger(settings.LOG_LEVEL, Object.assign(both, { flush: (done: (error?: Error) => void) => flushAll([stdout, files], done) }));
}

type Flushable = { flush?: (done: (error?: Error) => void) => void };

function flushAll(streams: readonly pino.DestinationStream[], done: (error?: Error) => void): void {
  let pending = streams.length;
  const one = () => {
    pending -= 1;
    if (pending === 0) done();
  };
  for (const stream of streams) {
    const flush = (stream as Flushable).flush;
    if (typeof flush === 'function') flush.call(stream, one);
    else one();
  }
}
