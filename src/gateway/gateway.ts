import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import { GatewayError } from '../errors/gateway-error.js';
import type { ProtocolId } from '../protocols/protocol-id.js';
import type { ModelInfo, UpstreamResponse } from '../providers/provider-adapter.js';
import { clientClosedError } from '../upstream/transport-error.js';
import {
  createAttemptBudget,
  DEFAULT_RETRY_SETTINGS,
  sendWithFirstByteDeadline,
  waitBeforeSameInstanceRetry,
  type AttemptBudget,
  type RetrySettings,
} from './attempt-budget.js';
import { collectInto, settleWhenDone, tapText, type ChunkTail } from './body-iterators.js';
import type { CanonicalRequest } from '../protocols/canonical/types.js';
import { convertRequest, convertResponse, convertStream } from './conversion.js';
import { leaseOutcomeOf, upstreamFailureOf } from './escaped-errors.js';
import {
  isPoolUnavailableError,
  resolveFallbackTargets,
  shouldFailover,
  shouldRetrySameInstance,
  type ModelFallbackMapping,
  type ProviderFallbackChain,
} from '../pool/index.js';
import type { InstanceLease, InstanceSelector } from './instance-selector.js';
import { passthroughFrames } from './passthrough-stream.js';
import type { PromptLog } from './prompt-log.js';
import { extractInputText, extractResponseText } from './prompt-text.js';
import type { ProviderDirectory, ProviderGroup } from './provider-directory.js';
import type { RequestLogRecord } from './request-log.js';
import { applySystemPrompt, isSystemPromptActive, type SystemPromptSettings } from './system-prompt.js';
import { StreamUsageScanner, usageOfJsonBody } from './usage-scan.js';
import type { Usage } from '../protocols/canonical/types.js';
import { systemPromptEdits } from './system-prompt-edits.js';
import type { RawJsonObject } from '../json/raw-json-object.js';

/** One client request, as the server layer hands it over: a value, never shared between requests. */
export interface GatewayCall {
  readonly requestId: string;
  readonly protocol: ProtocolId;
  /** The body as the client sent it, with its top-level members located: what passthrough reads and edits. */
  readonly json: RawJsonObject;
  /** The whole body parsed (once, on first use; may be a getter): for conversion and prompt logs. */
  readonly body: Record<string, unknown>;
  readonly model: string | undefined;
  readonly stream: boolean;
  readonly pathProvider: string | undefined;
  readonly headerProvider: string | undefined;
  readonly headers: IncomingHttpHeaders;
  readonly signal: AbortSignal;
  readonly log: RequestLogRecord;
  /** Gemini streamGenerateContent without `alt=sse` streams one JSON array instead of SSE. */
  readonly streamFormat?: 'sse' | 'json-array';
}

export type GatewayResult =
  | {
      readonly kind: 'stream';
      readonly provider: string;
      readonly frames: AsyncIterable<Buffer | string>;
      /** Set when the stream is converted: the client encoder's own error event (it knows its state). */
      readonly renderError?: (error: GatewayError) => string;
      readonly contentType?: string;
    }
  | {
      readonly kind: 'json';
      readonly provider: string;
      readonly contentType: string;
      readonly body: AsyncIterable<Buffer>;
      /** Known when the upstream's bytes pass through unchanged and it sent a length. */
      readonly contentLength?: number;
    };

export interface GatewayDependencies {
  readonly directory: ProviderDirectory;
  readonly fallback: {
    readonly providerFallbackChain: ProviderFallbackChain;
    readonly modelFallbackMapping: ModelFallbackMapping;
    /** False when both are empty: the common case skips the fallback planning per request. */
    readonly enabled: boolean;
  };
  readonly selector: InstanceSelector;
  /** The attempt budget and deadlines; defaults: 4 attempts, 1 s backoff base, 60 s stream first byte. */
  readonly retry?: RetrySettings;
  readonly systemPrompt: SystemPromptSettings;
  readonly promptLog: PromptLog;
  readonly logger: Logger;
  /** Read token counts from upstream answers (usage accounting or metrics are on). */
  readonly collectUsage?: boolean;
}

const NOTHING_TRIED: ReadonlySet<string> = new Set();

/** Fields starting with `_` are the gateway's own (the original's convention): never forwarded. */
function isInternalField(key: string): boolean {
  return key.charCodeAt(0) === 0x5f /* _ */;
}

