import pino, { type Logger } from 'pino';

/** Paths pino blanks out wherever they appear, so keys never reach a log line. */
const REDACT_PATHS = [
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-goog-api-key"]',
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-goog-api-key"]',
  'config.REQUIRED_API_KEY',
  'config.OPENAI_API_KEY',
  'config.CLAUDE_API_KEY',
  'access_token',
  'refresh_token',
  '*.access_token',
  '*.refresh_token',
];

/** Longest time a log line waits in the buffer before it is written. */
const FLUSH_INTERVAL_MS = 250;

/**
 * JSON lines to stdout, in batches: one write per 4 KiB or per quarter second, not one per request line.
 * The batch write is synchronous, as Node writes stdout to files and pipes on Linux: handing 4 KiB to
 * the thread pool costs the request path more than the write itself.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return createPino(level, destination ?? bufferedStdout());
}

/** stdout written in 4 KiB batches, flushed at least every quarter second. */
export function bufferedStdout(): pino.DestinationStream {
  const buffered = pino.destination({ dest: 1, sync: true, minLength: 4096 });
  setInterval(() => buffered.flush(), FLUSH_INTERVAL_MS).unref();
  return buffered;
}

function createPino(level: string, destination: pino.DestinationStream, redact = true): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      ...(redact ? { redact: { paths: REDACT_PATHS, censor: '[redacted]' } } : {}),
      timestamp: isoTime,
    },
    destination,
  );
}

let lastMs = 0;
let lastTime = '';
/** pino's ISO time, formatted once per millisecond: busy gateways write many lines within one. */
function isoTime(): string {
  const now = Date.now();
  if (now !== lastMs) {
    lastMs = now;
    lastTime = `,"time":"${new Date(now).toISOString()}"`;
  }
  return lastTime;
}

/**
 * A logger for the one line per request, on the same destination: that line is built by the gateway
 * from known fields (ids, route without query, status, counts), never from headers or bodies, so it
 * skips redaction, which would otherwise walk every line and cost more than formatting it.
 */
export function requestLineLogger(logger: Logger): Logger {
  return createPino(logger.level, (logger as unknown as Record<symbol, pino.DestinationStream>)[pino.symbols.streamSym]!, false);
}
