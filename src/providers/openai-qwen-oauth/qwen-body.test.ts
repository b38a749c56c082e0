import { describe, expect, it } from 'vitest';
import { prepareQwenBody } from './qwen-body.js';

describe('prepareQwenBody', () => {
  it('forwards bodies without developer messages as the same bytes (no injected system prompt or tool)', () => {
    const body = Buffer.from('{"model":"coder-model", "messages":[{"role":"user","content":"developer"}]}');
    expect(prepareQwenBody(body)).toBe(body);
  });

  it('sends developer messages as system messages, keeping everything else', () => {
    const body = Buffer.from(
      JSON.stringify({
        model: 'm',
        messages: [
          { role: 'developer', content: [{ type: 'text', text: 'Be brief' }] },
          { role: 'user', content: 'Hi' },
        ],
        tools: [],
      }),
    );
    expect(JSON.parse(prepareQwenBody(body).toString())).toEqual({
      model: 'm',
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Be brief' }] },
        { role: 'user', content: 'Hi' },
      ],
      tools: [],
    });
  });
});
