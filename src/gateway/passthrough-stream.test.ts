import { describe, expect, it } from 'vitest';
import { passthroughFrames } from './passthrough-stream.js';

async function collect(chunks: string[], protocol: 'openai-chat' | 'claude'): Promise<{ text: string; writes: number; error?: string }> {
  async function* body() {
    for (const chunk of chunks) yield Buffer.from(chunk);
  }
  let text = '';
  let writes = 0;
  try {
    for await (const part of passthroughFrames(body(), { protocol, providerType: 'test' })) {
      text += part.toString();
      writes += 1;
    }
  } catch (error) {
    return { text, writes, error: (error as Error).message };
  }
  return { text, writes };
}

describe('passthroughFrames', () => {
  const done = 'data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n';

  it('forwards every byte, one write per upstream chunk, holding back only incomplete frames', async () => {
    const stream = `data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c":3}\n\n${done}`;
    const result = await collect(['data: {"a":1}\n\ndata: {"b":2}\n\ndata: {"c"', ':3}\n\n', done], 'openai-chat');
    expect(result.text).toBe(stream);
    expect(result.writes).toBe(3);
  });

  it('adds [DONE] to a finished OpenAI stream without one, and fails a truncated one', async () => {
    const finished = await collect(['data: {"choices":[{"delta":{},"finish_reason":"stop"}]}\n\n'], 'openai-chat');
    expect(finished.text.endsWith('data: [DONE]\n\n')).toBe(true);
    const truncated = await collect(['data: {"choices":[{"delta":{"content":"x"},"finish_reason":null}]}\n\n'], 'openai-chat');
    expect(truncated.error).toMatch(/ended before its end marker/);
  });

  it('accepts a Claude stream ending with message_stop or an error event, and fails one cut short', async () => {
    expect((await collect(['event: message_stop\ndata: {"type":"message_stop"}\n\n'], 'claude')).error).toBeUndefined();
    expect((await collect(['event: error\ndata: {"type":"error"}\n\n'], 'claude')).error).toBeUndefined();
    expect((await collect(['event: ping\ndata: {"type":"ping"}\n\n'], 'claude')).error).toMatch(/end marker/);
  });
});
