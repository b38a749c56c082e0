import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { exactTime, relativeTime, shortId } from './format';

/** "3 min ago", with the exact time on hover; re-rendered by the page's own refresh. */
export function RelTime({ time, empty = 'never' }: { time: number | undefined; empty?: string }) {
  if (!time) return <span class="muted">{empty}</span>;
  return (
    <time dateTime={new Date(time).toISOString()} title={exactTime(time)}>
      {relativeTime(time)}
    </time>
  );
}

/** An id in monospace, shortened, with a copy button. */
export function CopyId({ id }: { id: string }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    void navigator.clipboard?.writeText(id).then(() => {
      setCopied(true);
      setTimeout(() => setCopied(false), 1200);
    });
  };
  return (
    <span class="id">
      <code title={id}>{shortId(id)}</code>
      <button type="button" class="icon" onClick={copy} aria-label={`Copy id ${id}`} title="Copy">
        {copied ? (
          <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
            <path d="M3 8.5l3 3 7-7" fill="none" stroke="currentColor" stroke-width="2" />
          </svg>
        ) : (
          <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
            <rect x="5" y="5" width="9" height="9" rx="1.5" fill="none" stroke="currentColor" stroke-width="1.5" />
            <path d="M3 11V3.5A1.5 1.5 0 0 1 4.5 2H11" fill="none" stroke="currentColor" stroke-width="1.5" />
          </svg>
        )}
      </button>
    </span>
  );
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  return (
    <p class="error" role="alert">
      {error instanceof Error ? error.message : String(error)}
    </p>
  );
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="empty">{children}</p>;
}

/** Destructive actions ask once: the first press turns into "confirm / cancel". */
export function ConfirmButton({
  label,
  confirmLabel,
  onConfirm,
  disabled,
}: {
  label: string;
  confirmLabel: string;
  onConfirm: () => void;
  disabled?: boolean;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking) {
    return (
      <button type="button" class="danger-outline" disabled={disabled} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  }
  return (
    // biome-ignore lint/a11y/useSemanticElements: two inline buttons; a fieldset would break the inline layout
    <span class="confirm" role="group" aria-label={confirmLabel}>
      <button
        type="button"
        class="danger"
        autoFocus
        onClick={() => {
          setAsking(false);
          onConfirm();
        }}
      >
        {confirmLabel}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  );
}

/** Re-renders every `ms` so relative times and live numbers stay current. */
export function useTick(ms: number): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

/** Loads `load()` now and every `everyMs` (never faster than once a second), keeping the last good value. */
export function usePolling<T>(
  load: (signal: AbortSignal) => Promise<T>,
  everyMs: number,
  deps: unknown[] = [],
): { data: T | undefined; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const run = async () => {
      try {
        const value = await load(controller.signal);
        if (controller.signal.aborted) return;
        setData(value);
        setError(undefined);
      } catch (failure) {
        if (!controller.signal.aborted) setError(failure);
      }
      if (!controller.signal.aborted && everyMs > 0) timer = setTimeout(run, Math.max(1000, everyMs));
    };
    void run();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [round, ...deps]);
  return { data, error, reload: () => setRound((value) => value + 1) };
}

export function PageHeader({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <header class="page-header">
      <h1 id={`${title.toLowerCase()}-title`}>{title}</h1>
      {children ? <div class="page-actions">{children}</div> : null}
    </header>
  );
}
