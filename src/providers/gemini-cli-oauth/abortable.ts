import { clientClosedError } from '../../upstream/http-client.js';

/**
 * Waits for shared work (a refresh, project discovery) on behalf of one request: the request may
 * give up when its client leaves, while the work itself carries on for the others waiting on it.
 */
export function awaitUnlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(clientClosedError());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(clientClosedError());
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
