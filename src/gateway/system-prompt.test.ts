import { describe, expect, it } from 'vitest';
import type { ProtocolId } from '../protocols/protocol-id.js';
import { applySystemPrompt, type SystemPromptSettings } from './system-prompt.js';

const overwrite: SystemPromptSettings = { text: 'GATEWAY', mode: 'overwrite', replacements: [] };
const append: SystemPromptSettings = { text: 'GATEWAY', mode: 'append', replacements: [] };
const replaceOnly: SystemPromptSettings = { text: '', mode: 'overwrite', replacements: [{ old: 'Claude', new: 'Assistant' }] };

function apply(protocol: ProtocolId, body: Record<string, unknown>, settings: SystemPromptSettings) {
  const copy = structuredClone(body);
  applySystemPrompt(protocol, copy, settings);
  return copy;
}

describe('applySystemPrompt', () => {
  it.each<[string, ProtocolId, Record<string, unknown>, SystemPromptSettings, Record<string, unknown>]>([
    [
      'openai overwrite drops client system and developer messages',
      'openai-chat',
      {
        messages: [
          { role: 'system', content: 'client' },
          { role: 'developer', content: 'dev' },
          { role: 'user', content: 'hi' },
        ],
      },
      overwrite,
      {
        messages: [
          { role: 'system', content: 'GATEWAY' },
          { role: 'user', content: 'hi' },
        ],
      },
    ],
    [
      'openai append adds to the first system message',
      'openai-chat',
      {
        messages: [
          { role: 'system', content: 'client' },
          { role: 'user', content: 'hi' },
        ],
      },
      append,
      {
        messages: [
          { role: 'system', content: 'client\nGATEWAY' },
          { role: 'user', content: 'hi' },
        ],
      },
    ],
    [
      'openai append without a system message inserts one',
      'openai-chat',
      { messages: [{ role: 'user', content: 'hi' }] },
      append,
      {
        messages: [
          { role: 'system', content: 'GATEWAY' },
          { role: 'user', content: 'hi' },
        ],
      },
    ],
    [
      'claude overwrite replaces block arrays',
      'claude',
      { system: [{ type: 'text', text: 'client', cache_control: { type: 'ephemeral' } }] },
      overwrite,
      { system: 'GATEWAY' },
    ],
    [
      'claude append keeps blocks and cache_control',
      'claude',
      { system: [{ type: 'text', text: 'client', cache_control: { type: 'ephemeral' } }] },
      append,
      {
        system: [
          { type: 'text', text: 'client', cache_control: { type: 'ephemeral' } },
          { type: 'text', text: 'GATEWAY' },
        ],
      },
    ],
    ['claude append to a string', 'claude', { system: 'client' }, append, { system: 'client\nGATEWAY' }],
    [
      'claude replacements touch only system text',
      'claude',
      { system: 'You are Claude Code', messages: [{ role: 'user', content: 'Claude?' }] },
      replaceOnly,
      { system: 'You are Assistant Code', messages: [{ role: 'user', content: 'Claude?' }] },
    ],
    ['responses instructions append', 'openai-responses', { instructions: 'client' }, append, { instructions: 'client\nGATEWAY' }],
    [
      'gemini overwrite',
      'gemini',
      { systemInstruction: { role: 'user', parts: [{ text: 'client' }] } },
      overwrite,
      { systemInstruction: { role: 'user', parts: [{ text: 'GATEWAY' }] } },
    ],
    ['gemini append', 'gemini', { contents: [] }, append, { contents: [], systemInstruction: { parts: [{ text: 'GATEWAY' }] } }],
  ])('%s', (_name, protocol, body, settings, expected) => {
    expect(apply(protocol, body, settings)).toEqual(expected);
  });
});
