import { describe, expect, it } from 'vitest';
import { CLAUDE_TOOL_NAMES, GEMINI_TOOL_NAMES, OPENAI_TOOL_NAMES, toBackendToolName, toClientToolName } from './tool-names.js';
import type { CanonicalRequest } from './types.js';

const long = `mcp__my-server__${'a'.repeat(80)}`;

describe('tool names', () => {
  it.each([
    ['Read', OPENAI_TOOL_NAMES, 'Read'],
    ['mcp__ide__getDiagnostics', GEMINI_TOOL_NAMES, 'mcp__ide__getDiagnostics'],
    ['my tool!', OPENAI_TOOL_NAMES, 'my_tool_'],
    ['9lives', GEMINI_TOOL_NAMES, '_9lives'],
    ['ns.tool', GEMINI_TOOL_NAMES, 'ns.tool'],
    ['ns.tool', OPENAI_TOOL_NAMES, 'ns_tool'],
    [long, CLAUDE_TOOL_NAMES, long],
  ] as const)('%s fits as %s', (name, rules, expected) => expect(toBackendToolName(name, rules)).toBe(expected));

  it('shortens long names with a hash, distinct names staying distinct, and restores them', () => {
    const other = `${long}b`;
    const first = toBackendToolName(long, OPENAI_TOOL_NAMES);
    const second = toBackendToolName(other, OPENAI_TOOL_NAMES);
    expect(first).toHaveLength(64);
    expect(first).not.toBe(second);
    const request: CanonicalRequest = {
      protocol: 'claude',
      model: 'm',
      stream: false,
      system: [],
      messages: [],
      tools: [long, other, 'ns.tool'].map((name) => ({ kind: 'function' as const, name, inputSchema: {} })),
    };
    expect([first, second, 'ns_tool', 'unknown'].map((name) => toClientToolName(request, name))).toEqual([long, other, 'ns.tool', 'unknown']);
  });
});
