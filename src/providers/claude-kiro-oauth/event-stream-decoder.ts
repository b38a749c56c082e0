import { crc32 } from 'node:zlib';
import { GatewayError } from '../../errors/gateway-error.js';

/**
 * AWS event-stream framing (application/vnd.amazon.eventstream), the body Kiro answers with:
 * prelude (total length u32, headers length u32, prelude CRC32), headers, payload, message CRC32,
 * all big-endian. Frames are cut by their lengths, never by scanning the bytes for `{`.
 * @see https://docs.aws.amazon.com/transcribe/latest/dg/streaming-setting-up.html (event stream encoding)
 */

export type HeaderValue = boolean | number | bigint | string | Buffer | Date;

export interface EventStreamMessage {
  readonly headers: Readonly<Record<string, HeaderValue>>;
  readonly payload: Buffer;
}

const PRELUDE_LENGTH = 12;
const MINIMUM_FRAME_LENGTH = 16;
/** AWS caps a message at 16 MiB of payload plus 128 KiB of headers; a larger length is corruption. */
const MAXIMUM_FRAME_LENGTH = 16 * 1024 * 1024 + 128 * 1024 + MINIMUM_FRAME_LENGTH;

function corrupt(message: string): GatewayError {
  return new GatewayError('kiro_stream_corrupt', 'upstream', `claude-kiro-oauth: malformed event stream: ${message}`, {
    status: 502,
    scope: 'account',
  });
}

function decodeHeaders(block: Buffer): Record<string, HeaderValue> {
  const headers: Record<string, HeaderValue> = {};
  let offset = 0;
  const need = (count: number) => {
    if (offset + count > block.length) throw corrupt('header block ends inside a header');
  };
  while (offset < block.length) {
    need(1);
    const nameLength = block.readUInt8(offset);
    offset += 1;
    need(nameLength + 1);
    const name = block.toString('utf8', offset, offset + nameLength);
    offset += nameLength;
    const type = block.readUInt8(offset);
    offset += 1;
    let value: HeaderValue;
    switch (type) {
      case 0:
      case 1:
        value = type === 0;
        break;
      case 2:
        need(1);
        value = block.readInt8(offset);
        offset += 1;
        break;
      case 3:
        need(2);
        value = block.readInt16BE(offset);
        offset += 2;
        break;
      case 4:
        need(4);
        value = block.readInt32BE(offset);
        offset += 4;
        break;
      case 5:
      case 8: {
        need(8);
        const big = block.readBigInt64BE(offset);
        offset += 8;
        value = type === 5 ? big : new Date(Number(big));
        break;
      }
      case 6:
      case 7: {
        need(2);
        const length = block.readUInt16BE(offset);
        offset += 2;
        need(length);
        value = type === 6 ? Buffer.from(block.subarray(offset, offset + length)) : block.toString('utf8', offset, offset + length);
        offset += length;
        break;
      }
      case 9:
        need(16);
        value = block.toString('hex', offset, offset + 16);
        offset += 16;
        break;
      default:
        throw corrupt(`header ${JSON.stringify(name)} has unknown value type ${type}`);
    }
    headers[name] = value;
  }
  return headers;
}

/** Decodes one complete frame (exactly `total length` bytes), checking both CRCs. */
export function decodeEventStreamFrame(frame: Buffer): EventStreamMessage {
  const totalLength = frame.readUInt32BE(0);
  const headersLength = frame.readUInt32BE(4);
  const messageCrc = frame.readUInt32BE(totalLength - 4);
  if (crc32(frame.subarray(0, totalLength - 4)) !== messageCrc) throw corrupt('message CRC32 mismatch');
  const headersEnd = PRELUDE_LENGTH + headersLength;
  return {
    headers: decodeHeaders(frame.subarray(PRELUDE_LENGTH, headersEnd)),
    payload: Buffer.from(frame.subarray(headersEnd, totalLength - 4)),
  };
}

/**
 * Incremental decoder: push network chunks in any sizes, get complete messages out. A frame's
 * payload is only decoded once all of its bytes are here, so a UTF-8 character split between
 * chunks comes out whole. The prelude CRC is checked as soon as 12 bytes are there, so a corrupt
 * length fails at once instead of waiting for bytes that never come.
 */
export class EventStreamDecoder {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Total length of the frame at the head of the buffer, once its prelude was verified. */
  private expected: number | undefined;

  push(chunk: Buffer): EventStreamMessage[] {
    if (chunk.length === 0) return [];
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const messages: EventStreamMessage[] = [];
    for (;;) {
      if (this.expected === undefined) {
        if (this.buffered < PRELUDE_LENGTH) break;
        this.expected = this.readPrelude(this.peek(PRELUDE_LENGTH));
      }
      if (this.buffered < this.expected) break;
      const frame = this.take(this.expected);
      this.expected = undefined;
      messages.push(decodeEventStreamFrame(frame));
    }
    return messages;
  }

  /** Call when the body ends: bytes of an unfinished frame mean the stream was cut. */
  end(): void {
    if (this.buffered > 0) {
      throw corrupt(`stream ended inside a frame (${this.buffered} of ${this.expected ?? 'at least 12'} bytes)`);
    }
  }

  private readPrelude(prelude: Buffer): number {
    if (crc32(prelude.subarray(0, 8)) !== prelude.readUInt32BE(8)) throw corrupt('prelude CRC32 mismatch');
    const totalLength = prelude.readUInt32BE(0);
    const headersLength = prelude.readUInt32BE(4);
    if (totalLength < MINIMUM_FRAME_LENGTH || totalLength > MAXIMUM_FRAME_LENGTH) throw corrupt(`frame length ${totalLength} out of range`);
    if (headersLength > totalLength - MINIMUM_FRAME_LENGTH) throw corrupt(`headers length ${headersLength} exceeds frame length ${totalLength}`);
    return totalLength;
  }

  /** The first `count` buffered bytes, joined into one chunk (kept at the head of the list). */
  private peek(count: number): Buffer {
    const head = this.chunks[0] as Buffer;
    if (head.length >= count) return head.subarray(0, count);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, count);
  }

  private take(count: number): Buffer {
    const joined = this.peek(count);
    const head = this.chunks[0] as Buffer;
    if (head.length === count) this.chunks.shift();
    else this.chunks[0] = head.subarray(count);
    this.buffered -= count;
    return joined;
  }
}
