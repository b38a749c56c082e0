import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planSegments, TIER_MS } from './rollup-plan.js';

describe('planSegments', () => {
  it('covers the range exactly, in order, each rollup piece aligned to its bucket size', () => {
    const start = Date.UTC(2026, 0, 1);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 * 86_400_000 }), fc.integer({ min: 0, max: 40 * 86_400_000 }), (a, b) => {
        const from = start + Math.min(a, b);
        const to = start + Math.max(a, b);
        const segments = planSegments(from, to);
        let cursor = from;
        for (const segment of segments) {
          expect(segment.from).toBe(cursor);
          expect(segment.to).toBeGreaterThan(segment.from);
          if (segment.tier !== 'raw') {
            expect(segment.from % TIER_MS[segment.tier]).toBe(0);
            expect(segment.to % TIER_MS[segment.tier]).toBe(0);
          }
          cursor = segment.to;
        }
        expect(cursor).toBe(to === from ? from : to);
      }),
    );
  });

  it('answers 30 days from at most 30 days, 48 hours, 120 minutes and two raw pieces', () => {
    const from = Date.UTC(2026, 0, 1, 10, 30, 15);
    const segments = planSegments(from, from + 30 * 86_400_000);
    expect(segments.map((segment) => segment.tier)).toEqual(['raw', 'minute', 'hour', 'day', 'hour', 'minute', 'raw']);
  });

  it('never uses the day rollup when grouping by hour', () => {
    const segments = planSegments(Date.UTC(2026, 0, 1), Date.UTC(2026, 0, 3), 'hour');
    expect(segments).toEqual([{ tier: 'hour', from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 3) }]);
  });
});
