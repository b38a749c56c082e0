import type { GatewayError } from '../../errors/gateway-error.js';
import { openaiErrorBody } from '../error-bodies.js';
import { createId, nowSeconds } from '../canonical/ids.js';
import { toClientToolName } from '../canonical/tool-names.js';
import type { CanonicalRequest, StreamEncoder, StreamEvent } from '../canonical/types.js';
import { encodeOpenAIUsage, toOpenAIFinishReason } from './openai-chat-mappings.js';
import { openaiCompletionId } from './openai-chat-response.js';

function data(payload: unknown): string {
  return `data: ${JSON.stringify(payload)}\n\n`;
}

/**
 * Canonical events -> OpenAI chat.completion.chunk SSE. One id for the whole stream, the role in the
 * first chunk, tool calls numbered 0, 1, ... in the order they start, the finish_reason in its own
 * chunk, then (with stream_options.include_usage) a usage chunk with `choices: []`, then `[DONE]`.
 */
export function createOpenAIChatStreamEncoder(request: CanonicalRequest): StreamEncoder {
  let id = createId('chatcmpl-');
  let model = request.model;
  const created = nowSeconds();
  let started = false;
  let done = false;
  const tools = new Map<number, { openaiIndex: number; sentArguments: boolean }>();

  function chunk(delta: Record<string, unknown>, finishReason: string | null = null): Record<string, unknown> {
    return {
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
  }

  function start(): string {
    if (started) return '';
    started = true;
    return data(chunk({ role: 'assistant', content: '' }));
  }

  function toolStart(index: number, toolCallId: string, toolName: string): string {
    const openaiIndex = tools.size;
    tools.set(index, { openaiIndex, sentArguments: false });
    return (
      start() +
      data(
        chunk({
          tool_calls: [{ index: openaiIndex, id: toolCallId, type: 'function', function: { name: toClientToolName(request, toolName), arguments: '' } }],
        }),
      )
    );
  }

  function toolArguments(index: number, fragment: string): string {
    const tool = tools.get(index);
    if (!tool || fragment === '') return '';
    tool.sentArguments = true;
    return data(chunk({ tool_calls: [{ index: tool.openaiIndex, function: { arguments: fragment } }] }));
  }

  return {
    encode(event: StreamEvent): string {
      if (done) return '';
      switch (event.type) {
        case 'message-start':
          if (!started) {
            id = openaiCompletionId(event.id);
            model = event.model || request.model;
          }
          return start();
        case 'text-delta':
          return event.delta === '' ? '' : start() + data(chunk({ content: event.delta }));
        case 'reasoning-delta':
          return event.delta === '' ? '' : start() + data(chunk({ reasoning_content: event.delta }));
        case 'tool-input-start':
          return toolStart(event.index, event.toolCallId, event.toolName);
        case 'tool-input-delta':
          return toolArguments(event.index, event.delta);
        case 'tool-call': {
          let text = tools.has(event.index) ? '' : toolStart(event.index, event.toolCallId, event.toolName);
          if (!tools.get(event.index)?.sentArguments) text += toolArguments(event.index, event.input);
          return text;
        }
        case 'finish': {
          done = true;
          const usage = encodeOpenAIUsage(event.usage);
          const final = chunk({}, toOpenAIFinishReason(event.reason, tools.size > 0));
          if (!request.includeUsage) final.usage = usage;
          let text = start() + data(final);
          if (request.includeUsage) {
            text += data({ id, object: 'chat.completion.chunk', created, model, choices: [], usage });
          }
          return `${text}data: [DONE]\n\n`;
        }
        case 'error':
          return this.error(event.error);
        default:
          return '';
      }
    },
    error(error: GatewayError): string {
      if (done) return '';
      done = true;
      return data(openaiErrorBody(error));
    },
    end(): string {
      if (done) return '';
      done = true;
      return `${start() + data(chunk({}, tools.size > 0 ? 'tool_calls' : 'stop'))}data: [DONE]\n\n`;
    },
  };
}
