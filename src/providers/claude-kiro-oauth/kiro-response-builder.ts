import { isCompleteJson } from '../../protocols/canonical/json.js';
import type { KiroEvent } from './kiro-events.js';
import type { ToolNameMap } from './kiro-tool-names.js';
import { estimateTokens } from './kiro-usage.js';
import { ThinkingSplitter } from './thinking-splitter.js';

export type OutputBlock = { type: 'text' } | { type: 'thinking' } | { type: 'tool_use'; id: string; name: string };

/** Content-block events in Claude's order (one block open at a time), independent of the wire format. */
export type BlockEvent =
  | { type: 'block-start'; index: number; block: OutputBlock }
  | { type: 'delta'; index: number; kind: 'text' | 'thinking' | 'input'; value: string }
  | { type: 'block-stop'; index: number };

export interface OutputSummary {
  stopReason: 'end_turn' | 'tool_use' | 'max_tokens';
  outputTokens: number;
  contextPercentage: number | undefined;
  /** Tools whose input ended without Kiro's stop and is not valid JSON: the stream was cut. */
  truncatedTools: string[];
}

interface ToolState {
  readonly id: string;
  readonly name: string;
  input: string;
  stopped: boolean;
  phase: 'queued' | 'live' | 'closed';
}

/**
 * Turns Kiro events into Claude content blocks as they arrive. Tool input fragments are assembled per
 * toolUseId: the tool being streamed gets its fragments at once; a second id that starts before the
 * first has stopped is queued and streamed when the first ends, so interleaved fragments never land in
 * the wrong block. Thinking is split out of the text only when the request asked for it.
 */
export class KiroResponseBuilder {
  private readonly splitter: ThinkingSplitter | undefined;
  private readonly tools = new Map<string, ToolState>();
  private readonly queue: ToolState[] = [];
  private open: { index: number; kind: 'text' | 'thinking' | 'tool'; tool?: ToolState } | undefined;
  private nextIndex = 0;
  private outputText = '';
  private sawText = false;
  private sawThinking = false;
  private contextPercentage: number | undefined;

  constructor(private readonly options: { thinkingRequested: boolean; names: ToolNameMap }) {
    this.splitter = options.thinkingRequested ? new ThinkingSplitter() : undefined;
  }

  push(event: KiroEvent): BlockEvent[] {
    const out: BlockEvent[] = [];
    switch (event.type) {
      case 'text':
        if (event.text === '') break;
        for (const piece of this.splitter ? this.splitter.push(event.text) : [{ kind: 'text' as const, text: event.text }]) {
          this.writeText(piece.kind, piece.text, out);
        }
        break;
      case 'tool-use':
        this.writeTool(event, out);
        break;
      case 'context-usage':
        this.contextPercentage = event.percentage;
        break;
      default:
        break;
    }
    return out;
  }

  finish(): { events: BlockEvent[]; summary: OutputSummary } {
    const out: BlockEvent[] = [];
    this.flushSplitter(out);
    const truncatedTools: string[] = [];
    for (const tool of this.tools.values()) {
      if (!tool.stopped && !isCompleteJson(tool.input)) truncatedTools.push(tool.name);
    }
    this.closeOpen(out);
    this.flushQueue(out, true);
    let stopReason: OutputSummary['stopReason'] = this.tools.size > 0 ? 'tool_use' : 'end_turn';
    if (stopReason === 'end_turn' && this.sawThinking && !this.sawText) {
      // Only thinking came back: the answer was cut inside it. Claude clients expect a text block.
      stopReason = 'max_tokens';
      this.writeText('text', ' ', out);
      this.closeOpen(out);
    }
    const toolInputs = [...this.tools.values()].map((tool) => tool.input).join('');
    return {
      events: out,
      summary: {
        stopReason,
        outputTokens: estimateTokens(this.outputText + toolInputs),
        contextPercentage: this.contextPercentage,
        truncatedTools,
      },
    };
  }

  private startBlock(block: OutputBlock, kind: 'text' | 'thinking' | 'tool', out: BlockEvent[], tool?: ToolState): number {
    this.closeOpen(out);
    const index = this.nextIndex++;
    this.open = { index, kind, ...(tool && { tool }) };
    out.push({ type: 'block-start', index, block });
    return index;
  }

  private closeOpen(out: BlockEvent[]): void {
    if (!this.open) return;
    if (this.open.tool) this.open.tool.phase = 'closed';
    out.push({ type: 'block-stop', index: this.open.index });
    this.open = undefined;
  }

  private writeText(kind: 'text' | 'thinking', text: string, out: BlockEvent[]): void {
    if (text === '') return;
    if (this.open?.kind === 'tool') {
      // Text after a tool call means Kiro is done with the tools so far.
      this.closeOpen(out);
      this.flushQueue(out, true);
    }
    if (this.open?.kind !== kind) this.startBlock({ type: kind }, kind, out);
    if (kind === 'text') this.sawText = true;
    else this.sawThinking = true;
    this.outputText += text;
    out.push({ type: 'delta', index: this.open!.index, kind, value: text });
  }

  private flushSplitter(out: BlockEvent[]): void {
    for (const piece of this.splitter?.end() ?? []) this.writeText(piece.kind, piece.text, out);
  }

  private writeTool(event: Extract<KiroEvent, { type: 'tool-use' }>, out: BlockEvent[]): void {
    let tool = this.tools.get(event.toolUseId);
    if (!tool) {
      // Claude clients need an id to answer the call with; Kiro always sends one, but never trust that.
      const id = event.toolUseId || `toolu_kiro_${this.tools.size + 1}`;
      tool = { id, name: this.options.names.toClient(event.name), input: '', stopped: false, phase: 'queued' };
      this.tools.set(event.toolUseId, tool);
      if (this.open?.kind === 'tool') this.queue.push(tool);
      else {
        // Held-back text (a partial tag) belongs before the tool call.
        this.flushSplitter(out);
        this.startTool(tool, out);
      }
    }
    tool.input += event.input;
    if (event.stop) tool.stopped = true;
    if (tool.phase !== 'live') return; // queued: sent when its turn comes; closed: already ended for the client
    if (event.input !== '') out.push({ type: 'delta', index: this.open!.index, kind: 'input', value: event.input });
    if (tool.stopped) {
      this.closeOpen(out);
      this.flushQueue(out, false);
    }
  }

  private startTool(tool: ToolState, out: BlockEvent[]): void {
    tool.phase = 'live';
    this.startBlock({ type: 'tool_use', id: tool.id, name: tool.name }, 'tool', out, tool);
  }

  /** Streams queued tools: each with its input so far; one not yet stopped stays open unless `closeAll`. */
  private flushQueue(out: BlockEvent[], closeAll: boolean): void {
    while (this.queue.length > 0) {
      const tool = this.queue.shift()!;
      this.startTool(tool, out);
      if (tool.input !== '') out.push({ type: 'delta', index: this.open!.index, kind: 'input', value: tool.input });
      if (!tool.stopped && !closeAll) return;
      this.closeOpen(out);
    }
  }
}
