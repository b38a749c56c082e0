import { useState } from 'preact/hooks';
import { CopyId, Empty, ErrorBox, PageHeader, RelTime, useTick } from '../components';
import { exactTime, formatCost, formatCount, formatMs, shortId } from '../format';
import { isErrorRecord, liveLabel, type RequestRecord, useRequestRecords } from '../records';

function StatusCell({ record }: { record: RequestRecord }) {
  const failed = isErrorRecord(record);
  const text = failed
    ? `${record.status} ${record.errorClass ?? 'error'}`
    : record.errorClass === 'client_closed'
      ? `${record.status} client closed`
      : `${record.status} ok`;
  return (
    <span class={`health tone-${failed ? 'bad' : 'ok'}`}>
      <span class="dot" aria-hidden="true" />
      {text}
    </span>
  );
}

function Details({ record, onClose }: { record: RequestRecord; onClose: () => void }) {
  const rows: Array<[string, string]> = [
    ['Time', exactTime(Date.parse(record.time))],
    ['Request id', record.requestId],
    ['Client protocol', record.protocol],
    ['Provider', record.provider ?? '–'],
    ['Instance', record.instanceName ? `${record.instanceName} (${record.instance})` : (record.instance ?? '–')],
    ['Model asked / served', `${record.modelAsked ?? '–'} / ${record.model ?? '–'}`],
    ['Stream', record.stream ? 'yes' : 'no'],
    ['Status', `${record.status}${record.errorClass ? ` (${record.errorClass})` : ''}`],
    ['Failovers / fallbacks', `${record.failovers} / ${record.fallbacks}`],
    [
      'Input tokens',
      `${formatCount(record.inputTokens)} (cache read ${formatCount(record.cacheReadTokens)}, cache write ${formatCount(record.cacheWriteTokens)})`,
    ],
    ['Output tokens', `${formatCount(record.outputTokens)} (reasoning ${formatCount(record.reasoningTokens)})`],
    ['Token counts', record.usageSource],
    ['Cost', record.costUsd === null ? 'no price for this model' : formatCost(record.costUsd)],
    ['Duration', formatMs(record.durationMs)],
    ['First byte after', formatMs(record.ttfbMs ?? undefined)],
    ['Bytes sent', formatCount(record.bytesOut)],
    ['Client key id', record.keyId ?? 'none'],
  ];
  return (
    <section class="panel details" aria-labelledby="details-title">
      <div class="page-header">
        <h2 id="details-title">
          Request <CopyId id={record.requestId} />
        </h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <dl class="kv">
        {rows.map(([key, value]) => (
          <div key={key}>
            <dt>{key}</dt>
            <dd>{value}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}

export function LogsPage() {
  useTick(10_000);
  const { records, state, error } = useRequestRecords(200, 1000);
  const [provider, setProvider] = useState('');
  const [status, setStatus] = useState('');
  const [model, setModel] = useState('');
  const [selected, setSelected] = useState<RequestRecord | undefined>(undefined);
  const providers = [...new Set(records.map((record) => record.provider).filter((name): name is string => Boolean(name)))].sort();
  const shown = records.filter((record) => {
    if (provider && record.provider !== provider) return false;
    if (status === 'ok' && isErrorRecord(record)) return false;
    if (status === 'error' && !isErrorRecord(record)) return false;
    if (/^\d{3}$/.test(status) && String(record.status) !== status) return false;
    if (model && !`${record.model ?? ''} ${record.modelAsked ?? ''}`.toLowerCase().includes(model.toLowerCase())) return false;
    return true;
  });
  return (
    <section aria-labelledby="logs-title">
      <PageHeader title="Logs">
        <span class={`live live-${state}`} role="status">
          <span class="dot" aria-hidden="true" />
          {liveLabel(state)}
        </span>
      </PageHeader>
      <ErrorBox error={error} />
      {state === 'unavailable' ? <Empty>This gateway keeps no request records (usage accounting is off).</Empty> : null}
      {/* biome-ignore lint/a11y/useSemanticElements: <search> is not yet in Preact's JSX types; the role says the same */}
      <div class="filters" role="search" aria-label="Filter requests">
        <div class="field">
          <label for="log-provider">Provider</label>
          <select id="log-provider" value={provider} onChange={(event) => setProvider(event.currentTarget.value)}>
            <option value="">all</option>
            {providers.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </div>
        <div class="field">
          <label for="log-status">Status</label>
          <input
            id="log-status"
            list="log-statuses"
            value={status}
            placeholder="all, ok, error or 429"
            onInput={(event) => setStatus(event.currentTarget.value.trim())}
          />
          <datalist id="log-statuses">
            <option value="ok" />
            <option value="error" />
          </datalist>
        </div>
        <div class="field">
          <label for="log-model">Model</label>
          <input id="log-model" value={model} placeholder="any" onInput={(event) => setModel(event.currentTarget.value)} />
        </div>
      </div>
      {selected ? <Details record={selected} onClose={() => setSelected(undefined)} /> : null}
      {state !== 'unavailable' && shown.length === 0 ? (
        <Empty>{records.length === 0 ? 'No requests yet: send one from the Playground, it shows up here at once.' : 'No request matches the filters.'}</Empty>
      ) : null}
      {shown.length > 0 ? (
        <div class="table-wrap">
          <table class="responsive logs">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Status</th>
                <th scope="col">Provider</th>
                <th scope="col">Instance</th>
                <th scope="col">Model</th>
                <th scope="col" class="num">
                  Tokens in / out
                </th>
                <th scope="col" class="num">
                  Duration
                </th>
                <th scope="col">Request</th>
              </tr>
            </thead>
            <tbody>
              {shown.slice(0, 300).map((record) => (
                <tr key={record.requestId} data-request-id={record.requestId} aria-selected={selected?.requestId === record.requestId}>
                  <th scope="row">
                    <RelTime time={Date.parse(record.time)} />
                  </th>
                  <td data-label="Status">
                    <StatusCell record={record} />
                  </td>
                  <td data-label="Provider">{record.provider ?? '–'}</td>
                  <td data-label="Instance" title={record.instance ?? undefined}>
                    {record.instanceName && record.instanceName !== record.instance ? record.instanceName : shortId(record.instance ?? '–')}
                  </td>
                  <td data-label="Model">
                    <code>{record.model ?? record.modelAsked ?? '–'}</code>
                  </td>
                  <td data-label="Tokens in / out" class="num">
                    {formatCount(record.inputTokens)} / {formatCount(record.outputTokens)}
                  </td>
                  <td data-label="Duration" class="num">
                    {formatMs(record.durationMs)}
                  </td>
                  <td data-label="Request">
                    <button type="button" class="link" onClick={() => setSelected(record)} aria-label={`Details of request ${record.requestId}`}>
                      details
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
