import { asArray, isCompleteJson, isRecord, optionalNumber, optionalString, parseJson } from '../canonical/json.js';
import { createId } from '../canonical/ids.js';
import { upstreamStreamError } from '../canonical/stream-collect.js';
import type { StreamDecoder, StreamEvent, Usage } from '../canonical/types.js';
import type { SseFrame } from '../sse/sse-frame-splitter.js';
import { decodeOpenAIUsage, mapOpenAIFinishReason } from './openai-chat-mappings.js';

interface ToolState {
  index: number;
  id: string;
  name: string;
  args: string;
  /** Custom (freeform) tools stream raw text; canonical arguments are `{"input": text}`. */
  rawInput: string;
  kind: 'function' | 'custom';
  phase: 'queued' | 'open' | 'ended';
}

/**
 * OpenAI Chat chunks -> canonical events. One block is open at a time (reasoning, text or one tool call);
 * switching kind closes the open block. A tool call that starts while the open call's arguments are
 * still unfinished JSON is queued (its fragments buffered) until they are finished, so a server that
 * interleaves parallel calls' fragments does not lose the late ones to a block already closed.
 * The finish waits for `[DONE]` (or the end of the body) because usage may arrive in a trailing
 * `choices: []` chunk after the finish_reason.
 */
export function createOpenAIChatStreamDecoder(): StreamDecoder {
  let started = false;
  let finished = false;
  let nextIndex = 0;
  let current: { kind: 'text' | 'reasoning'; index: number } | { kind: 'tool'; tool: ToolState } | undefined;
  const tools = new Map<number, ToolState>();
  let finishReason: string | undefined;
  let usage: Usage | undefined;
  let sawToolCalls = false;

  const queued: ToolState[] = [];

  function endTool(tool: ToolState): StreamEvent[] {
    tool.phase = 'ended';
    return [
      { type: 'tool-input-end', index: tool.index },
      {
        type: 'tool-call',
        index: tool.index,
        toolCallId: tool.id,
        toolName: tool.name,
        input: tool.args || '{}',
        ...(tool.kind === 'custom' && { kind: 'custom' as const }),
      },
    ];
  }

  /** Opens `tool` as the current block, with what it buffered while queued as one delta. */
  function openTool(tool: ToolState): StreamEvent[] {
    tool.index = nextIndex++;
    tool.phase = 'open';
    current = { kind: 'tool', tool };
    const events: StreamEvent[] = [
      {
        type: 'tool-input-start',
        index: tool.index,
        toolCallId: tool.id,
        toolName: tool.name,
        ...(tool.kind === 'custom' && { kind: 'custom' as const }),
      },
    ];
    if (tool.kind === 'function' && tool.args !== '') events.push({ type: 'tool-input-delta', index: tool.index, delta: tool.args });
    return events;
  }

  /** Closes the open block only. */
  function closeCurrent(): StreamEvent[] {
    const open = current;
    current = undefined;
    if (!open) return [];
    if (open.kind !== 'tool') return [{ type: open.kind === 'text' ? 'text-end' : 'reasoning-end', index: open.index }];
    return endTool(open.tool);
  }

  /** Closes the open block and streams every queued tool call, each complete. */
  function close(): StreamEvent[] {
    const events = closeCurrent();
    for (let tool = queued.shift(); tool; tool = queued.shift()) events.push(...openTool(tool), ...closeCurrent());
    return events;
  }

  /** Arguments not yet begun count as unfinished: some servers announce every call before any arguments. */
  function argumentsFinished(tool: ToolState): boolean {
    return tool.kind === 'custom' || (tool.args.trim() !== '' && isCompleteJson(tool.args));
  }

  /** Once the open call's arguments are finished, the next queued call takes its place. */
  function advanceQueue(): StreamEvent[] {
    const events: StreamEvent[] = [];
    while (current?.kind === 'tool' && queued.length > 0 && argumentsFinished(current.tool)) {
      events.push(...closeCurrent(), ...openTool(queued.shift()!));
    }
    return events;
  }

  function textDelta(kind: 'text' | 'reasoning', delta: string): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (current?.kind !== kind) {
      events.push(...close());
      current = { kind, index: nextIndex++ };
      events.push({ type: kind === 'text' ? 'text-start' : 'reasoning-start', index: current.index });
    }
    events.push({ type: kind === 'text' ? 'text-delta' : 'reasoning-delta', index: current.index, delta });
    return events;
  }

  function toolDelta(value: Record<string, unknown>, position: number): StreamEvent[] {
    const id = optionalString(value.id);
    // Some compatible servers omit `index`: a new id then means a new call, no id continues the last one.
    let openaiIndex = optionalNumber(value.index);
    if (openaiIndex === undefined) {
      const known = [...tools.entries()].find(([, tool]) => tool.id === id)?.[0];
      openaiIndex = id && known === undefined ? Math.max(position, tools.size) : (known ?? Math.max(0, tools.size - 1));
    }
    const fn = isRecord(value.function) ? value.function : isRecord(value.custom) ? value.custom : {};
    // Some servers (Ollama-style) send whole arguments as an object instead of a JSON string.
    const fragment = isRecord(fn.arguments) ? JSON.stringify(fn.arguments) : (optionalString(fn.arguments) ?? optionalString(fn.input) ?? '');
    let tool = tools.get(openaiIndex);
    const events: StreamEvent[] = [];
    if (!tool) {
      tool = {
        index: -1,
        id: id || createId('call_'),
        name: optionalString(fn.name) ?? '',
        args: '',
        rawInput: '',
        kind: value.type === 'custom' ? 'custom' : 'function',
        phase: 'queued',
      };
      tools.set(openaiIndex, tool);
      sawToolCalls = true;
      if (current?.kind === 'tool' && !argumentsFinished(current.tool)) queued.push(tool);
      else events.push(...close(), ...openTool(tool));
    }
    // A fragment for a call that was already closed cannot be streamed any more; it is dropped.
    if (fragment !== '' && tool.phase !== 'ended') {
      if (tool.kind === 'custom') {
        tool.rawInput += fragment;
        tool.args = JSON.stringify({ input: tool.rawInput });
      } else {
        tool.args += fragment;
        if (tool.phase === 'open') events.push({ type: 'tool-input-delta', index: tool.index, delta: fragment });
      }
    }
    if (tool.phase === 'open') events.push(...advanceQueue());
    return events;
  }

  function finish(): StreamEvent[] {
    if (finished) return [];
    finished = true;
    const events = close();
    const raw = finishReason ?? (sawToolCalls ? 'tool_calls' : 'stop');
    events.push({
      type: 'finish',
      reason: { unified: mapOpenAIFinishReason(raw), raw },
      usage: usage ?? { inputTokens: 0, outputTokens: 0 },
    });
    return events;
  }

  function decodeChunk(chunk: Record<string, unknown>): StreamEvent[] {
    const events: StreamEvent[] = [];
    if (isRecord(chunk.error)) {
      finished = true;
      return [
        {
          type: 'error',
          error: upstreamStreamError(optionalString(chunk.error.message) ?? 'Upstream stream error', optionalString(chunk.error.type)),
        },
      ];
    }
    if (!started) {
      started = true;
      events.push({
        type: 'message-start',
        id: optionalString(chunk.id) || createId('chatcmpl-'),
        model: optionalString(chunk.model) ?? '',
      });
    }
    const chunkUsage = decodeOpenAIUsage(chunk.usage);
    if (chunkUsage && (chunkUsage.inputTokens > 0 || chunkUsage.outputTokens > 0 || !usage)) usage = chunkUsage;
    const choice = asArray(chunk.choices).find(isRecord);
    if (!choice) return events;
    const delta = isRecord(choice.delta) ? choice.delta : {};
    const reasoning = optionalString(delta.reasoning_content) ?? optionalString(delta.reasoning);
    if (reasoning) events.push(...textDelta('reasoning', reasoning));
    const content = optionalString(delta.content);
    if (content) events.push(...textDelta('text', content));
    asArray(delta.tool_calls).forEach((call, position) => {
      if (isRecord(call)) events.push(...toolDelta(call, position));
    });
    if (isRecord(delta.function_call)) {
      events.push(...toolDelta({ index: 0, id: optionalString(delta.function_call.name), function: delta.function_call }, 0));
    }
    const reason = optionalString(choice.finish_reason);
    if (reason) finishReason = reason;
    return events;
  }

  return {
    decode(frame: SseFrame): StreamEvent[] {
      if (finished || frame.data === undefined) return [];
      if (frame.data.trim() === '[DONE]') return finish();
      const chunk = parseJson(frame.data);
      return isRecord(chunk) ? decodeChunk(chunk) : [];
    },
    end(): StreamEvent[] {
      if (finished) return [];
      if (finishReason !== undefined) return finish();
      finished = true;
      return [...close(), { type: 'error', error: upstreamStreamError('Upstream stream ended before a finish_reason') }];
    },
  };
}
