import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { CopyId, Empty, ErrorBox, PageHeader, RelTime, usePolling, useTick } from '../components';
import { exactTime, relativeTime } from '../format';

interface Flow {
  readonly id: string;
  readonly status: 'pending' | 'done' | 'failed';
  readonly message?: string;
  readonly uuid?: string;
  readonly expiresAt: string;
}

interface CredentialFile {
  readonly uuid: string;
  readonly name: string;
  readonly providerType: string;
  readonly file: string;
  readonly exists: boolean;
  readonly expiresAt?: string;
  readonly lastRefreshAt?: string;
  readonly hasRefreshToken?: boolean;
}

function Outcome({ flow }: { flow: Flow | undefined }) {
  if (!flow || flow.status === 'pending') return null;
  return (
    <p class={flow.status === 'done' ? 'success' : 'error'} role="status">
      {flow.status === 'done' ? 'Done: ' : 'Failed: '}
      {flow.message}
    </p>
  );
}

function GeminiLogin({ onAdded, returned }: { onAdded: () => void; returned: Flow | undefined }) {
  const [mode, setMode] = useState<'redirect' | 'paste'>('redirect');
  const [projectId, setProjectId] = useState('');
  const [started, setStarted] = useState<{ authUrl: string; mode: string } | undefined>(undefined);
  const [pasted, setPasted] = useState('');
  const [flow, setFlow] = useState<Flow | undefined>(returned);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setError(undefined);
    setFlow(undefined);
    try {
      const answer = await api<Flow & { authUrl: string; mode: string }>('/api/oauth/gemini/start', {
        method: 'POST',
        body: { mode, projectId: projectId || undefined },
      });
      setStarted(answer);
      if (mode === 'redirect') window.open(answer.authUrl, '_blank', 'noopener');
    } catch (failure) {
      setError(failure);
    }
  };
  const complete = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const answer = await api<Flow>('/api/oauth/gemini/complete', { method: 'POST', body: { url: pasted } });
      setFlow(answer);
      setPasted('');
      setStarted(undefined);
      onAdded();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="panel" aria-labelledby="gemini-title">
      <h2 id="gemini-title">Gemini (Google sign-in)</h2>
      <fieldset>
        <legend>Where is the gateway?</legend>
        <label class="radio">
          <input type="radio" name="gemini-mode" checked={mode === 'redirect'} onChange={() => setMode('redirect')} /> On this computer: Google sends the
          browser back to the gateway
        </label>
        <label class="radio">
          <input type="radio" name="gemini-mode" checked={mode === 'paste'} onChange={() => setMode('paste')} /> On another machine: I paste the address the
          browser ends on
        </label>
      </fieldset>
      <div class="field">
        <label for="gemini-project">Project id (optional)</label>
        <input id="gemini-project" value={projectId} onInput={(event) => setProjectId(event.currentTarget.value)} aria-describedby="gemini-project-hint" />
        <small id="gemini-project-hint" class="muted">
          Empty: the Code Assist project is discovered.
        </small>
      </div>
      <div class="form-actions">
        <button type="button" class="primary" onClick={() => void start()}>
          Sign in with Google
        </button>
      </div>
      {started ? (
        <div class="steps">
          <p>
            {started.mode === 'paste' ? '1. Open ' : 'If no tab opened, open '}
            <a href={started.authUrl} target="_blank" rel="noopener noreferrer" class="auth-url">
              the Google sign-in page
            </a>{' '}
            and sign in.
          </p>
          {started.mode === 'paste' ? (
            <form onSubmit={complete}>
              <p>2. The browser then ends on an address starting with http://localhost:8085/ that may not load. Copy that whole address and paste it here:</p>
              <div class="field">
                <label for="gemini-pasted">Final address</label>
                <input
                  id="gemini-pasted"
                  value={pasted}
                  placeholder="http://localhost:8085/oauth2callback?state=…&code=…"
                  onInput={(event) => setPasted(event.currentTarget.value)}
                />
              </div>
              <button type="submit" class="primary" disabled={busy || pasted.trim() === ''}>
                {busy ? 'Completing…' : 'Complete sign-in'}
              </button>
            </form>
          ) : (
            <p class="muted">When Google sends you back, this page shows the result.</p>
          )}
        </div>
      ) : null}
      <ErrorBox error={error} />
      <Outcome flow={flow} />
    </section>
  );
}

