/** The slice of pino's API the pool uses, so tests and callers can pass any compatible logger. */
export interface PoolLogger {
  debug(object: object, message?: string): void;
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

export const noopLogger: PoolLogger = Object.freeze({
  debug() {},
  info() {},
  warn() {},
  error() {},
});
