import { describe, expect, it } from 'vitest';
import { jsonSyntaxErrorWhere } from './json-syntax-error.js';

function whereOf(text: string): string {
  try {
    JSON.parse(text);
  } catch (error) {
    return jsonSyntaxErrorWhere(error, text);
  }
  throw new Error('parsed');
}

describe('jsonSyntaxErrorWhere', () => {
  it('names the line and column of the break', () => {
    expect(whereOf('{\n  "a": 1,\n}')).toBe('syntax error at line 3, column 1');
  });

  it('never repeats the text, which may hold a key', () => {
    for (const text of ['{"a": x, "key": "sk-secret-1234"}', '{"key":"sk-secret-1234"} trailing', '{"key":"sk-secret-1234']) {
      expect(whereOf(text)).not.toContain('sk-secret');
    }
  });
});
