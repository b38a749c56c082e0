import type { CanonicalTool } from '../../protocols/canonical/types.js';
import type { KiroToolSpecification } from './kiro-request-types.js';
import type { ToolNameMap } from './kiro-tool-names.js';

/** Longer descriptions were behind Kiro's 400 "Improperly formed request." (issues #89, #114). */
export const MAX_TOOL_DESCRIPTION_LENGTH = 9216;

/** Kiro answers 400 to a request without tools, so one that does nothing is sent instead. */
export const PLACEHOLDER_TOOL: KiroToolSpecification = {
  toolSpecification: {
    name: 'no_tool_available',
    description: 'This is a placeholder tool when no other tools are available. It does nothing.',
    inputSchema: { json: { type: 'object', properties: {} } },
  },
};

/** Kiro has no web search of its own and rejects the tool (issue #267). */
function isWebSearch(name: string): boolean {
  const lower = name.toLowerCase();
  return lower === 'web_search' || lower === 'websearch';
}

function trimDescription(description: string): string {
  return description.length > MAX_TOOL_DESCRIPTION_LENGTH ? `${description.slice(0, MAX_TOOL_DESCRIPTION_LENGTH)}...` : description;
}

/**
 * Canonical tools -> Kiro tool specifications. Protocol built-ins are dropped (Kiro cannot run them);
 * a tool without a description gets its name as one, so it stays callable (the original dropped it).
 */
export function buildKiroTools(tools: readonly CanonicalTool[], names: ToolNameMap): KiroToolSpecification[] {
  const specifications: KiroToolSpecification[] = [];
  for (const tool of tools) {
    if (tool.kind === 'builtin' || isWebSearch(tool.name)) continue;
    const schema = tool.kind === 'function' ? tool.inputSchema : { type: 'object', properties: { input: { type: 'string' } }, required: ['input'] };
    const description = tool.description?.trim() ? tool.description : tool.name;
    specifications.push({
      toolSpecification: { name: names.toKiro(tool.name), description: trimDescription(description), inputSchema: { json: schema } },
    });
  }
  return specifications.length > 0 ? specifications : [PLACEHOLDER_TOOL];
}
