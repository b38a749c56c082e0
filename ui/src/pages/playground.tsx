import { useEffect, useRef, useState } from 'preact/hooks';
import { errorOf } from '../api';
import { api } from '../api';
import { ErrorBox, PageHeader } from '../components';
import { formatMs } from '../format';
import type { PoolsAnswer } from '../pool-types';

type Protocol = 'openai-chat' | 'openai-responses' | 'claude' | 'gemini';

const PROTOCOLS: Array<{ id: Protocol; label: string }> = [
  { id: 'openai-chat', label: 'OpenAI Chat Completions' },
  { id: 'openai-responses', label: 'OpenAI Responses' },
  { id: 'claude', label: 'Claude Messages' },
  { id: 'gemini', label: 'Gemini generateContent' },
];

/** The request a client of that protocol would send, streamed. */
function requestFor(protocol: Protocol, model: string, prompt: string): { url: string; body: unknown; headers: Record<string, string> } {
  switch (protocol) {
    case 'openai-chat':
      return { url: '/v1/chat/completions', headers: {}, body: { model, stream: true, messages: [{ role: 'user', content: prompt }] } };
    case 'openai-responses':
      return { url: '/v1/responses', headers: {}, body: { model, stream: true, input: prompt } };
    case 'claude':
      return {
        url: '/v1/messages',
        headers: { 'anthropic-version': '2023-06-01' },
        body: { model, stream: true, max_tokens: 1024, messages: [{ role: 'user', content: prompt }] },
      };
    case 'gemini':
      return {
        url: `/v1beta/models/${encodeURIComponent(model)}:streamGenerateContent?alt=sse`,
        headers: {},
        body: { contents: [{ role: 'user', parts: [{ text: prompt }] }] },
      };
  }
}

/** The text of one SSE event in that protocol, if it carries any. */
function textOf(protocol: Protocol, event: string, data: unknown): string {
  // biome-ignore lint/suspicious/noExplicitAny: reads optional fields of three protocols' stream events
  const value = data as Record<string, any>;
  if (protocol === 'openai-chat') return value?.choices?.[0]?.delta?.content ?? '';
  if (protocol === 'openai-responses') return event === 'response.output_text.delta' || value?.type === 'response.output_text.delta' ? (value.delta ?? '') : '';
  if (protocol === 'claude') return value?.type === 'content_block_delta' && value.delta?.type === 'text_delta' ? (value.delta.text ?? '') : '';
  return (value?.candidates?.[0]?.content?.parts ?? []).map((part: { text?: string; thought?: boolean }) => (part.thought ? '' : (part.text ?? ''))).join('');
}

