// Request bodies the benchmark scripts share.

/**
 * An OpenAI chat body of about `bytes` bytes shaped like a coding agent's turn: a long conversation of
 * text with escapes and some non-ASCII, tool calls and results, and a tool list.
 */
export function largeChatBody(bytes) {
  const messages = [{ role: 'system', content: 'You are a coding agent. Follow the repository\'s "style.md".' }];
  let length = 0;
  for (let turn = 0; length < bytes - 2000; turn += 1) {
    const text = `Turn ${turn}: here is the file you asked for.\n\tconst s = "quoted \\ path";\n// café, naïve, 東京\n`.repeat(40);
    messages.push({ role: 'user', content: [{ type: 'text', text }] });
    messages.push({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: `call_${turn}`, type: 'function', function: { name: 'read_file', arguments: JSON.stringify({ path: `src/f${turn}.ts` }) } }],
    });
    messages.push({ role: 'tool', tool_call_id: `call_${turn}`, content: text.slice(0, 1500) });
    length += JSON.stringify(messages.slice(-3)).length;
  }
  const tools = [
    {
      type: 'function',
      function: {
        name: 'read_file',
        description: 'Reads a file',
        parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
      },
    },
  ];
  return { model: 'gpt-4o-mini', messages, tools, max_tokens: 1024, temperature: 0.2 };
}