/**
 * The request path between the HTTP surface and the backends: provider selection, body preparation,
 * instance choice with failover, and the response handed back as bytes to forward.
 */
export class Gateway {
  /** Instances whose upstream refused `stream_options` (learned once, kept for the process's life). */
  private readonly refusesUsageOption = new Set<string>();
  constructor(private readonly dependencies: GatewayDependencies) {}

  get directory(): ProviderDirectory {
    return this.dependencies.directory;
  }

  async run(call: GatewayCall): Promise<GatewayResult> {
    const { directory, fallback } = this.dependencies;
    const selection = directory.resolve({ model: call.model, pathProvider: call.pathProvider, headerProvider: call.headerProvider });
    call.log.stream = call.stream;
    call.log.protocol = call.protocol;
    call.log.modelAsked = call.model;
    const targets = fallback.enabled
      ? resolveFallbackTargets(selection.group.name, selection.model ?? '', {
          providerFallbackChain: fallback.providerFallbackChain,
          modelFallbackMapping: fallback.modelFallbackMapping,
          adapterTypeOf: (name) => directory.get(name)?.adapter.type,
          isConfigured: (name) => directory.get(name)?.configured === true,
        })
      : [{ group: selection.group.name, model: selection.model ?? '', reason: 'primary' as const }];
    let firstError: GatewayError | undefined;
    // One budget for the whole request: fallback groups spend from what the primary left.
    const budget = createAttemptBudget(this.dependencies.retry ?? DEFAULT_RETRY_SETTINGS);
    for (const [index, target] of targets.entries()) {
      const group = target.reason === 'primary' ? selection.group : directory.get(target.group);
      if (!group?.configured) continue;
      if (firstError && budget.used >= budget.limit) break;
      const model = target.reason === 'primary' ? selection.model : target.model;
      if (target.reason !== 'primary') {
        call.log.fallbacks = (call.log.fallbacks ?? 0) + 1;
        call.log.fallbackFrom = selection.group.name;
      }
      try {
        // A fallback group still to come is another instance: no same-instance retry before it.
        return await this.runOnGroup(call, group, model, { budget, retryInPlace: index === targets.length - 1 });
      } catch (caught) {
        const error = upstreamFailureOf(caught, call.signal);
        // A gateway bug is no reason to try another provider: it goes to the server as it is.
        if (error === undefined) throw caught;
        // Another provider is tried only when this one could not serve at all, never for the client's own mistakes.
        if (error.code === 'client_closed' || error.detail.scope === 'request' || !canFallBack(error)) throw error;
        firstError ??= error;
        if (target !== targets.at(-1)) {
          this.dependencies.logger.warn({ requestId: call.requestId, provider: group.name, error: error.message }, 'provider failed; trying the fallback');
        }
      }
    }
    throw firstError ?? new GatewayError('no_instance', 'upstream', `No available instance for provider ${selection.group.name}`, { status: 503 });
  }

  private async runOnGroup(call: GatewayCall, group: ProviderGroup, model: string | undefined, attempts: GroupAttempts): Promise<GatewayResult> {
    call.log.provider = group.name;
    call.log.model = model;
    const backendProtocol = group.adapter.protocol;
    // Gemini's JSON-array stream form needs re-framing even when both sides speak Gemini.
    const converting = backendProtocol !== call.protocol || call.streamFormat === 'json-array';
    let conversion: Conversion | undefined;
    let body: OutgoingBody;
    // OpenAI-compatible streams report usage only when asked; the extra chunk is kept from the client.
    const askUsage = !converting && this.dependencies.collectUsage === true && call.stream && backendProtocol === 'openai-chat' && !asksForUsage(call.json);
    if (converting) {
      const converted = convertRequest(call.protocol, backendProtocol, this.clientBodyCopy(call), { model, stream: call.stream });
      conversion = { canonical: converted.canonical, backendProtocol };
      // The OpenAI encoder always asks a stream for usage; an upstream that refuses the option gets the body without it.
      const addsOption = backendProtocol === 'openai-chat' && call.stream && !asksForUsage(call.json);
      body = { bytes: converted.body, withoutUsageOption: addsOption ? () => withoutStreamOptions(converted.body) : undefined };
    } else {
      body = { bytes: this.prepareBody(call, model, askUsage), withoutUsageOption: askUsage ? () => this.prepareBody(call, model, false) : undefined };
    }
    const { lease, response, startedAt } = await this.sendWithFailover(call, group, model, body, attempts);
    try {
      return this.createResult(call, group, model, lease, response, startedAt, conversion, askUsage);
    } catch (error) {
      // From here on the lease is the result's to settle; if there is no result, it is ours.
      lease.release({ kind: 'cancelled' });
      void response.body[Symbol.asyncIterator]()
        .return?.()
        ?.catch(() => undefined);
      throw error;
    }
  }

