import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { api } from '../api';
import { ConfirmButton, CopyId, Empty, ErrorBox, PageHeader, RelTime, usePolling, useTick } from '../components';
import { clockTime, exactTime, formatCount, formatMs } from '../format';
import { describeHealth, type PoolItem, type PoolsAnswer } from '../pool-types';
import { EntryForm, type EntriesAnswer } from './entry-form';

interface TodayRow {
  readonly instance?: string | null;
  readonly requests: number;
  readonly inputTokens: number;
  readonly outputTokens: number;
}

interface QuotaAnswer {
  readonly uuid: string;
  readonly source: 'api' | 'headers' | 'none';
  readonly readAt: string | null;
  readonly quota: Record<string, unknown> | null;
  readonly error?: string;
}

/** One line for what a backend says about an account's quota; the full answer goes in the title. */
function describeQuota(quota: QuotaAnswer | undefined): { text: string; title?: string } {
  if (!quota || quota.source === 'none') return { text: '–' };
  if (quota.error || !quota.quota) return { text: 'unknown', title: quota.error };
  const title = JSON.stringify(quota.quota, null, 1).slice(0, 800);
  const windows = quota.quota.windows as Record<string, { limit?: number; remaining?: number }> | undefined;
  if (windows) {
    const parts = Object.entries(windows)
      .filter(([, value]) => value.remaining !== undefined)
      .map(([name, value]) => `${name} ${formatCount(value.remaining ?? 0)}${value.limit !== undefined ? `/${formatCount(value.limit)}` : ''} left`);
    if (parts.length > 0) return { text: parts.join(', '), title };
  }
  const buckets = quota.quota.buckets as Array<{ remainingFraction?: number; modelId?: string }> | undefined;
  if (Array.isArray(buckets) && buckets.length > 0) {
    const lowest = [...buckets].sort((a, b) => (a.remainingFraction ?? 1) - (b.remainingFraction ?? 1))[0];
    if (lowest?.remainingFraction !== undefined)
      return { text: `${Math.round(lowest.remainingFraction * 100)} % left${lowest.modelId ? ` (${lowest.modelId})` : ''}`, title };
  }
  return { text: 'reported', title };
}

function localMidnight(): string {
  const now = new Date();
  return new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
}

function HealthCell({ item, now }: { item: PoolItem; now: number }) {
  const health = describeHealth(item, now, clockTime);
  const until = Math.max(item.cooldownUntil, item.quotaOutUntil);
  return (
    <span class={`health tone-${health.tone}`} title={until > now ? `until ${exactTime(until)}` : undefined}>
      <span class="dot" aria-hidden="true" />
      {health.text}
    </span>
  );
}

