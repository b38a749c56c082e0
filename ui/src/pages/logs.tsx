import { PageHeader } from '../components';

export function LogsPage() {
  return (
    <section aria-labelledby="logs-title">
      <PageHeader title="Logs" />
      <p class="empty">The live request log is not available in this gateway build yet.</p>
    </section>
  );
}