  /** The client's body without internal fields and with the system prompt override applied, as a new object. */
  private clientBodyCopy(call: GatewayCall): Record<string, unknown> {
    const body: Record<string, unknown> = {};
    for (const key in call.body) if (!isInternalField(key)) body[key] = call.body[key];
    if (isSystemPromptActive(this.dependencies.systemPrompt)) applySystemPrompt(call.protocol, body, this.dependencies.systemPrompt);
    return body;
  }

  /**
   * Forwards the client's bytes untouched unless the model prefix, internal fields, the system prompt or
   * the usage option require a change; changes are spliced into the bytes, so a large body is never parsed as a whole.
   */
  private prepareBody(call: GatewayCall, model: string | undefined, askUsage: boolean): Buffer {
    const { systemPrompt } = this.dependencies;
    const { json } = call;
    const modelChanged = call.protocol !== 'gemini' && model !== json.get('model');
    const systemActive = isSystemPromptActive(systemPrompt);
    if (!modelChanged && !systemActive && !askUsage && !json.keys().some(isInternalField)) return json.bytes;
    const set = systemActive ? systemPromptEdits(call.protocol, json, systemPrompt) : {};
    if (modelChanged) set.model = model;
    if (askUsage) {
      const options = json.get('stream_options');
      set.stream_options = { ...(isRecord(options) ? options : {}), include_usage: true };
    }
    return json.edit({ set, remove: isInternalField });
  }

  /**
   * Spends the request's attempt budget on this group: a failure before the first byte moves at once
   * to an instance this request has not tried; only when none is eligible does it go back to the
   * same one, after a backoff, and only for a blip (see shouldRetrySameInstance).
   */
  private async sendWithFailover(
    call: GatewayCall,
    group: ProviderGroup,
    model: string | undefined,
    body: OutgoingBody,
    { budget, retryInPlace }: GroupAttempts,
  ): Promise<{ lease: InstanceLease; response: UpstreamResponse; startedAt: number }> {
    const { selector } = this.dependencies;
    const retry = this.dependencies.retry ?? DEFAULT_RETRY_SETTINGS;
    const tried = new Set<string>();
    let lastError: GatewayError | undefined;
    while (budget.used < budget.limit) {
      let lease: InstanceLease;
      try {
        lease = await selector.acquire(group, model, { signal: call.signal, exclude: tried });
      } catch (error) {
        // Nothing left to try: the last upstream failure says more than "no instance".
        if (!lastError || call.signal.aborted) throw call.signal.aborted ? clientClosedError() : error;
        if (!retryInPlace || !shouldRetrySameInstance(lastError, tried.size)) throw lastError;
        await waitBeforeSameInstanceRetry(budget, retry.baseDelayMs, call.signal);
        try {
          lease = await selector.acquire(group, model, { signal: call.signal, exclude: NOTHING_TRIED });
        } catch {
          throw call.signal.aborted ? clientClosedError() : lastError;
        }
      }
      budget.used += 1;
      tried.add(lease.instance.id);
      // Every attempt after a failed one is a failover (to another instance, or the same one again).
      if (lastError) call.log.failovers = (call.log.failovers ?? 0) + 1;
      call.log.instance = lease.instance.name;
      const attemptLog = (call.log.attempts ??= []);
      const startedAt = performance.now();
      const instanceId = lease.instance.id;
      let bytes = body.withoutUsageOption && this.refusesUsageOption.has(instanceId) ? body.withoutUsageOption() : body.bytes;
      try {
        for (;;) {
          const request = { model: model ?? '', stream: call.stream, body: bytes, clientHeaders: call.headers, signal: call.signal };
          try {
            const response = call.stream
              ? await sendWithFirstByteDeadline(lease.instance.client, request, retry.streamFirstByteTimeoutMs, group.name)
              : await lease.instance.client.send(request);
            attemptLog.push({ provider: group.name, instance: instanceId, outcome: 'success' });
            return { lease, response, startedAt };
          } catch (caught) {
            // An upstream that refuses the usage option the gateway added (older OpenAI-compatible servers):
            // the same request again without it, at once, and this instance never gets it again.
            if (body.withoutUsageOption === undefined || bytes !== body.bytes || !refusesUsageOption(caught)) throw caught;
            this.refusesUsageOption.add(instanceId);
            this.dependencies.logger.info(
              { provider: group.name, instance: lease.instance.name },
              'upstream refuses stream_options: streams to it go without a usage request',
            );
            bytes = body.withoutUsageOption();
          }
        }
      } catch (caught) {
        const error = upstreamFailureOf(caught, call.signal);
        if (error === undefined || error.code === 'client_closed') {
          attemptLog.push({ provider: group.name, instance: lease.instance.id, outcome: error === undefined ? 'internal' : 'cancelled' });
          lease.release({ kind: 'cancelled' });
          throw error ?? caught;
        }
        attemptLog.push({ provider: group.name, instance: lease.instance.id, outcome: error.kind });
        lease.release({ kind: 'failure', error });
        lastError = error;
        if (!shouldFailover(error, budget.used, budget.limit)) throw error;
        this.dependencies.logger.warn(
          { requestId: call.requestId, provider: group.name, instance: lease.instance.name, error: error.message },
          'upstream attempt failed',
        );
      }
    }
    throw lastError ?? new GatewayError('no_instance', 'upstream', `No available instance for provider ${group.name}`, { status: 503 });
  }