function InstanceRow({
  item,
  now,
  editable,
  today,
  quota,
  onChanged,
  onEdit,
}: {
  item: PoolItem;
  now: number;
  editable: boolean | undefined;
  today: TodayRow | undefined | null;
  quota: QuotaAnswer | undefined;
  onChanged: () => void;
  onEdit: () => void;
}) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [note, setNote] = useState<string | undefined>(undefined);
  const [showError, setShowError] = useState(false);
  const quotaText = describeQuota(quota);
  const act = async (action: string) => {
    setBusy(true);
    setError(undefined);
    setNote(undefined);
    try {
      const answer = await api<{ probe?: { ok: boolean; durationMs: number; error?: string } }>(`/api/pools/${encodeURIComponent(item.uuid)}/${action}`, {
        method: 'POST',
      });
      if (answer.probe)
        setNote(answer.probe.ok ? `probe ok in ${formatMs(answer.probe.durationMs)}` : `probe failed: ${answer.probe.error ?? 'unknown error'}`);
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    setBusy(true);
    try {
      await api(`/api/pool-entries/${encodeURIComponent(item.uuid)}`, { method: 'DELETE' });
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Fragment>
      <tr data-uuid={item.uuid}>
        <th scope="row">
          {item.name !== item.uuid ? <div class="name">{item.name}</div> : null}
          <CopyId id={item.uuid} />
        </th>
        <td data-label="Health">
          <HealthCell item={item} now={now} />
        </td>
        <td data-label="In flight" class="num">
          {formatCount(item.inFlight)}
          {item.queued > 0 ? <span class="muted"> +{item.queued} queued</span> : null}
        </td>
        {today === null ? (
          <td data-label="Requests" class="num">
            {formatCount(item.usageCount)}
          </td>
        ) : (
          <td data-label="Today" class="num" title="Requests and tokens (input + output) since midnight">
            {formatCount(today?.requests ?? 0)} req
            <div class="muted small">{formatCount((today?.inputTokens ?? 0) + (today?.outputTokens ?? 0))} tok</div>
          </td>
        )}
        <td data-label="Errors" class="num">
          {formatCount(item.errorCount)}
        </td>
        <td data-label="Quota" title={quotaText.title}>
          {quotaText.text}
        </td>
        <td data-label="Last used">
          <RelTime time={item.lastUsedAt} />
        </td>
        <td data-label="Last error">
          {item.lastError ? (
            <button type="button" class="link" aria-expanded={showError} onClick={() => setShowError(!showError)}>
              {item.lastError.status || item.lastError.kind} · <RelTime time={item.lastError.at} />
            </button>
          ) : (
            <span class="muted">none</span>
          )}
        </td>
        <td class="actions">
          <button type="button" disabled={busy} onClick={() => void act(item.disabled ? 'enable' : 'disable')}>
            {item.disabled ? 'Enable' : 'Disable'}
          </button>
          <button type="button" disabled={busy} onClick={() => void act('probe')}>
            Probe
          </button>
          <ConfirmButton label="Reset" confirmLabel={`Reset counters of ${item.name}`} disabled={busy} onConfirm={() => void act('reset')} />
          {editable ? (
            <Fragment>
              <button type="button" disabled={busy} onClick={onEdit}>
                Edit
              </button>
              <ConfirmButton label="Delete" confirmLabel={`Delete ${item.name}`} disabled={busy} onConfirm={() => void remove()} />
            </Fragment>
          ) : editable === false ? (
            <span class="muted small" title="Configured by config.json keys, not the pools file">
              from config.json
            </span>
          ) : null}
        </td>
      </tr>
      {showError && item.lastError ? (
        <tr class="detail">
          <td colSpan={9}>
            <strong>Last error</strong> at {exactTime(item.lastError.at)}: {item.lastError.status ? `HTTP ${item.lastError.status}, ` : ''}
            {item.lastError.kind}: {item.lastError.message}
          </td>
        </tr>
      ) : null}
      {note || error ? (
        <tr class="detail">
          <td colSpan={9}>
            {note ? <span role="status">{note}</span> : null}
            <ErrorBox error={error} />
          </td>
        </tr>
      ) : null}
    </Fragment>
  );
}

export function ProvidersPage() {
  const now = useTick(5000);
  const pools = usePolling((signal) => api<PoolsAnswer>('/api/pools', { signal }), 3000);
  const entries = usePolling((signal) => api<EntriesAnswer>('/api/pool-entries', { signal }), 5000);
  const [editing, setEditing] = useState<{ uuid?: string; group?: string } | undefined>(undefined);
  // Today's requests and tokens per instance, and quotas, from the usage API (absent: fall back to the pool's counters).
  const today = usePolling(
    (signal) => api<{ rows: TodayRow[] }>(`/api/usage?from=${encodeURIComponent(localMidnight())}&groupBy=instance`, { signal }),
    10_000,
  );
  const quotas = usePolling((signal) => api<{ quotas?: QuotaAnswer[]; instances?: QuotaAnswer[] } | QuotaAnswer[]>('/api/quotas', { signal }), 60_000);
  const todayByInstance = today.data ? new Map(today.data.rows.map((row) => [row.instance ?? '', row])) : undefined;
  const quotaList = Array.isArray(quotas.data) ? quotas.data : (quotas.data?.quotas ?? quotas.data?.instances ?? []);
  const quotaByInstance = new Map(quotaList.map((quota) => [quota.uuid, quota]));
  const refresh = () => {
    pools.reload();
    entries.reload();
  };
  const inFile = new Set((entries.data?.groups ?? []).flatMap((group) => group.entries.map((entry) => String(entry.uuid))));
  return (
    <section aria-labelledby="providers-title">
      <PageHeader title="Providers">
        <button type="button" class="primary" onClick={() => setEditing({})}>
          Add instance
        </button>
      </PageHeader>
      <ErrorBox error={pools.error} />
      {editing ? (
        <EntryForm
          entries={entries.data}
          uuid={editing.uuid}
          group={editing.group}
          onDone={() => {
            setEditing(undefined);
            refresh();
          }}
          onCancel={() => setEditing(undefined)}
        />
      ) : null}
      {pools.data && pools.data.groups.length === 0 ? (
        <Empty>No provider configured yet: add an instance (an API key for openai-custom or claude-custom), or sign in on the OAuth page.</Empty>
      ) : null}
      {pools.data?.groups.map((group) => {
        const healthy = group.items.filter((item) => item.healthy && !item.disabled).length;
        return (
          <section class="pool" key={group.name} aria-labelledby={`pool-${group.name}`}>
            <h2 id={`pool-${group.name}`}>
              {group.name}{' '}
              <span class="muted small">
                {healthy} of {group.count} healthy
              </span>
            </h2>
            {group.items.length === 0 ? (
              <Empty>No instances in {group.name}: add one with “Add instance”.</Empty>
            ) : (
              <div class="table-wrap">
                <table class="responsive">
                  <thead>
                    <tr>
                      <th scope="col">Instance</th>
                      <th scope="col">Health</th>
                      <th scope="col" class="num">
                        In flight
                      </th>
                      <th scope="col" class="num">
                        {todayByInstance ? 'Today' : 'Requests'}
                      </th>
                      <th scope="col" class="num">
                        Errors
                      </th>
                      <th scope="col">Quota</th>
                      <th scope="col">Last used</th>
                      <th scope="col">Last error</th>
                      <th scope="col">Actions</th>
                    </tr>
                  </thead>
                  <tbody>
                    {group.items.map((item) => (
                      <InstanceRow
                        key={item.uuid}
                        item={item}
                        now={now}
                        editable={entries.data ? inFile.has(item.uuid) : undefined}
                        today={todayByInstance ? todayByInstance.get(item.uuid) : null}
                        quota={quotaByInstance.get(item.uuid)}
                        onChanged={refresh}
                        onEdit={() => setEditing({ uuid: item.uuid, group: group.name })}
                      />
                    ))}
                  </tbody>
                </table>
              </div>
            )}
          </section>
        );
      })}
      {entries.data ? (
        <p class="muted small">
          Pools file: <code>{entries.data.file}</code>
          {entries.data.exists ? '' : ' (not created yet: adding an instance creates it)'}. Edits are written atomically (the previous version is kept as .bak)
          and applied at once; edits made to the file by hand show up here.
        </p>
      ) : null}
    </section>
  );
}
