import { describe, expect, it } from 'vitest';
import { encodeModelList } from './model-list.js';

describe('encodeModelList', () => {
  const models = [
    { id: 'a', created: 1700000000 },
    { id: 'b', displayName: 'B', ownedBy: 'x' },
  ];

  it.each([
    [
      'openai-chat',
      {
        object: 'list',
        data: [
          { id: 'a', object: 'model', created: 1700000000, owned_by: 'aiclient2api' },
          { id: 'b', object: 'model', created: 0, owned_by: 'x' },
        ],
      },
    ],
    [
      'claude',
      {
        data: [
          { type: 'model', id: 'a', display_name: 'a', created_at: '2023-11-14T22:13:20.000Z' },
          { type: 'model', id: 'b', display_name: 'B', created_at: '1970-01-01T00:00:00.000Z' },
        ],
        has_more: false,
        first_id: 'a',
        last_id: 'b',
      },
    ],
  ] as const)('%s shape', (protocol, expected) => expect(encodeModelList(protocol, models)).toEqual(expected));

  it('gemini shape names models with the models/ prefix', () => {
    const list = encodeModelList('gemini', models) as { models: { name: string; supportedGenerationMethods: string[] }[] };
    expect(list.models.map((model) => model.name)).toEqual(['models/a', 'models/b']);
    expect(list.models[0]?.supportedGenerationMethods).toContain('streamGenerateContent');
  });
});
