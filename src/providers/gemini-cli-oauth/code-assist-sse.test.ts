import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { unwrapCodeAssistStream } from './code-assist-sse.js';

const logger = pino({ level: 'silent' });

async function unwrap(chunks: readonly string[]): Promise<string[]> {
  async function* source() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  const out: string[] = [];
  for await (const piece of unwrapCodeAssistStream(source(), logger)) out.push(piece.toString('utf8'));
  return out;
}

function cut(text: string, size: number): string[] {
  const bytes = Buffer.from(text);
  const pieces: string[] = [];
  // Cutting bytes (not characters) splits multi-byte characters too; latin1 round-trips them exactly.
  for (let offset = 0; offset < bytes.length; offset += size) pieces.push(bytes.subarray(offset, offset + size).toString('latin1'));
  return pieces;
}

async function unwrapBytes(text: string, size: number): Promise<string> {
  async function* source() {
    for (const piece of cut(text, size)) yield Buffer.from(piece, 'latin1');
  }
  const out: Buffer[] = [];
  for await (const piece of unwrapCodeAssistStream(source(), logger)) out.push(piece);
  return Buffer.concat(out).toString('utf8');
}

describe('unwrapCodeAssistStream', () => {
  const a = '{"candidates":[{"content":{"role":"model","parts":[{"text":"Grüße 🌍"}]}}]}';
  const b = '{"candidates":[{"content":{"role":"model","parts":[{"text":"!"}]},"finishReason":"STOP"}]}';

  it.each([1, 2, 5, 13, 1000])('gives the same frames for CRLF events cut every %i bytes', async (size) => {
    const stream = `data: {"response":${a},"traceId":"t1"}\r\n\r\ndata: {"response":${b},"traceId":"t1"}\r\n\r\n`;
    expect(await unwrapBytes(stream, size)).toBe(`data: ${a}\r\n\r\ndata: ${b}\r\n\r\n`);
  });

  it('joins an event whose JSON spans several data lines', async () => {
    expect(await unwrap([`data: {"response":\ndata: ${a}\ndata: ,"traceId":"t1"}\n\n`])).toEqual([`data: ${a}\n\n`]);
  });

  it('yields each complete event as soon as its chunk arrives, batching events of one chunk', async () => {
    const event = (json: string) => `data: {"response":${json}}\n\n`;
    expect(await unwrap([event(a) + event(b), event(a).slice(0, 10), event(a).slice(10)])).toEqual([`data: ${a}\n\ndata: ${b}\n\n`, `data: ${a}\n\n`]);
  });

  it('skips comments, blank data and non-JSON data, and parses a last event without its blank line', async () => {
    expect(await unwrap([': ping\n\ndata:\n\ndata: not json\n\n', `data: {"response":${b}}`])).toEqual([`data: ${b}\n\n`]);
  });

  it('raises an error event in the stream as a GatewayError', async () => {
    await expect(
      unwrap([`data: {"response":${a}}\n\n`, 'data: {"error":{"code":500,"message":"Internal error encountered.","status":"INTERNAL"}}\n\n']),
    ).rejects.toMatchObject({
      kind: 'upstream',
      status: 500,
      message: 'Internal error encountered.',
    });
  });
});
