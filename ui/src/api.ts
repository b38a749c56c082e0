/** The console is a client of the admin API: every call goes through here, with the session cookie. */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The server's own error message, shown verbatim when it refuses. */
async function errorOf(response: Response): Promise<ApiError> {
  let message = `${response.status} ${response.statusText}`;
  try {
    const body = (await response.json()) as { error?: { message?: string } | string; message?: string };
    const error = body.error;
    message = (typeof error === 'string' ? error : error?.message) ?? body.message ?? message;
  } catch {
    // Not JSON: keep the status line.
  }
  return new ApiError(response.status, message);
}

type Listener = () => void;
const unauthorizedListeners = new Set<Listener>();

/** Called when any request comes back 401: the session ended, show the login again. */
export function onUnauthorized(listener: Listener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

export async function api<T>(path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    credentials: 'same-origin',
    headers: init.body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: init.signal,
  });
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && !path.startsWith('/api/session')) for (const listener of unauthorizedListeners) listener();
    throw error;
  }
  return (await response.json()) as T;
}

export { errorOf };
