import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, requestLineLogger } from './create-logger.js';

function capture(): { stream: Writable; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    stream,
    lines: () =>
      chunks
        .join('')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('createLogger', () => {
  it('blanks keys and tokens wherever they appear in a logged object', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      { headers: { authorization: 'Bearer sk-secret', 'x-api-key': 'sk-ant' }, credentials: { access_token: 'ya29', refresh_token: '1//r' } },
      'upstream',
    );
    const [line] = lines();
    expect(JSON.stringify(line)).not.toMatch(/sk-secret|sk-ant|ya29|1\/\/r/);
    expect(line).toMatchObject({ headers: { authorization: '[redacted]' }, credentials: { access_token: '[redacted]' }, msg: 'upstream' });
  });

  it('writes request lines to the same destination, with level, ISO time and pid', () => {
    const { stream, lines } = capture();
    const logger = createLogger('info', stream);
    requestLineLogger(logger).info({ requestId: 'r-1', status: 200 }, 'request');
    logger.info('after');
    const [request, after] = lines();
    expect(request).toMatchObject({ level: 30, pid: process.pid, requestId: 'r-1', status: 200, msg: 'request' });
    expect(new Date(request!.time as string).toISOString()).toBe(request!.time);
    expect(after).toMatchObject({ msg: 'after' });
  });
});
