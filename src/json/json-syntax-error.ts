/**
 * Where a JSON text is broken, as `line L, column C`, without JSON.parse's own message: that message
 * may quote part of the text (`Unexpected token 'x', "{"key":"sk-…"... is not valid JSON`), and the
 * files read here hold API keys and tokens.
 */
export function jsonSyntaxErrorWhere(error: unknown, text: string): string {
  const position = /at position (\d+)/.exec(error instanceof Error ? error.message : '')?.[1];
  if (position === undefined) return 'syntax error';
  const offset = Math.min(Number(position), text.length);
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - before.lastIndexOf('\n');
  return `syntax error at line ${line}, column ${column}`;
}
