import { crc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { encodeFrame, eventFrame, exceptionFrame, textFrame } from '../../../test/mocks/kiro-event-stream.js';
import { EventStreamDecoder, type EventStreamMessage } from './event-stream-decoder.js';
import { readKiroEvent } from './kiro-events.js';

// Byte-exact reference frames from providers.md §7.4.
const HELLO_HEX =
  '0000007f0000005c7c7db5a8' +
  '0b3a6576656e742d74797065070016617373697374616e74526573706f6e73654576656e74' +
  '0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e' +
  '0d3a6d6573736167652d747970650700056576656e74' +
  '7b22636f6e74656e74223a2248656c6c6f227d' +
  '9b5d0635';
const TOOL_HEX =
  '000000bb000000528750d6b40b3a6576656e742d7479706507000c746f6f6c5573654576656e740d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b226e616d65223a226765745f77656174686572222c22746f6f6c5573654964223a22746f6f6c7573655f31222c22696e707574223a227b5c22636974795c223a5c2250617269735c227d222c2273746f70223a747275657d171fc61d';
const USAGE_HEX =
  '0000008500000057e92b24dc0b3a6576656e742d74797065070011636f6e7465787455736167654576656e740d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d747970650700056576656e747b22636f6e74657874557361676550657263656e74616765223a312e357df2d00f44';
const THROTTLING_HEX =
  '00000090000000618e91a9b70f3a657863657074696f6e2d747970650700135468726f74746c696e67457863657074696f6e0d3a636f6e74656e742d747970650700106170706c69636174696f6e2f6a736f6e0d3a6d6573736167652d74797065070009657863657074696f6e7b226d657373616765223a22546f6f206d616e79207265717565737473227dfeb6d812';

const bytes = (hex: string) => Buffer.from(hex, 'hex');

function decodeAll(chunks: Buffer[]): EventStreamMessage[] {
  const decoder = new EventStreamDecoder();
  const messages = chunks.flatMap((chunk) => decoder.push(chunk));
  decoder.end();
  return messages;
}

describe('AWS event-stream decoder', () => {
  it('decodes the reference frames of the spec into Kiro events', () => {
    const messages = decodeAll([bytes(HELLO_HEX + TOOL_HEX + USAGE_HEX + THROTTLING_HEX)]);
    expect(messages[0]!.headers).toEqual({
      ':event-type': 'assistantResponseEvent',
      ':content-type': 'application/json',
      ':message-type': 'event',
    });
    const events = messages.map(readKiroEvent);
    expect(events.slice(0, 3)).toEqual([
      { type: 'text', text: 'Hello' },
      { type: 'tool-use', toolUseId: 'tooluse_1', name: 'get_weather', input: '{"city":"Paris"}', stop: true },
      { type: 'context-usage', percentage: 1.5 },
    ]);
    expect(events[3]).toMatchObject({ type: 'error', error: { kind: 'rate_limit', status: 429, message: expect.stringContaining('Too many requests') } });
  });

  it('encodes the reference frames byte for byte (the mock speaks the same bytes)', () => {
    expect(textFrame('Hello').toString('hex')).toBe(HELLO_HEX);
    expect(exceptionFrame('ThrottlingException', 'Too many requests').toString('hex')).toBe(THROTTLING_HEX);
  });

  it('accepts the AWS empty-message test vector', () => {
    expect(decodeAll([bytes('00000010' + '00000000' + '05c248eb' + '7d98c8ff')])).toEqual([{ headers: {}, payload: Buffer.alloc(0) }]);
  });

  it('reports a message CRC mismatch as a clear error', () => {
    const frame = bytes(HELLO_HEX);
    frame.writeUInt8(frame.readUInt8(frame.length - 10) ^ 0x01, frame.length - 10);
    expect(() => new EventStreamDecoder().push(frame)).toThrow(/message CRC32 mismatch/);
  });

  it('fails at once on a corrupt prelude instead of waiting for a huge frame', () => {
    const frame = bytes(HELLO_HEX);
    frame[1] = 0x7f; // total length now ~8 MB
    expect(() => new EventStreamDecoder().push(frame.subarray(0, 12))).toThrow(/prelude CRC32 mismatch/);
  });

  it('decodes a frame whose length byte is 0x7B ("{") and every frame after it', () => {
    const small = textFrame('a');
    expect(small.length).toBe(0x7b);
    const messages = decodeAll([Buffer.concat([small, textFrame('b'), textFrame('c'), small])]);
    expect(messages.map((message) => readKiroEvent(message))).toEqual(['a', 'b', 'c', 'a'].map((text) => ({ type: 'text', text })));
  });

  it('gives the same messages for a stream split at every byte boundary', () => {
    const stream = Buffer.concat([bytes(HELLO_HEX), bytes(TOOL_HEX), textFrame('中文测试'), bytes(USAGE_HEX)]);
    const whole = decodeAll([stream]);
    for (let cut = 1; cut < stream.length; cut += 1) {
      expect(decodeAll([stream.subarray(0, cut), stream.subarray(cut)])).toEqual(whole);
    }
    expect(decodeAll([...stream].map((byte) => Buffer.from([byte])))).toEqual(whole);
  });

  it('keeps Chinese text intact when a character is split between chunks', () => {
    const frame = textFrame('中文测试');
    const middle = frame.indexOf(Buffer.from('文', 'utf8')) + 1; // inside the 3-byte character
    const [message] = decodeAll([frame.subarray(0, middle), frame.subarray(middle)]);
    expect(readKiroEvent(message!)).toEqual({ type: 'text', text: '中文测试' });
  });

  it('reports a stream cut inside a frame when the body ends', () => {
    const decoder = new EventStreamDecoder();
    decoder.push(bytes(HELLO_HEX).subarray(0, 50));
    expect(() => decoder.end()).toThrow(/stream ended inside a frame/);
  });

  it('decodes every header value type', () => {
    const uuid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const headers = Buffer.concat([
      Buffer.from([1, 0x61, 0]), // a: true
      Buffer.from([1, 0x62, 1]), // b: false
      Buffer.from([1, 0x63, 2, 0xff]), // c: byte -1
      Buffer.from([1, 0x64, 3, 0x01, 0x00]), // d: int16 256
      Buffer.from([1, 0x65, 4, 0, 0, 0x01, 0x00]), // e: int32 256
      Buffer.from([1, 0x66, 5, 0, 0, 0, 0, 0, 0, 0, 7]), // f: int64 7n
      Buffer.from([1, 0x67, 6, 0, 2, 0xca, 0xfe]), // g: bytes
      Buffer.from([1, 0x68, 8, 0, 0, 0, 0, 0, 0, 0x03, 0xe8]), // h: timestamp 1000 ms
      Buffer.concat([Buffer.from([1, 0x69, 9]), uuid]), // i: uuid
    ]);
    const total = 16 + headers.length;
    const frame = encodeRaw(headers, total);
    const [message] = decodeAll([frame]);
    expect(message!.headers).toEqual({
      a: true,
      b: false,
      c: -1,
      d: 256,
      e: 256,
      f: 7n,
      g: Buffer.from([0xca, 0xfe]),
      h: new Date(1000),
      i: '00112233445566778899aabbccddeeff',
    });
  });

  it('classifies error frames and unknown events', () => {
    const error = encodeFrame(
      [
        [':error-code', 'InternalError'],
        [':error-message', 'boom'],
        [':message-type', 'error'],
      ],
      '',
    );
    const [errorMessage, followup] = decodeAll([error, eventFrame('followupPromptEvent', { followupPrompt: { content: 'x' } })]);
    expect(readKiroEvent(errorMessage!)).toMatchObject({ type: 'error', error: { kind: 'upstream', message: expect.stringContaining('boom') } });
    expect(readKiroEvent(followup!)).toEqual({ type: 'ignored', eventType: 'followupPromptEvent' });
  });
});

function encodeRaw(headers: Buffer, total: number): Buffer {
  // Same recipe as the mock encoder, for header types the mock never sends.
  const prelude = Buffer.alloc(12);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  prelude.writeUInt32BE(crc32(prelude.subarray(0, 8)), 8);
  const body = Buffer.concat([prelude, headers]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}
