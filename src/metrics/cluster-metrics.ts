import cluster from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';

/**
 * `/metrics` under `--workers N`: a scrape reaches whichever worker the primary hands the connection
 * to, and each worker counts only what it served, so the series a scraper saw would jump between
 * workers' totals. The worker that takes the scrape asks the primary, which gathers every worker's
 * registry (prom-client's AggregatorRegistry: counters and histograms summed, pool gauges taken from
 * one worker since all of them see the same pool) and sends the text back.
 */
const ASK = 'aiclient:cluster-metrics';
const ANSWER = 'aiclient:cluster-metrics-answer';
const TIMEOUT_MS = 5000;

interface Answer {
  type: typeof ANSWER;
  id: number;
  text?: string;
  error?: string;
}

/** In a worker: answers the primary's gathering with `registry`, and returns what a scrape calls. */
export function clusterScrape(registry: Registry): () => Promise<string> {
  AggregatorRegistry.setRegistries([registry]);
  // Its constructor adds the worker's side of the gathering (answering the primary's requests).
  new AggregatorRegistry();
  let nextId = 0;
  const waiting = new Map<number, (answer: Answer) => void>();
  process.on('message', (message: Answer) => {
    if (message?.type === ANSWER) waiting.get(message.id)?.(message);
  });
  return () =>
    new Promise<string>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        waiting.delete(id);
        reject(new Error('the primary process did not gather the workers’ metrics in time'));
      }, TIMEOUT_MS);
      waiting.set(id, (answer) => {
        clearTimeout(timer);
        waiting.delete(id);
        if (answer.text !== undefined) resolve(answer.text);
        else reject(new Error(answer.error ?? 'metrics not gathered'));
      });
      process.send?.({ type: ASK, id });
    });
}

/** In the primary of `--workers N`: gathers the workers' metrics when one of them asks. */
export function serveClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: unknown; id?: unknown }) => {
    if (message?.type !== ASK || typeof message.id !== 'number') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}
