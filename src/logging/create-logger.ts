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

/** JSON lines to stdout, written asynchronously so logging never blocks a request. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false })): Logger {
  return pino(
    {
      level,
      base: { pid: process.pid },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
