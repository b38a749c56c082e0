import { api } from '../api';
import { ErrorBox, PageHeader, usePolling } from '../components';

function show(value: unknown): string {
  if (typeof value === 'string') return value === '' ? '(empty)' : value;
  return JSON.stringify(value);
}

export function ConfigPage() {
  const { data, error } = usePolling((signal) => api<{ config: Record<string, unknown> }>('/api/config', { signal }), 0);
  const entries = Object.entries(data?.config ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return (
    <section aria-labelledby="config-title">
      <PageHeader title="Config" />
      <p class="muted">The effective configuration (config file, flags and defaults merged). Secrets are masked. Edit config.json and restart to change it.</p>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table class="config">
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Value</th>
            </tr>
          </thead>
          <tbody>
            {entries.map(([key, value]) => (
              <tr key={key}>
                <th scope="row">
                  <code>{key}</code>
                </th>
                <td>
                  <code class="wrap">{show(value)}</code>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
