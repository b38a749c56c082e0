import { createHash } from 'node:crypto';
import type { CanonicalRequest } from './types.js';

/**
 * Backends limit tool names: OpenAI and Responses `^[a-zA-Z0-9_-]{1,64}$`, Claude the same up to 128,
 * Gemini 64 characters starting with a letter or underscore (dots, colons and dashes allowed). Claude
 * Code's MCP tools (`mcp__server__tool`) easily pass 64. Names are made to fit when sent, and the
 * client's own name is restored from the request's tools on the way back.
 */
export interface ToolNameRules {
  readonly maxLength: number;
  readonly invalid: RegExp;
  readonly mustStartWithLetter: boolean;
}

export const OPENAI_TOOL_NAMES: ToolNameRules = { maxLength: 64, invalid: /[^a-zA-Z0-9_-]/g, mustStartWithLetter: false };
export const CLAUDE_TOOL_NAMES: ToolNameRules = { maxLength: 128, invalid: /[^a-zA-Z0-9_-]/g, mustStartWithLetter: false };
export const GEMINI_TOOL_NAMES: ToolNameRules = { maxLength: 64, invalid: /[^a-zA-Z0-9_.:-]/g, mustStartWithLetter: true };

const ALL_RULES = [OPENAI_TOOL_NAMES, CLAUDE_TOOL_NAMES, GEMINI_TOOL_NAMES];

export function toBackendToolName(name: string, rules: ToolNameRules): string {
  let safe = name.replace(rules.invalid, '_');
  if (safe === '') safe = '_';
  if (rules.mustStartWithLetter && !/^[a-zA-Z_]/.test(safe)) safe = `_${safe}`;
  if (safe.length <= rules.maxLength && safe === name) return name;
  if (safe.length <= rules.maxLength) return safe;
  // Too long: keep a readable head and a hash of the whole name, so distinct names stay distinct.
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${safe.slice(0, rules.maxLength - 9)}_${hash}`;
}

/** The client's name for a tool name that came back from a backend. */
export function toClientToolName(request: CanonicalRequest, name: string): string {
  if (request.tools.some((tool) => tool.name === name)) return name;
  for (const tool of request.tools) {
    if (ALL_RULES.some((rules) => toBackendToolName(tool.name, rules) === name)) return tool.name;
  }
  return name;
}
