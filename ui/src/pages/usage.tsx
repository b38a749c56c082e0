import { PageHeader } from '../components';

export function UsagePage() {
  return (
    <section aria-labelledby="usage-title">
      <PageHeader title="Usage" />
      <p class="empty">Usage accounting is not available in this gateway build yet.</p>
    </section>
  );
}
