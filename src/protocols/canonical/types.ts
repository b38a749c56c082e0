import type { GatewayError } from '../../errors/gateway-error.js';
import type { ProtocolId } from '../protocol-id.js';
import type { SseFrame } from '../sse/sse-frame-splitter.js';

/**
 * Vendor-only data keyed by the protocol that owns it (Claude `signature` / `cache_control`, Gemini
 * `thoughtSignature`, Responses `encrypted_content` and item ids). An encoder reads only its own key, so a
 * value is never sent to a protocol that did not produce it, and it survives byte-exact.
 */
export type ProviderMetadata = Partial<Record<ProtocolId, Record<string, unknown>>>;

export type MediaSource = { kind: 'base64'; mediaType: string; data: string } | { kind: 'url'; url: string; mediaType?: string };

export interface TextPart {
  type: 'text';
  text: string;
  providerMetadata?: ProviderMetadata;
}

export interface ImagePart {
  type: 'image';
  source: MediaSource;
  /** OpenAI `detail` (low / high / auto). */
  detail?: string;
  providerMetadata?: ProviderMetadata;
}

/** PDFs and other documents (Claude `document`, OpenAI `file`, Gemini inlineData/fileData with a non-image type). */
export interface FilePart {
  type: 'file';
  source: MediaSource;
  filename?: string;
  providerMetadata?: ProviderMetadata;
}

export interface AudioPart {
  type: 'audio';
  /** base64 audio */
  data: string;
  /** wav, mp3, ... */
  format: string;
  providerMetadata?: ProviderMetadata;
}

/**
 * Thinking text. The signature of the protocol that produced it sits in providerMetadata
 * (`claude.signature`, `gemini.thoughtSignature`, `openai-responses.encryptedContent`); Claude redacted
 * thinking keeps `claude.redactedData` with empty text.
 */
export interface ReasoningPart {
  type: 'reasoning';
  text: string;
  providerMetadata?: ProviderMetadata;
}

export interface ToolCallPart {
  type: 'tool-call';
  toolCallId: string;
  toolName: string;
  /** The arguments as a JSON object (custom/freeform tools: `{ input: string }`). */
  input: Record<string, unknown>;
  /** `custom` marks a Responses freeform tool call (Codex apply_patch). */
  kind?: 'function' | 'custom';
  providerMetadata?: ProviderMetadata;
}

export type ToolResultContent = TextPart | ImagePart | FilePart;

export interface ToolResultPart {
  type: 'tool-result';
  toolCallId: string;
  /** Name of the tool that was called, looked up from the history when the wire format lacks it. */
  toolName?: string;
  content: ToolResultContent[];
  isError?: boolean;
  kind?: 'function' | 'custom';
  providerMetadata?: ProviderMetadata;
}

export type ContentPart = TextPart | ImagePart | FilePart | AudioPart | ReasoningPart | ToolCallPart | ToolResultPart;

/**
 * `system` messages are mid-conversation system/developer messages (leading ones go to
 * `CanonicalRequest.system`). `tool` messages hold only tool-result parts.
 */
export interface CanonicalMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: ContentPart[];
  providerMetadata?: ProviderMetadata;
}

export type JsonSchema = Record<string, unknown>;

export type CanonicalTool =
  | {
      kind: 'function';
      name: string;
      description?: string;
      inputSchema: JsonSchema;
      strict?: boolean;
      providerMetadata?: ProviderMetadata;
    }
  | {
      /** Responses freeform tool; other protocols see a function with one string parameter `input`. */
      kind: 'custom';
      name: string;
      description?: string;
      format?: unknown;
      providerMetadata?: ProviderMetadata;
    }
  | {
      /** A protocol's built-in tool (web_search, google_search, ...), only sent back to that protocol. */
      kind: 'builtin';
      protocol: ProtocolId;
      name: string;
      raw: Record<string, unknown>;
    };

export type ToolChoice = { type: 'auto' } | { type: 'none' } | { type: 'required' } | { type: 'tool'; name: string };

export type ReasoningEffort = 'none' | 'minimal' | 'low' | 'medium' | 'high' | 'xhigh' | 'max';

export interface ReasoningConfig {
  /** enabled: thinking on (budget and/or effort); adaptive: the model decides (Claude adaptive); disabled: off. */
  mode: 'enabled' | 'adaptive' | 'disabled';
  effort?: ReasoningEffort;
  budgetTokens?: number;
  /** Gemini includeThoughts / whether thinking text is wanted back. */
  includeThoughts?: boolean;
  /** Responses `reasoning.summary`. */
  summary?: string;
}

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json' }
  | { type: 'json-schema'; schema: JsonSchema; name?: string; description?: string; strict?: boolean };

