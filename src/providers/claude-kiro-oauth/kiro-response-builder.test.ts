import { describe, expect, it } from 'vitest';
import type { KiroEvent } from './kiro-events.js';
import { KiroResponseBuilder, type BlockEvent } from './kiro-response-builder.js';
import { ToolNameMap } from './kiro-tool-names.js';

const text = (value: string): KiroEvent => ({ type: 'text', text: value });
const tool = (toolUseId: string, input: string, stop = false): KiroEvent => ({ type: 'tool-use', toolUseId, name: 'f', input, stop });

function run(events: KiroEvent[], thinkingRequested = false) {
  const builder = new KiroResponseBuilder({ thinkingRequested, names: new ToolNameMap() });
  const out: BlockEvent[] = events.flatMap((event) => builder.push(event));
  const { events: last, summary } = builder.finish();
  return { events: [...out, ...last], summary };
}

describe('KiroResponseBuilder', () => {
  it('opens one block at a time and closes text before a tool', () => {
    const { events, summary } = run([text('Hi'), tool('a', '{"x":'), tool('a', '1}'), tool('a', '', true)]);
    expect(events).toEqual([
      { type: 'block-start', index: 0, block: { type: 'text' } },
      { type: 'delta', index: 0, kind: 'text', value: 'Hi' },
      { type: 'block-stop', index: 0 },
      { type: 'block-start', index: 1, block: { type: 'tool_use', id: 'a', name: 'f' } },
      { type: 'delta', index: 1, kind: 'input', value: '{"x":' },
      { type: 'delta', index: 1, kind: 'input', value: '1}' },
      { type: 'block-stop', index: 1 },
    ]);
    expect(summary).toMatchObject({ stopReason: 'tool_use', truncatedTools: [] });
  });

  it('queues a second tool id until the first one stops, so no fragment lands in the wrong block', () => {
    const { events } = run([tool('a', '{"p":'), tool('b', '{"q":2}'), tool('a', '1}', true), tool('b', '', true)]);
    const inputs = new Map<number, string>();
    for (const event of events) if (event.type === 'delta') inputs.set(event.index, (inputs.get(event.index) ?? '') + event.value);
    expect([...inputs.values()]).toEqual(['{"p":1}', '{"q":2}']);
  });

  it('reports a tool whose input ended without stop and is not JSON as truncated', () => {
    expect(run([tool('a', '{"content":"abc')]).summary.truncatedTools).toEqual(['f']);
    expect(run([tool('a', '{"content":"abc"}')]).summary.truncatedTools).toEqual([]);
  });

  it('answers max_tokens with a one-space text block when only thinking came back', () => {
    const { events, summary } = run([text('<thinking>hmm, still thinking')], true);
    expect(summary.stopReason).toBe('max_tokens');
    expect(events.filter((event) => event.type === 'block-start').map((event) => (event as { block: { type: string } }).block.type)).toEqual([
      'thinking',
      'text',
    ]);
  });

  it('estimates output tokens from the text and tool inputs', () => {
    expect(run([text('a'.repeat(40))]).summary.outputTokens).toBe(10);
    expect(run([text('中文测试中文')]).summary.outputTokens).toBe(4);
  });

  it('keeps repeated chunks and literal backslash-n sequences (the original dropped or rewrote them)', () => {
    const { events } = run([text('ab'), text('ab'), text('x\\ny')]);
    const output = events.map((event) => (event.type === 'delta' ? event.value : '')).join('');
    expect(output).toBe('abab' + 'x\\ny');
  });
});
