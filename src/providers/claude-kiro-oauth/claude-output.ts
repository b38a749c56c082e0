import type { BlockEvent, OutputSummary } from './kiro-response-builder.js';

/** Claude usage with the cache fields clients (Claude Code) read; Kiro has no prompt caching to report. */
export function claudeUsage(inputTokens: number, outputTokens: number): Record<string, number> {
  return { input_tokens: inputTokens, output_tokens: outputTokens, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 };
}

function frame(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

export function messageStartFrame(id: string, model: string, inputTokens: number): string {
  return frame('message_start', {
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: claudeUsage(inputTokens, 0) },
  });
}

/** One content-block event as a Claude SSE frame. */
export function blockEventFrame(event: BlockEvent): string {
  switch (event.type) {
    case 'block-start': {
      const block = event.block;
      const contentBlock =
        block.type === 'text'
          ? { type: 'text', text: '' }
          : block.type === 'thinking'
            ? { type: 'thinking', thinking: '', signature: '' }
            : { type: 'tool_use', id: block.id, name: block.name, input: {} };
      return frame('content_block_start', { index: event.index, content_block: contentBlock });
    }
    case 'delta': {
      const delta =
        event.kind === 'text'
          ? { type: 'text_delta', text: event.value }
          : event.kind === 'thinking'
            ? { type: 'thinking_delta', thinking: event.value }
            : { type: 'input_json_delta', partial_json: event.value };
      return frame('content_block_delta', { index: event.index, delta });
    }
    case 'block-stop':
      return frame('content_block_stop', { index: event.index });
  }
}

export function messageEndFrames(summary: OutputSummary, inputTokens: number): string {
  return (
    frame('message_delta', {
      delta: { stop_reason: summary.stopReason, stop_sequence: null },
      usage: claudeUsage(inputTokens, summary.outputTokens),
    }) + frame('message_stop', {})
  );
}

type ContentBlock = Record<string, unknown> & { type: string };

/** Collects block events into the `content` array of one non-streaming Claude message. */
export class ClaudeContentCollector {
  private readonly blocks: ContentBlock[] = [];
  private readonly inputs = new Map<number, string>();

  push(event: BlockEvent): void {
    if (event.type === 'block-start') {
      const block = event.block;
      this.blocks[event.index] =
        block.type === 'text'
          ? { type: 'text', text: '' }
          : block.type === 'thinking'
            ? { type: 'thinking', thinking: '', signature: '' }
            : { type: 'tool_use', id: block.id, name: block.name, input: {} };
      return;
    }
    const target = this.blocks[event.index];
    if (event.type !== 'delta' || !target) return;
    if (event.kind === 'text') target.text = `${target.text as string}${event.value}`;
    else if (event.kind === 'thinking') target.thinking = `${target.thinking as string}${event.value}`;
    else this.inputs.set(event.index, (this.inputs.get(event.index) ?? '') + event.value);
  }

  content(): ContentBlock[] {
    for (const [index, text] of this.inputs) {
      const block = this.blocks[index]!;
      try {
        block.input = JSON.parse(text) as unknown;
      } catch {
        // Kept visible rather than dropped, so the caller sees what the model tried to send.
        block.input = { raw_arguments: text };
      }
    }
    return this.blocks.filter((block) => block !== undefined);
  }
}
