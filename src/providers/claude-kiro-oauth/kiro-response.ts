import { randomUUID } from 'node:crypto';
import { GatewayError } from '../../errors/gateway-error.js';
import { ClaudeContentCollector, blockEventFrame, claudeUsage, messageEndFrames, messageStartFrame } from './claude-output.js';
import { EventStreamDecoder } from './event-stream-decoder.js';
import { readKiroEvent, type KiroEvent } from './kiro-events.js';
import { KiroResponseBuilder, type OutputSummary } from './kiro-response-builder.js';
import type { ToolNameMap } from './kiro-tool-names.js';
import { finalInputTokens } from './kiro-usage.js';

export interface KiroResponseContext {
  /** The model the client asked for, echoed back. */
  readonly model: string;
  readonly inputEstimate: number;
  readonly thinkingRequested: boolean;
  readonly names: ToolNameMap;
}

/** Kiro's binary body -> events, frame by frame; exception frames are thrown as GatewayErrors. */
export async function* readKiroEvents(body: AsyncIterable<Buffer>): AsyncGenerator<KiroEvent> {
  const decoder = new EventStreamDecoder();
  for await (const chunk of body) {
    for (const message of decoder.push(chunk)) {
      const event = readKiroEvent(message);
      if (event.type === 'error') throw event.error;
      yield event;
    }
  }
  decoder.end();
}

/**
 * Waits for the first event, so that an exception frame at the very start (Kiro answers 200 and then
 * ThrottlingException) is thrown while the gateway can still try another account.
 */
export async function startEvents(events: AsyncIterable<KiroEvent>): Promise<AsyncIterable<KiroEvent>> {
  const iterator = events[Symbol.asyncIterator]();
  const first = await iterator.next();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        if (first.done) return;
        yield first.value;
        for (let next = await iterator.next(); !next.done; next = await iterator.next()) yield next.value;
      } finally {
        // A consumer that stops early (client gone) releases the upstream body too.
        await iterator.return?.();
      }
    },
  };
}

function truncatedError(summary: OutputSummary): GatewayError {
  return new GatewayError(
    'upstream_stream_truncated',
    'upstream',
    `claude-kiro-oauth: the answer was cut inside the input of tool ${summary.truncatedTools.join(', ')} (incomplete JSON)`,
    { status: 502, scope: 'request' },
  );
}

const messageId = () => `msg_${randomUUID().replace(/-/g, '')}`;

/** Kiro events -> Claude Messages SSE, each frame written as soon as its event is decoded. */
export async function* encodeClaudeStream(events: AsyncIterable<KiroEvent>, context: KiroResponseContext): AsyncGenerator<Buffer> {
  const builder = new KiroResponseBuilder({ thinkingRequested: context.thinkingRequested, names: context.names });
  yield Buffer.from(messageStartFrame(messageId(), context.model, context.inputEstimate));
  for await (const event of events) {
    const blockEvents = builder.push(event);
    if (blockEvents.length > 0) yield Buffer.from(blockEvents.map(blockEventFrame).join(''));
  }
  const { events: last, summary } = builder.finish();
  const closing = last.map(blockEventFrame).join('');
  if (summary.truncatedTools.length > 0) {
    if (closing) yield Buffer.from(closing);
    throw truncatedError(summary);
  }
  const inputTokens = finalInputTokens(context.model, summary.contextPercentage, summary.outputTokens, context.inputEstimate);
  yield Buffer.from(closing + messageEndFrames(summary, inputTokens));
}

/** Kiro events -> one Claude Messages response body. */
export async function collectClaudeMessage(events: AsyncIterable<KiroEvent>, context: KiroResponseContext): Promise<Record<string, unknown>> {
  const builder = new KiroResponseBuilder({ thinkingRequested: context.thinkingRequested, names: context.names });
  const collector = new ClaudeContentCollector();
  for await (const event of events) for (const blockEvent of builder.push(event)) collector.push(blockEvent);
  const { events: last, summary } = builder.finish();
  if (summary.truncatedTools.length > 0) throw truncatedError(summary);
  for (const blockEvent of last) collector.push(blockEvent);
  const inputTokens = finalInputTokens(context.model, summary.contextPercentage, summary.outputTokens, context.inputEstimate);
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: collector.content(),
    stop_reason: summary.stopReason,
    stop_sequence: null,
    usage: claudeUsage(inputTokens, summary.outputTokens),
  };
}
