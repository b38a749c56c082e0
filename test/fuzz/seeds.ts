/**
 * Valid requests of every client protocol, rich in structure (system prompts, images, tools, tool
 * calls and results, thinking), that the fuzz test mutates. Each is accepted by the gateway as it is.
 */
type Json = Record<string, unknown>;

const IMAGE = 'iVBORw0KGgo=';
const WEATHER_SCHEMA = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };

export const chatSeeds: Json[] = [
  { model: 'm', messages: [{ role: 'user', content: 'Hi' }] },
  {
    model: 'm',
    stream: true,
    stream_options: { include_usage: true },
    temperature: 0.2,
    max_tokens: 64,
    stop: ['END'],
    messages: [
      { role: 'system', content: 'Be brief.' },
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is here?' },
          { type: 'image_url', image_url: { url: `data:image/png;base64,${IMAGE}`, detail: 'low' } },
        ],
      },
      { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'weather', arguments: '{"city":"Paris"}' } }] },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny' },
      { role: 'user', content: 'And tomorrow?' },
    ],
    tools: [{ type: 'function', function: { name: 'weather', description: 'Weather', parameters: WEATHER_SCHEMA } }],
    tool_choice: 'auto',
    reasoning_effort: 'low',
    response_format: { type: 'json_schema', json_schema: { name: 'out', schema: { type: 'object' } } },
  },
];

export const responsesSeeds: Json[] = [
  { model: 'm', input: 'Hi' },
  {
    model: 'm',
    stream: true,
    instructions: 'Be brief.',
    max_output_tokens: 64,
    reasoning: { effort: 'low', summary: 'auto' },
    input: [
      { role: 'developer', content: 'Use tools.' },
      {
        role: 'user',
        content: [
          { type: 'input_text', text: 'Look' },
          { type: 'input_image', image_url: `data:image/png;base64,${IMAGE}` },
        ],
      },
      { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'thinking' }], encrypted_content: 'enc' },
      { type: 'function_call', call_id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' },
      { type: 'function_call_output', call_id: 'call_1', output: 'sunny' },
      { type: 'message', role: 'assistant', content: [{ type: 'output_text', text: 'It is sunny.' }] },
    ],
    tools: [{ type: 'function', name: 'weather', description: 'Weather', parameters: WEATHER_SCHEMA }],
    tool_choice: 'auto',
    text: { format: { type: 'json_schema', name: 'out', schema: { type: 'object' } } },
  },
];

export const claudeSeeds: Json[] = [
  { model: 'm', max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] },
  {
    model: 'm',
    max_tokens: 64,
    stream: true,
    system: [{ type: 'text', text: 'You are Claude Code.', cache_control: { type: 'ephemeral' } }],
    thinking: { type: 'enabled', budget_tokens: 1024 },
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: 'Look' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGE } },
        ],
      },
      {
        role: 'assistant',
        content: [
          { type: 'thinking', thinking: 'Need weather.', signature: 'sig-1' },
          { type: 'tool_use', id: 'toolu_1', name: 'weather', input: { city: 'Paris' } },
          { type: 'tool_use', id: 'toolu_2', name: 'weather', input: { city: 'Rome' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' },
          { type: 'tool_result', tool_use_id: 'toolu_2', content: [{ type: 'text', text: 'rain' }], is_error: false },
        ],
      },
    ],
    tools: [{ name: 'weather', description: 'Weather', input_schema: WEATHER_SCHEMA }],
    tool_choice: { type: 'auto' },
    metadata: { user_id: 'u' },
  },
];

export const geminiSeeds: Json[] = [
  { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] },
  {
    systemInstruction: { parts: [{ text: 'Be brief.' }] },
    contents: [
      { role: 'user', parts: [{ text: 'Look' }, { inlineData: { mimeType: 'image/png', data: IMAGE } }] },
      { role: 'model', parts: [{ text: 'hmm', thought: true, thoughtSignature: 'sig-1' }, { functionCall: { name: 'weather', args: { city: 'Paris' } } }] },
      { role: 'user', parts: [{ functionResponse: { name: 'weather', response: { result: 'sunny' } } }] },
    ],
    tools: [{ functionDeclarations: [{ name: 'weather', description: 'Weather', parameters: WEATHER_SCHEMA }] }],
    toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    generationConfig: { temperature: 0.2, maxOutputTokens: 64, stopSequences: ['END'], thinkingConfig: { thinkingBudget: 512, includeThoughts: true } },
  },
  { systemInstruction: 'Be brief.', contents: [{ parts: [{ text: 'Hi' }] }] },
];
