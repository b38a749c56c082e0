import { describe, expect, it } from 'vitest';
import { claudeCodec } from '../../protocols/claude/index.js';
import { ToolNameMap } from './kiro-tool-names.js';
import { PLACEHOLDER_TOOL } from './kiro-tools.js';
import { toKiroRequest } from './to-kiro-request.js';

const convert = (body: Record<string, unknown>, profileArn?: string) =>
  toKiroRequest(claudeCodec.decodeRequest(body, {}), { names: new ToolNameMap(), profileArn, conversationId: 'conv-1' });

describe('Claude request -> Kiro conversationState', () => {
  it('reproduces the verified example of the spec (without the branding prefix)', () => {
    const body = convert(
      {
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        system: 'You are helpful.',
        thinking: { type: 'enabled', budget_tokens: 5000 },
        tools: [
          { name: 'get_weather', description: 'Get weather', input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
        ],
        messages: [
          { role: 'user', content: 'What is the weather in Paris?' },
          {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: 'need tool', signature: 'sig' },
              { type: 'text', text: 'Checking.' },
              { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
            ],
          },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: '18C sunny' }] },
              { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
              { type: 'text', text: 'thanks' },
            ],
          },
        ],
      },
      'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE',
    );
    expect(body).toEqual({
      conversationState: {
        agentTaskType: 'vibe',
        chatTriggerType: 'MANUAL',
        conversationId: 'conv-1',
        currentMessage: {
          userInputMessage: {
            content: 'thanks',
            modelId: 'claude-sonnet-4.5',
            origin: 'AI_EDITOR',
            images: [{ format: 'png', source: { bytes: 'iVBORw0KGgo=' } }],
            userInputMessageContext: {
              toolResults: [{ content: [{ text: '18C sunny' }], status: 'success', toolUseId: 'toolu_1' }],
              tools: [
                {
                  toolSpecification: {
                    name: 'get_weather',
                    description: 'Get weather',
                    inputSchema: { json: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
                  },
                },
              ],
            },
          },
        },
        history: [
          {
            userInputMessage: {
              content:
                '<thinking_mode>enabled</thinking_mode><max_thinking_length>5000</max_thinking_length>\nYou are helpful.\n\nWhat is the weather in Paris?',
              modelId: 'claude-sonnet-4.5',
              origin: 'AI_EDITOR',
            },
          },
          {
            assistantResponseMessage: {
              content: '<thinking>need tool</thinking>\n\nChecking.',
              toolUses: [{ input: { city: 'Paris' }, name: 'get_weather', toolUseId: 'toolu_1' }],
            },
          },
        ],
      },
      profileArn: 'arn:aws:codewhisperer:us-east-1:111111111111:profile/EXAMPLE',
    });
  });

  it('sends a single "Hi" with no history, the placeholder tool and the mapped model id', () => {
    const body = convert({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] });
    expect(body.conversationState.history).toBeUndefined();
    expect(body).not.toHaveProperty('profileArn');
    expect(body.conversationState.currentMessage.userInputMessage).toEqual({
      content: 'Hi',
      modelId: 'claude-haiku-4.5',
      origin: 'AI_EDITOR',
      userInputMessageContext: { tools: [PLACEHOLDER_TOOL] },
    });
  });

  it.each([
    ['claude-opus-4-5-20251101', 'claude-opus-4.5'],
    ['claude-haiku-4-5-20251001', 'claude-haiku-4.5'],
    ['claude-opus-4-8', 'claude-opus-4.8'],
    ['CLAUDE_SONNET_4_20250514_V1_0', 'CLAUDE_SONNET_4_20250514_V1_0'],
    ['some-future-model', 'some-future-model'],
  ])('maps model %s to %s', (model, modelId) => {
    expect(convert({ model, messages: [{ role: 'user', content: 'Hi' }] }).conversationState.currentMessage.userInputMessage.modelId).toBe(modelId);
  });

  it('merges same-role turns, ends history with the assistant and continues after an assistant prefill', () => {
    const state = convert({
      model: 'm',
      messages: [
        { role: 'user', content: 'one' },
        { role: 'user', content: 'two' },
        { role: 'assistant', content: 'answer' },
        { role: 'assistant', content: [{ type: 'text', text: '{' }] },
      ],
    }).conversationState;
    expect(state.history).toEqual([
      { userInputMessage: { content: 'one\ntwo', modelId: 'm', origin: 'AI_EDITOR' } },
      { assistantResponseMessage: { content: 'answer' } },
    ]);
    expect(state.currentMessage.userInputMessage.content).toBe('Continue');
  });

  it('puts the system text in its own first turn when the conversation starts with the assistant', () => {
    const state = convert({
      model: 'm',
      system: 'Be brief.',
      messages: [
        { role: 'assistant', content: 'Hello' },
        { role: 'user', content: 'Hi' },
      ],
    }).conversationState;
    expect(state.history).toEqual([
      { userInputMessage: { content: 'Be brief.', modelId: 'm', origin: 'AI_EDITOR' } },
      { assistantResponseMessage: { content: 'Hello' } },
    ]);
  });

  it('fills an empty current message, dedupes tool results and drops web search and server tools', () => {
    const state = convert({
      model: 'm',
      tools: [
        { name: 'WebSearch', description: 'search', input_schema: { type: 'object' } },
        { type: 'web_search_20250305', name: 'web_search' },
        { name: 'no_description', input_schema: { type: 'object' } },
      ],
      messages: [
        { role: 'user', content: 'go' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'a', name: 'x', input: { '': 1, ok: 2 } }] },
        {
          role: 'user',
          content: [
            { type: 'tool_result', tool_use_id: 'a', content: 'r1' },
            { type: 'tool_result', tool_use_id: 'a', content: 'r2' },
          ],
        },
      ],
    }).conversationState;
    const current = state.currentMessage.userInputMessage;
    expect(current.content).toBe('Tool results provided.');
    expect(current.userInputMessageContext?.toolResults).toEqual([{ content: [{ text: 'r1' }], status: 'success', toolUseId: 'a' }]);
    expect(current.userInputMessageContext?.tools?.map((tool) => tool.toolSpecification.name)).toEqual(['no_description']);
    expect(current.userInputMessageContext?.tools?.[0]?.toolSpecification.description).toBe('no_description');
    expect(state.history?.[1]).toEqual({ assistantResponseMessage: { content: '', toolUses: [{ input: { ok: 2 }, name: 'x', toolUseId: 'a' }] } });
  });

  it('replaces images older than five turns with a note', () => {
    const image = { type: 'image', source: { type: 'base64', media_type: 'image/jpeg', data: 'AAAA' } };
    const messages: Array<Record<string, unknown>> = [{ role: 'user', content: [image, { type: 'text', text: 'old' }] }];
    for (let index = 0; index < 3; index += 1) messages.push({ role: 'assistant', content: 'ok' }, { role: 'user', content: `turn ${index}` });
    messages.push({ role: 'assistant', content: 'ok' }, { role: 'user', content: [image, { type: 'text', text: 'new' }] });
    const state = convert({ model: 'm', messages }).conversationState;
    expect(state.history?.[0]).toEqual({ userInputMessage: { content: 'old\n[1 image(s) omitted from history]', modelId: 'm', origin: 'AI_EDITOR' } });
    expect(state.currentMessage.userInputMessage.images).toEqual([{ format: 'jpeg', source: { bytes: 'AAAA' } }]);
  });

  it.each([
    [{ type: 'enabled', budget_tokens: 100 }, '<thinking_mode>enabled</thinking_mode><max_thinking_length>1024</max_thinking_length>'],
    [{ type: 'enabled', budget_tokens: 99_999 }, '<thinking_mode>enabled</thinking_mode><max_thinking_length>24576</max_thinking_length>'],
    [{ type: 'adaptive' }, '<thinking_mode>adaptive</thinking_mode><thinking_effort>high</thinking_effort>'],
  ])('asks for thinking %j with its tags', (thinking, prefix) => {
    const content = convert({ model: 'm', thinking, messages: [{ role: 'user', content: 'Hi' }] }).conversationState.currentMessage.userInputMessage.content;
    expect(content).toBe(`${prefix}\n\nHi`);
  });
});