function QwenLogin({ onAdded }: { onAdded: () => void }) {
  const [started, setStarted] = useState<(Flow & { userCode?: string; verificationUrl: string }) | undefined>(undefined);
  const [flow, setFlow] = useState<Flow | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    if (!started || flow?.status === 'done' || flow?.status === 'failed') return;
    const timer = setInterval(() => {
      void api<Flow>(`/api/oauth/flows/${encodeURIComponent(started.id)}`).then(
        (answer) => {
          setFlow(answer);
          if (answer.status === 'done') onAdded();
        },
        (failure) => setError(failure),
      );
    }, 2000);
    return () => clearInterval(timer);
  }, [started, flow?.status]);
  const start = async () => {
    setError(undefined);
    setFlow(undefined);
    try {
      setStarted(await api('/api/oauth/qwen/start', { method: 'POST', body: {} }));
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="panel" aria-labelledby="qwen-title">
      <h2 id="qwen-title">Qwen (device code)</h2>
      <button type="button" class="primary" onClick={() => void start()}>
        Get a login code
      </button>
      {started ? (
        <div class="steps" aria-live="polite">
          <p>
            Open{' '}
            <a href={started.verificationUrl} target="_blank" rel="noopener noreferrer">
              {started.verificationUrl}
            </a>{' '}
            and approve.
            {started.userCode ? (
              <>
                {' '}
                Code: <code class="code">{started.userCode}</code>
              </>
            ) : null}
          </p>
          <p class="muted">
            {!flow || flow.status === 'pending' ? `Waiting for approval… (the code expires ${relativeTime(Date.parse(started.expiresAt))})` : null}
          </p>
        </div>
      ) : null}
      <ErrorBox error={error} />
      <Outcome flow={flow} />
    </section>
  );
}

function KiroImport({ onAdded }: { onAdded: () => void }) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const readFile = async (event: Event) => {
    const file = (event.currentTarget as HTMLInputElement).files?.[0];
    if (file) setText(await file.text());
  };
  const submit = async (event: Event) => {
    event.preventDefault();
    setError(undefined);
    setResult(undefined);
    try {
      const answer = await api<{ uuid: string; group: string; expiresAt?: string; hasRefreshToken: boolean }>('/api/oauth/kiro/import', {
        method: 'POST',
        body: { token: text },
      });
      setResult(`Imported as ${answer.uuid} in ${answer.group}${answer.hasRefreshToken ? '' : ' (no refresh token: it cannot be renewed)'}.`);
      setText('');
      onAdded();
    } catch (failure) {
      setError(failure);
    }
  };
  return (
    <section class="panel" aria-labelledby="kiro-title">
      <h2 id="kiro-title">Kiro (token upload)</h2>
      <form onSubmit={submit}>
        <div class="field">
          <label for="kiro-file">kiro-auth-token.json (from ~/.aws/sso/cache/ on the machine where Kiro IDE is signed in)</label>
          <input id="kiro-file" type="file" accept=".json,application/json" onChange={(event) => void readFile(event)} />
        </div>
        <button type="submit" class="primary" disabled={text === ''}>
          Import token
        </button>
      </form>
      {result ? (
        <p class="success" role="status">
          {result}
        </p>
      ) : null}
      <ErrorBox error={error} />
    </section>
  );
}

export function OAuthPage({ query }: { query: URLSearchParams }) {
  useTick(30_000);
  const files = usePolling((signal) => api<{ files: CredentialFile[] }>('/api/oauth/credentials', { signal }), 30_000);
  const login = query.get('login');
  const returned: Flow | undefined =
    login === 'done' || login === 'failed' ? { id: '', status: login, message: query.get('message') ?? '', expiresAt: '' } : undefined;
  return (
    <section aria-labelledby="oauth-title">
      <PageHeader title="OAuth" />
      <div class="grid-2">
        <GeminiLogin onAdded={files.reload} returned={returned} />
        <QwenLogin onAdded={files.reload} />
        <KiroImport onAdded={files.reload} />
      </div>
      <section class="panel" aria-labelledby="files-title">
        <h2 id="files-title">Credential files</h2>
        <ErrorBox error={files.error} />
        {files.data && files.data.files.length === 0 ? (
          <Empty>No OAuth accounts yet: sign in with Google, get a Qwen code or import a Kiro token above.</Empty>
        ) : null}
        {files.data && files.data.files.length > 0 ? (
          <div class="table-wrap">
            <table class="responsive">
              <thead>
                <tr>
                  <th scope="col">Instance</th>
                  <th scope="col">Provider</th>
                  <th scope="col">File</th>
                  <th scope="col">Access token expires</th>
                  <th scope="col">Last refresh</th>
                </tr>
              </thead>
              <tbody>
                {files.data.files.map((file) => {
                  const expires = file.expiresAt ? Date.parse(file.expiresAt) : undefined;
                  return (
                    <tr key={file.uuid}>
                      <th scope="row">
                        {file.name !== file.uuid ? <div>{file.name}</div> : null}
                        <CopyId id={file.uuid} />
                      </th>
                      <td data-label="Provider">{file.providerType}</td>
                      <td data-label="File" class="wrap-cell">
                        <code class="wrap">{file.file}</code>
                        {file.exists ? null : <span class="health tone-bad"> missing</span>}
                      </td>
                      <td data-label="Access token expires">
                        {expires ? (
                          <span title={exactTime(expires)}>
                            {expires < Date.now() ? `expired ${relativeTime(expires)}` : relativeTime(expires)}
                            {file.hasRefreshToken ? '' : ' (no refresh token)'}
                          </span>
                        ) : (
                          <span class="muted">unknown</span>
                        )}
                      </td>
                      <td data-label="Last refresh">
                        <RelTime time={file.lastRefreshAt ? Date.parse(file.lastRefreshAt) : undefined} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </section>
  );
}
