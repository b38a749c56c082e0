import type { GatewayError } from '../../errors/gateway-error.js';
import { openaiErrorType } from '../error-bodies.js';
import { createShortId, nowSeconds } from '../canonical/ids.js';
import { parseToolArguments, type JsonObject } from '../canonical/json.js';
import { signatureForClient } from '../canonical/signatures.js';
import type { CanonicalRequest, FinishInfo, StreamEncoder, StreamEvent, Usage } from '../canonical/types.js';
import { describeToolCall, encodeResponsesUsage, toResponsesStatus } from './responses-mappings.js';
import { responseEnvelope, responseId } from './responses-response.js';

type OpenItem =
  | { kind: 'message'; outputIndex: number; id: string; text: string }
  | { kind: 'reasoning'; outputIndex: number; id: string; text: string; partOpen: boolean }
  | {
      kind: 'tool';
      outputIndex: number;
      id: string;
      callId: string;
      name: string;
      namespace?: string;
      custom: boolean;
      args: string;
    };

/**
 * Canonical events -> OpenAI Responses SSE: response.created and response.in_progress once, one output
 * item per canonical block with its added/delta/done events, and response.completed (with every item
 * and the real usage) at the end. `sequence_number` counts every event from 0.
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
export function createResponsesStreamEncoder(request: CanonicalRequest): StreamEncoder {
  let sequence = 0;
  let id = responseId('');
  let model = request.model;
  const created = nowSeconds();
  let started = false;
  let done = false;
  let nextOutputIndex = 0;
  const open = new Map<number, OpenItem>();
  const output: { outputIndex: number; item: JsonObject }[] = [];

  function emit(type: string, payload: JsonObject): string {
    const text = `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence, ...payload })}\n\n`;
    sequence += 1;
    return text;
  }

  function envelope(): JsonObject {
    return responseEnvelope(id, model, created, request);
  }

  function start(): string {
    if (started) return '';
    started = true;
    const response = envelope();
    return emit('response.created', { response }) + emit('response.in_progress', { response });
  }

  function addItem(item: OpenItem, added: JsonObject): string {
    open.set(item.outputIndex, item);
    return start() + emit('response.output_item.added', { output_index: item.outputIndex, item: added });
  }

  function finishItem(outputIndex: number, item: JsonObject): string {
    open.delete(outputIndex);
    output.push({ outputIndex, item });
    return emit('response.output_item.done', { output_index: outputIndex, item });
  }

  const byCanonical = new Map<number, OpenItem>();

  function openMessage(index: number): string {
    const item: OpenItem = { kind: 'message', outputIndex: nextOutputIndex++, id: createShortId('msg_', 24), text: '' };
    byCanonical.set(index, item);
    return (
      addItem(item, { id: item.id, type: 'message', status: 'in_progress', role: 'assistant', content: [] }) +
      emit('response.content_part.added', {
        item_id: item.id,
        output_index: item.outputIndex,
        content_index: 0,
        part: { type: 'output_text', text: '', annotations: [], logprobs: [] },
      })
    );
  }

  function closeMessage(item: Extract<OpenItem, { kind: 'message' }>): string {
    const part = { type: 'output_text', text: item.text, annotations: [], logprobs: [] };
    const common = { item_id: item.id, output_index: item.outputIndex, content_index: 0 };
    return (
      emit('response.output_text.done', { ...common, text: item.text, logprobs: [] }) +
      emit('response.content_part.done', { ...common, part }) +
      finishItem(item.outputIndex, { id: item.id, type: 'message', status: 'completed', role: 'assistant', content: [part] })
    );
  }

  function openReasoning(index: number, itemId?: string): string {
    const item: OpenItem = {
      kind: 'reasoning',
      outputIndex: nextOutputIndex++,
      id: itemId ?? createShortId('rs_', 24),
      text: '',
      partOpen: false,
    };
    byCanonical.set(index, item);
    return addItem(item, { id: item.id, type: 'reasoning', summary: [] });
  }

  function closeReasoning(item: Extract<OpenItem, { kind: 'reasoning' }>, encrypted: string | undefined): string {
    let text = '';
    const common = { item_id: item.id, output_index: item.outputIndex, summary_index: 0 };
    if (item.partOpen) {
      text += emit('response.reasoning_summary_text.done', { ...common, text: item.text });
      text += emit('response.reasoning_summary_part.done', { ...common, part: { type: 'summary_text', text: item.text } });
    }
    return (
      text +
      finishItem(item.outputIndex, {
        id: item.id,
        type: 'reasoning',
        summary: item.text === '' ? [] : [{ type: 'summary_text', text: item.text }],
        ...(encrypted !== undefined && { encrypted_content: encrypted }),
      })
    );
  }

  function openTool(index: number, callId: string, toolName: string): string {
    const described = describeToolCall(request, toolName);
    const custom = described.kind === 'custom';
    const item: OpenItem = {
      kind: 'tool',
      outputIndex: nextOutputIndex++,
      id: createShortId(custom ? 'ctc_' : 'fc_', 24),
      callId,
      name: described.name,
      ...(described.namespace && { namespace: described.namespace }),
      custom,
      args: '',
    };
    byCanonical.set(index, item);
    const namespace = item.namespace ? { namespace: item.namespace } : {};
    return addItem(
      item,
      custom
        ? { id: item.id, type: 'custom_tool_call', status: 'in_progress', call_id: callId, name: item.name, input: '', ...namespace }
        : { id: item.id, type: 'function_call', status: 'in_progress', call_id: callId, name: item.name, arguments: '', ...namespace },
    );
  }

  function closeTool(item: Extract<OpenItem, { kind: 'tool' }>, fullArguments: string): string {
    const namespace = item.namespace ? { namespace: item.namespace } : {};
    const common = { item_id: item.id, output_index: item.outputIndex };
    if (item.custom) {
      const parsed = parseToolArguments(fullArguments);
      const input = typeof parsed.input === 'string' ? parsed.input : fullArguments;
      return (
        (input !== '' ? emit('response.custom_tool_call_input.delta', { ...common, delta: input }) : '') +
        emit('response.custom_tool_call_input.done', { ...common, input }) +
        finishItem(item.outputIndex, { id: item.id, type: 'custom_tool_call', status: 'completed', call_id: item.callId, name: item.name, input, ...namespace })
      );
    }
    let text = '';
    if (item.args === '' && fullArguments !== '') {
      text += emit('response.function_call_arguments.delta', { ...common, delta: fullArguments });
    }
    const args = item.args !== '' ? item.args : fullArguments;
    return (
      text +
      emit('response.function_call_arguments.done', { ...common, name: item.name, arguments: args }) +
      finishItem(item.outputIndex, {
        id: item.id,
        type: 'function_call',
        status: 'completed',
        call_id: item.callId,
        name: item.name,
        arguments: args,
        ...namespace,
      })
    );
  }

  function closeAll(): string {
    let text = '';
    for (const item of [...open.values()].sort((a, b) => a.outputIndex - b.outputIndex)) {
      if (item.kind === 'message') text += closeMessage(item);
      else if (item.kind === 'reasoning') text += closeReasoning(item, undefined);
      else text += closeTool(item, item.args);
    }
    return text;
  }

  function complete(finish: FinishInfo, usage: Usage): string {
    done = true;
    const text = start() + closeAll();
    const response = {
      ...envelope(),
      ...toResponsesStatus(finish),
      output: output.sort((a, b) => a.outputIndex - b.outputIndex).map((entry) => entry.item),
      usage: encodeResponsesUsage(usage),
    };
    // Always response.completed (an incomplete status rides inside it): Codex treats any other end as an error.
    return text + emit('response.completed', { response });
  }

  return {
    encode(event: StreamEvent): string {
      if (done) return '';
      switch (event.type) {
        case 'message-start':
          if (!started) {
            id = responseId(event.id);
            model = event.model || model;
          }
          return start();
        case 'text-start':
          return openMessage(event.index);
        case 'text-delta': {
          if (event.delta === '') return '';
          let text = '';
          let item = byCanonical.get(event.index);
          if (item?.kind !== 'message' || !open.has(item.outputIndex)) {
            text += openMessage(event.index);
            item = byCanonical.get(event.index);
          }
          if (item?.kind !== 'message') return text;
          item.text += event.delta;
          return (
            text +
            emit('response.output_text.delta', {
              item_id: item.id,
              output_index: item.outputIndex,
              content_index: 0,
              delta: event.delta,
              logprobs: [],
            })
          );
        }
        case 'text-end': {
          const item = byCanonical.get(event.index);
          return item?.kind === 'message' && open.has(item.outputIndex) ? closeMessage(item) : '';
        }
        case 'reasoning-start': {
          const itemId = event.providerMetadata?.['openai-responses']?.itemId;
          return openReasoning(event.index, typeof itemId === 'string' ? itemId : undefined);
        }
        case 'reasoning-delta': {
          if (event.delta === '') return '';
          let text = '';
          let item = byCanonical.get(event.index);
          if (item?.kind !== 'reasoning' || !open.has(item.outputIndex)) {
            text += openReasoning(event.index);
            item = byCanonical.get(event.index);
          }
          if (item?.kind !== 'reasoning') return text;
          const common = { item_id: item.id, output_index: item.outputIndex, summary_index: 0 };
          if (!item.partOpen) {
            item.partOpen = true;
            text += emit('response.reasoning_summary_part.added', { ...common, part: { type: 'summary_text', text: '' } });
          }
          item.text += event.delta;
          return text + emit('response.reasoning_summary_text.delta', { ...common, delta: event.delta });
        }
        case 'reasoning-end': {
          const item = byCanonical.get(event.index);
          if (item?.kind !== 'reasoning' || !open.has(item.outputIndex)) return '';
          return closeReasoning(item, signatureForClient(event.providerMetadata, 'openai-responses'));
        }
        case 'tool-input-start':
          return openTool(event.index, event.toolCallId, event.toolName);
        case 'tool-input-delta': {
          const item = byCanonical.get(event.index);
          if (item?.kind !== 'tool' || !open.has(item.outputIndex) || event.delta === '') return '';
          item.args += event.delta;
          if (item.custom) return ''; // freeform input is sent unwrapped once the JSON is complete
          return emit('response.function_call_arguments.delta', {
            item_id: item.id,
            output_index: item.outputIndex,
            delta: event.delta,
          });
        }
        case 'tool-call': {
          let text = '';
          let item = byCanonical.get(event.index);
          if (!item) {
            text += openTool(event.index, event.toolCallId, event.toolName);
            item = byCanonical.get(event.index);
          }
          if (item?.kind !== 'tool' || !open.has(item.outputIndex)) return text;
          return text + closeTool(item, event.input);
        }
        case 'finish':
          return complete(event.reason, event.usage);
        case 'error':
          return this.error(event.error);
        default:
          return '';
      }
    },
    error(error: GatewayError): string {
      if (done) return '';
      done = true;
      const response = {
        ...envelope(),
        status: 'failed',
        error: { code: error.detail.upstreamCode ?? openaiErrorType(error), message: error.message },
        output: output.map((entry) => entry.item),
      };
      return start() + emit('response.failed', { response });
    },
    end(): string {
      if (done) return '';
      return complete({ unified: 'stop' }, { inputTokens: 0, outputTokens: 0 });
    },
  };
}