export interface CanonicalRequest {
  /** The protocol the request was decoded from. */
  protocol: ProtocolId;
  model: string;
  stream: boolean;
  system: TextPart[];
  messages: CanonicalMessage[];
  tools: CanonicalTool[];
  toolChoice?: ToolChoice;
  parallelToolCalls?: boolean;
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  /** OpenAI `n` / Gemini `candidateCount`; only OpenAI Chat and Gemini can produce more than one. */
  candidateCount?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage?: boolean;
  /** OpenAI `user`, Claude `metadata.user_id`. */
  user?: string;
  /** Fields only the source protocol understands (Claude metadata/context_management, Responses store/include, ...). */
  providerMetadata?: ProviderMetadata;
}

export type FinishReason = 'stop' | 'length' | 'tool-calls' | 'content-filter' | 'error' | 'other';

export interface FinishInfo {
  unified: FinishReason;
  /** The backend's own value (`end_turn`, `MAX_TOKENS`, ...). */
  raw?: string;
}

/**
 * Token usage with OpenAI semantics: `inputTokens` includes cache reads and writes, `outputTokens`
 * includes reasoning tokens. Each codec converts from and to its protocol's rules.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  totalTokens?: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

export interface CanonicalResponse {
  id: string;
  model: string;
  /** Output parts in order: reasoning, text, tool-call (and images for Gemini). */
  content: ContentPart[];
  finishReason: FinishInfo;
  /** The stop sequence that ended the output, when the backend says which. */
  stopSequence?: string;
  usage: Usage;
  created?: number;
  providerMetadata?: ProviderMetadata;
}

/**
 * One canonical stream. `index` numbers the content blocks of the stream in the order they were opened
 * (the decoder assigns it; encoders map it to their own indexes). Decoders emit, per tool call:
 * tool-input-start, tool-input-delta*, tool-input-end, then tool-call with the whole arguments.
 */
export type StreamEvent =
  | { type: 'message-start'; id: string; model: string; usage?: Partial<Usage>; providerMetadata?: ProviderMetadata }
  | { type: 'text-start'; index: number; providerMetadata?: ProviderMetadata }
  | { type: 'text-delta'; index: number; delta: string }
  | { type: 'text-end'; index: number; providerMetadata?: ProviderMetadata }
  | { type: 'reasoning-start'; index: number; providerMetadata?: ProviderMetadata }
  | { type: 'reasoning-delta'; index: number; delta: string }
  /** Signatures (Claude signature_delta, Gemini thoughtSignature, Responses encrypted_content) arrive on the end. */
  | { type: 'reasoning-end'; index: number; providerMetadata?: ProviderMetadata }
  | {
      type: 'tool-input-start';
      index: number;
      toolCallId: string;
      toolName: string;
      kind?: 'function' | 'custom';
      providerMetadata?: ProviderMetadata;
    }
  | { type: 'tool-input-delta'; index: number; delta: string }
  | { type: 'tool-input-end'; index: number }
  | {
      type: 'tool-call';
      index: number;
      toolCallId: string;
      toolName: string;
      /** The complete arguments JSON text. */
      input: string;
      kind?: 'function' | 'custom';
      providerMetadata?: ProviderMetadata;
    }
  | { type: 'image'; index: number; mediaType: string; data: string; providerMetadata?: ProviderMetadata }
  | { type: 'finish'; reason: FinishInfo; usage: Usage; stopSequence?: string; providerMetadata?: ProviderMetadata }
  | { type: 'error'; error: GatewayError };

export interface StreamDecoder {
  decode(frame: SseFrame): StreamEvent[];
  /** Called when the upstream body ends: flushes open blocks and a finish that never came. */
  end(): StreamEvent[];
}

export interface StreamEncoder {
  encode(event: StreamEvent): string;
  error(error: GatewayError): string;
  /** Closes the stream with exactly one end marker in the client's protocol, if not already sent. */
  end(): string;
}

export interface StreamEncoderOptions {
  /** Gemini only: `sse` for `alt=sse`, `json-array` for the default streamGenerateContent form. */
  format?: 'sse' | 'json-array';
}

export interface RequestContext {
  /** Gemini: the model from the URL path. */
  model?: string;
  /** Gemini: true for streamGenerateContent. */
  stream?: boolean;
}

export interface ProtocolCodec {
  readonly id: ProtocolId;
  /** Client body -> canonical. Throws GatewayError(kind 'invalid_request') on bad input. */
  decodeRequest(body: unknown, context: RequestContext): CanonicalRequest;
  /** Canonical -> JSON body for a backend speaking this protocol (model already resolved in request.model). */
  encodeRequest(request: CanonicalRequest): Record<string, unknown>;
  /** Backend non-streaming JSON response -> canonical. */
  decodeResponse(body: unknown): CanonicalResponse;
  /** Canonical response -> the client's JSON body. */
  encodeResponse(response: CanonicalResponse, request: CanonicalRequest): unknown;
  createStreamDecoder(request: CanonicalRequest): StreamDecoder;
  createStreamEncoder(request: CanonicalRequest, options?: StreamEncoderOptions): StreamEncoder;
}
