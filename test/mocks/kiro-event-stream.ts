import { crc32 } from 'node:zlib';

/**
 * Builds AWS event-stream frames the way Kiro sends them (providers.md §7.4 encoder recipe): string
 * headers only, in the order :event-type, :content-type, :message-type (message type LAST).
 */
export function encodeFrame(headers: ReadonlyArray<readonly [string, string]>, payload: Buffer | string): Buffer {
  const headerBytes = Buffer.concat(
    headers.map(([name, value]) => {
      const nameBytes = Buffer.from(name, 'utf8');
      const valueBytes = Buffer.from(value, 'utf8');
      const head = Buffer.alloc(1 + nameBytes.length + 3);
      head.writeUInt8(nameBytes.length, 0);
      nameBytes.copy(head, 1);
      head.writeUInt8(7, 1 + nameBytes.length);
      head.writeUInt16BE(valueBytes.length, 2 + nameBytes.length);
      return Buffer.concat([head, valueBytes]);
    }),
  );
  const payloadBytes = typeof payload === 'string' ? Buffer.from(payload, 'utf8') : payload;
  const total = 12 + headerBytes.length + payloadBytes.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const body = Buffer.concat([prelude, preludeCrc, headerBytes, payloadBytes]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, messageCrc]);
}

export function eventFrame(eventType: string, payload: Record<string, unknown>): Buffer {
  return encodeFrame(
    [
      [':event-type', eventType],
      [':content-type', 'application/json'],
      [':message-type', 'event'],
    ],
    JSON.stringify(payload),
  );
}

export const textFrame = (content: string) => eventFrame('assistantResponseEvent', { content });

export const toolFrame = (toolUseId: string, name: string, input?: string, stop?: boolean) =>
  eventFrame('toolUseEvent', { name, toolUseId, ...(input !== undefined && { input }), ...(stop && { stop: true }) });

export const contextUsageFrame = (contextUsagePercentage: number) => eventFrame('contextUsageEvent', { contextUsagePercentage });

export const meteringFrame = (usage: number) => eventFrame('meteringEvent', { unit: 'credit', unitPlural: 'credits', usage });

export function exceptionFrame(exceptionType: string, message: string): Buffer {
  return encodeFrame(
    [
      [':exception-type', exceptionType],
      [':content-type', 'application/json'],
      [':message-type', 'exception'],
    ],
    JSON.stringify({ message }),
  );
}
