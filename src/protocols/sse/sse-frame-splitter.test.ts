import { describe, expect, it } from 'vitest';
import { SseFrameSplitter, parseSseFrame } from './sse-frame-splitter.js';

function splitAll(chunks: string[]): string[] {
  const splitter = new SseFrameSplitter();
  const frames: string[] = [];
  for (const chunk of chunks) for (const frame of splitter.push(Buffer.from(chunk))) frames.push(frame.toString());
  const rest = splitter.flush();
  if (rest) frames.push(rest.toString());
  return frames;
}

describe('SseFrameSplitter', () => {
  const stream = 'event: a\ndata: {"x":1}\n\ndata: [DONE]\n\n';

  it('splits LF frames and keeps each frame byte-exact', () => {
    expect(splitAll([stream])).toEqual(['event: a\ndata: {"x":1}\n\n', 'data: [DONE]\n\n']);
  });

  it('gives the same frames whatever the chunk boundaries', () => {
    for (let size = 1; size <= stream.length; size += 1) {
      const chunks: string[] = [];
      for (let offset = 0; offset < stream.length; offset += size) chunks.push(stream.slice(offset, offset + size));
      expect(splitAll(chunks)).toEqual(['event: a\ndata: {"x":1}\n\n', 'data: [DONE]\n\n']);
    }
  });

  it('splits CRLF frames cut between CR and LF', () => {
    const crlf = 'data: {"a":1}\r\n\r\ndata: {"b":2}\r\n\r\n';
    const chunks = ['data: {"a":1}\r', '\n\r', '\ndata: {"b":2}\r\n', '\r\n'];
    expect(splitAll(chunks)).toEqual(['data: {"a":1}\r\n\r\n', 'data: {"b":2}\r\n\r\n']);
    expect(splitAll([crlf])).toHaveLength(2);
  });

  it('returns an unterminated last frame on flush, and nothing for trailing whitespace', () => {
    expect(splitAll(['data: 1\n\ndata: 2'])).toEqual(['data: 1\n\n', 'data: 2']);
    expect(splitAll(['data: 1\n\n\n'])).toEqual(['data: 1\n\n']);
  });

  it('keeps multibyte characters split across chunks intact', () => {
    const bytes = Buffer.from('data: {"t":"héllo 😀"}\n\n');
    const splitter = new SseFrameSplitter();
    const frames = [...splitter.push(bytes.subarray(0, 12)), ...splitter.push(bytes.subarray(12, 21)), ...splitter.push(bytes.subarray(21))];
    expect(frames.map((frame) => frame.toString())).toEqual(['data: {"t":"héllo 😀"}\n\n']);
  });
});

describe('parseSseFrame', () => {
  it.each([
    ['event: message_start\ndata: {"a":1}\n\n', 'message_start', '{"a":1}'],
    ['data:{"nospace":true}\n\n', undefined, '{"nospace":true}'],
    ['data: line1\ndata: line2\n\n', undefined, 'line1\nline2'],
    [': keep-alive comment\n\n', undefined, undefined],
    ['event: ping\r\ndata: {}\r\n\r\n', 'ping', '{}'],
    ['data\n\n', undefined, ''],
  ])('parses %j', (frame, event, data) => {
    expect(parseSseFrame(frame)).toEqual({ event, data });
  });
});
