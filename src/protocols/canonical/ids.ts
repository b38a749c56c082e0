import { randomBytes, randomUUID } from 'node:crypto';

/** Fresh ids for messages and tool calls the backend did not name. */
export function createId(prefix: string): string {
  return `${prefix}${randomUUID().replace(/-/g, '')}`;
}

export function createShortId(prefix: string, bytes = 12): string {
  return `${prefix}${randomBytes(bytes).toString('hex')}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