async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<{ event: string; data: string }> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end: number;
    while ((end = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end).replace(/^\r?\n\r?\n/, '');
      let event = '';
      const data: string[] = [];
      for (const line of block.split(/\r?\n/)) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export function PlaygroundPage() {
  const [groups, setGroups] = useState<string[]>([]);
  const [provider, setProvider] = useState('');
  const [protocol, setProtocol] = useState<Protocol>('openai-chat');
  const [model, setModel] = useState('');
  const [models, setModels] = useState<string[]>([]);
  const [prompt, setPrompt] = useState('Say hello in one short sentence.');
  const [output, setOutput] = useState('');
  const [served, setServed] = useState<{ provider?: string; instance?: string; status?: number; ms?: number } | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [running, setRunning] = useState(false);
  const controller = useRef<AbortController | undefined>(undefined);

  useEffect(() => {
    void api<PoolsAnswer>('/api/pools').then((answer) => {
      const names = answer.groups.map((group) => group.name);
      setGroups(names);
      setProvider((current) => current || names[0] || '');
    }, setError);
    return () => controller.current?.abort();
  }, []);
  useEffect(() => {
    if (!provider) return;
    void fetch('/v1/models', { credentials: 'same-origin', headers: { 'model-provider': provider } })
      .then((response) => (response.ok ? response.json() : { data: [] }))
      .then((answer: { data?: Array<{ id: string }> }) => {
        const ids = (answer.data ?? []).map((item) => item.id);
        setModels(ids);
        setModel((current) => (current && ids.includes(current) ? current : (ids[0] ?? current)));
      })
      .catch(() => setModels([]));
  }, [provider]);

  const send = async (event: Event) => {
    event.preventDefault();
    controller.current?.abort();
    const abort = new AbortController();
    controller.current = abort;
    setRunning(true);
    setOutput('');
    setError(undefined);
    setServed(undefined);
    const started = performance.now();
    try {
      const request = requestFor(protocol, model.trim(), prompt);
      const response = await fetch(request.url, {
        method: 'POST',
        credentials: 'same-origin',
        headers: { 'content-type': 'application/json', 'model-provider': provider, ...request.headers },
        body: JSON.stringify(request.body),
        signal: abort.signal,
      });
      const info = {
        provider: response.headers.get('x-aiclient-provider') ?? undefined,
        instance: response.headers.get('x-aiclient-instance') ?? undefined,
        status: response.status,
      };
      setServed(info);
      if (!response.ok || !response.body) throw await errorOf(response);
      let text = '';
      for await (const item of readEvents(response.body)) {
        if (item.data === '[DONE]') continue;
        let data: unknown;
        try {
          data = JSON.parse(item.data);
        } catch {
          continue;
        }
        if ((data as { error?: unknown; type?: string }).error || (data as { type?: string }).type === 'error') {
          const failure = (data as { error?: { message?: string } }).error;
          throw new Error(failure?.message ?? 'the stream ended with an error');
        }
        text += textOf(protocol, item.event, data);
        setOutput(text);
      }
      setServed({ ...info, ms: performance.now() - started });
    } catch (failure) {
      if (!abort.signal.aborted) setError(failure);
    } finally {
      setRunning(false);
    }
  };

  return (
    <section aria-labelledby="playground-title">
      <PageHeader title="Playground" />
      <form class="panel playground" onSubmit={send}>
        <div class="fields">
          <div class="field">
            <label for="pg-provider">Provider</label>
            <select id="pg-provider" value={provider} onChange={(event) => setProvider(event.currentTarget.value)}>
              {groups.map((name) => (
                <option key={name} value={name}>
                  {name}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="pg-protocol">Client protocol</label>
            <select id="pg-protocol" value={protocol} onChange={(event) => setProtocol(event.currentTarget.value as Protocol)}>
              {PROTOCOLS.map((item) => (
                <option key={item.id} value={item.id}>
                  {item.label}
                </option>
              ))}
            </select>
          </div>
          <div class="field">
            <label for="pg-model">Model</label>
            <input id="pg-model" list="pg-models" value={model} required onInput={(event) => setModel(event.currentTarget.value)} />
            <datalist id="pg-models">
              {models.map((id) => (
                <option key={id} value={id} />
              ))}
            </datalist>
          </div>
        </div>
        <div class="field">
          <label for="pg-prompt">Prompt</label>
          <textarea id="pg-prompt" rows={4} value={prompt} onInput={(event) => setPrompt(event.currentTarget.value)} />
        </div>
        <div class="form-actions">
          <button type="submit" class="primary" disabled={running || !provider || model.trim() === ''}>
            {running ? 'Streaming…' : 'Send'}
          </button>
          {running ? (
            <button type="button" onClick={() => controller.current?.abort()}>
              Stop
            </button>
          ) : null}
        </div>
      </form>
      <section class="panel" aria-labelledby="pg-answer-title">
        <h2 id="pg-answer-title">Answer</h2>
        {served ? (
          <p class="muted small" data-testid="served-by">
            HTTP {served.status} · provider <code>{served.provider ?? '–'}</code> · instance <code class="served-instance">{served.instance ?? '–'}</code>
            {served.ms !== undefined ? ` · ${formatMs(served.ms)}` : ''}
          </p>
        ) : null}
        <ErrorBox error={error} />
        <pre class="answer" aria-live="polite" aria-busy={running}>
          {output}
        </pre>
      </section>
    </section>
  );
}
