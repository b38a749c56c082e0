import fc from 'fast-check';
import { Counter, Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { TalliedCounter, TalliedHistogram } from './tallies.js';

const BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5];
const LABEL_SETS = [
  ['openai-chat', 'openai-custom'],
  ['claude', 'claude "custom"\\x'],
];

describe('tallied metrics', () => {
  it('render exactly what prom-client renders for the same counts and observations', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({ series: fc.integer({ min: 0, max: 1 }), value: fc.oneof(fc.double({ min: 0, max: 10, noNaN: true }), fc.constantFrom(...BUCKETS)) }),
          {
            maxLength: 60,
          },
        ),
        async (events) => {
          const ours = new Registry();
          const theirs = new Registry();
          const talliedHistogram = new TalliedHistogram('h_seconds', 'help', ['protocol', 'provider'], BUCKETS, ours);
          const talliedCounter = new TalliedCounter({ name: 'c_total', help: 'help', labelNames: ['protocol', 'provider'], registry: ours });
          const histogram = new Histogram({ name: 'h_seconds', help: 'help', labelNames: ['protocol', 'provider'], buckets: BUCKETS, registers: [theirs] });
          const counter = new Counter({ name: 'c_total', help: 'help', labelNames: ['protocol', 'provider'], registers: [theirs] });
          for (const { series, value } of events) {
            const labels = LABEL_SETS[series] as string[];
            talliedHistogram.series(...labels).observe(value);
            talliedCounter.series(...labels).add(value);
            histogram.labels(...labels).observe(value);
            counter.labels(...labels).inc(value);
          }
          expect(await ours.metrics()).toBe(await theirs.metrics());
        },
      ),
      { numRuns: 100 },
    );
  });

  it('keep counting between scrapes without counting twice', async () => {
    const registry = new Registry();
    const counter = new TalliedCounter({ name: 'c_total', help: 'help', labelNames: ['provider'], registry });
    const series = counter.series('a');
    counter.series('b').add(0);
    series.add(2);
    expect(await registry.metrics()).toContain('c_total{provider="b"} 0');
    expect(await registry.metrics()).toContain('c_total{provider="a"} 2');
    expect(await registry.metrics()).toContain('c_total{provider="a"} 2');
    series.add(3);
    counter.series('a').add(1);
    expect(await registry.metrics()).toContain('c_total{provider="a"} 6');
  });
});