  private createResult(
    call: GatewayCall,
    group: ProviderGroup,
    model: string | undefined,
    lease: InstanceLease,
    response: UpstreamResponse,
    startedAt: number,
    conversion: Conversion | undefined,
    askedUsage: boolean,
  ): GatewayResult {
    const firstByteMs = performance.now() - startedAt;
    const { promptLog } = this.dependencies;
    const collectUsage = this.dependencies.collectUsage === true;
    const estimated = group.adapter.estimatesUsage === true;
    const onUsage = collectUsage
      ? (usage: Usage | undefined) => {
          if (!usage) return;
          call.log.usage = usage;
          if (estimated) call.log.usageEstimated = true;
        }
      : undefined;
    let output = '';
    const finish = (error: unknown) => {
      lease.release(error === undefined ? { kind: 'success', firstByteMs } : leaseOutcomeOf(error, call.signal));
      if (promptLog.enabled) {
        // The answer is already out: a log that cannot be written must not turn it into an error.
        try {
          promptLog.write({ requestId: call.requestId, provider: group.name, model, input: extractInputText(call.protocol, call.body), output });
        } catch (logError) {
          this.dependencies.logger.warn({ requestId: call.requestId, error: (logError as Error)?.message }, 'prompt log entry not written');
        }
      }
    };
    call.log.instanceId = lease.instance.id;
    call.log.upstreamHeaders = response.headers;
    if (conversion) return this.createConvertedResult(call, group, response, conversion, finish, (text) => (output += text), onUsage);
    if (call.stream) {
      const scanner = onUsage ? new StreamUsageScanner(call.protocol) : undefined;
      const frames = passthroughFrames(response.body, {
        protocol: call.protocol,
        providerType: group.name,
        onText: promptLog.enabled ? (text) => (output += text) : undefined,
        usage: scanner,
        dropUsageChunk: askedUsage,
      });
      return {
        kind: 'stream',
        provider: group.name,
        frames: settleWhenDone(frames, (error) => {
          if (scanner) onUsage?.(scanner.result());
          finish(error);
        }),
      };
    }
    const chunks: Buffer[] | undefined = promptLog.enabled ? [] : undefined;
    const tail: ChunkTail | undefined = onUsage ? {} : undefined;
    const body = settleWhenDone(collectInto(response.body, chunks, tail), (error) => {
      if (tail?.last)
        onUsage?.(usageOfJsonBody(call.protocol, tail.last) ?? (tail.previous && usageOfJsonBody(call.protocol, Buffer.concat([tail.previous, tail.last]))));
      if (chunks && error === undefined) {
        try {
          output = extractResponseText(call.protocol, JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch {
          output = '';
        }
      }
      finish(error);
    });
    return { kind: 'json', provider: group.name, contentType: response.contentType ?? 'application/json', body, contentLength: response.contentLength };
  }

  private createConvertedResult(
    call: GatewayCall,
    group: ProviderGroup,
    response: UpstreamResponse,
    conversion: Conversion,
    finish: (error: unknown) => void,
    onText: (text: string) => void,
    onUsage: ((usage: Usage | undefined) => void) | undefined,
  ): GatewayResult {
    const { promptLog } = this.dependencies;
    const { canonical, backendProtocol } = conversion;
    if (call.stream) {
      const converted = convertStream({
        body: response.body,
        clientProtocol: call.protocol,
        backendProtocol,
        canonical,
        encoderOptions: call.streamFormat ? { format: call.streamFormat } : undefined,
        onUsage,
      });
      const frames = promptLog.enabled ? tapText(converted.frames, call.protocol, onText) : converted.frames;
      return {
        kind: 'stream',
        provider: group.name,
        frames: settleWhenDone(frames, finish),
        renderError: converted.renderError,
        contentType: call.streamFormat === 'json-array' ? 'application/json; charset=utf-8' : undefined,
      };
    }
    const protocol = call.protocol;
    async function* convertedBody(): AsyncGenerator<Buffer> {
      const chunks: Buffer[] = [];
      for await (const chunk of response.body) chunks.push(chunk);
      const converted = convertResponse(Buffer.concat(chunks), protocol, backendProtocol, canonical, onUsage);
      if (promptLog.enabled) onText(extractResponseText(protocol, JSON.parse(converted.toString('utf8'))));
      yield converted;
    }
    return { kind: 'json', provider: group.name, contentType: 'application/json', body: settleWhenDone(convertedBody(), finish) };
  }

  /** Model list of one provider (or of all, prefixed, for `auto`). */
  async listModels(input: { pathProvider: string | undefined; headerProvider: string | undefined; signal: AbortSignal }): Promise<ModelInfo[]> {
    const { directory, selector } = this.dependencies;
    const requested = input.pathProvider ?? input.headerProvider ?? directory.defaultProvider;
    const groups =
      requested?.toLowerCase() === 'auto'
        ? directory.configuredGroups()
        : [directory.resolve({ model: undefined, pathProvider: input.pathProvider, headerProvider: input.headerProvider }).group];
    const prefix = groups.length > 1 || requested?.toLowerCase() === 'auto';
    const lists = await Promise.all(
      groups.map(async (group) => {
        const instance = selector.anyInstance(group);
        let models: ModelInfo[] = [];
        try {
          if (instance) models = await instance.client.listModels(input.signal);
        } catch (error) {
          if (groups.length === 1) throw upstreamFailureOf(error, input.signal) ?? error;
        }
        const known = new Set(models.map((model) => model.id));
        for (const custom of directory.customModelsOf(group.name)) {
          if (!known.has(custom.id)) models.push({ id: custom.id, ownedBy: group.name });
        }
        return prefix ? models.map((model) => ({ ...model, id: `${group.name}:${model.id}` })) : models;
      }),
    );
    return lists.flat();
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asksForUsage(json: RawJsonObject): boolean {
  const options = json.get('stream_options');
  return isRecord(options) && options.include_usage === true;
}

/** What the gateway sends upstream, and the same body without the usage option it added, if it added one. */
interface OutgoingBody {
  readonly bytes: Buffer;
  readonly withoutUsageOption: (() => Buffer) | undefined;
}

function refusesUsageOption(error: unknown): boolean {
  return error instanceof GatewayError && (error.status === 400 || error.status === 422) && /stream_options/i.test(error.message);
}

/** A body the gateway itself serialised (conversion), without its `stream_options`. */
function withoutStreamOptions(bytes: Buffer): Buffer {
  const { stream_options: _dropped, ...rest } = JSON.parse(bytes.toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify(rest));
}

const FALLBACK_KINDS: ReadonlySet<string> = new Set(['network', 'timeout', 'upstream', 'overloaded', 'rate_limit', 'quota', 'auth']);

function canFallBack(error: GatewayError): boolean {
  return FALLBACK_KINDS.has(error.kind) || isPoolUnavailableError(error);
}

/** How a request may spend attempts on one group: its budget, and whether the same instance may be retried. */
interface GroupAttempts {
  readonly budget: AttemptBudget;
  readonly retryInPlace: boolean;
}

interface Conversion {
  readonly canonical: CanonicalRequest;
  readonly backendProtocol: ProtocolId;
}
