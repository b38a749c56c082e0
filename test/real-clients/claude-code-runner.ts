import { runCli, type CliResult } from './run-cli.js';

/** Pinned for every Claude Code test: one install in .cache serves them all. */
export const CLAUDE_CODE_VERSION = '2.1.332';

/**
 * Runs the real `claude` binary headless with a scratch HOME (the working directory), telemetry, error
 * reporting and auto-update off, and a 90 s bound.
 */
export function runClaudeCode(binary: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Promise<CliResult> {
  return runCli(binary, args, {
    cwd: options.cwd,
    timeoutMs: 90_000,
    env: {
      HOME: options.cwd,
      DISABLE_TELEMETRY: '1',
      DISABLE_ERROR_REPORTING: '1',
      DISABLE_AUTOUPDATER: '1',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      ...options.env,
    },
  });
}
