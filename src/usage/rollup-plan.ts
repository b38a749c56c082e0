/**
 * Splits a time range into pieces each answered by the coarsest table that covers it whole: days from
 * the day rollup, the hours around them from the hour rollup, minutes from the minute rollup, and the
 * partial minutes at the edges from the raw records. A 30-day query reads about 30 + 48 + 120 rollup
 * buckets plus two minutes of raw rows, whatever the number of requests.
 */
export type Tier = 'day' | 'hour' | 'minute' | 'raw';

export const TIER_MS: Record<Exclude<Tier, 'raw'>, number> = { day: 86_400_000, hour: 3_600_000, minute: 60_000 };

const ORDER: readonly Tier[] = ['day', 'hour', 'minute', 'raw'];

export interface Segment {
  readonly tier: Tier;
  readonly from: number;
  readonly to: number;
}

export function planSegments(from: number, to: number, coarsest: Tier = 'day'): Segment[] {
  const segments: Segment[] = [];
  const cover = (start: number, end: number, level: number) => {
    if (start >= end) return;
    const tier = ORDER[level] as Tier;
    if (tier === 'raw') {
      segments.push({ tier, from: start, to: end });
      return;
    }
    const size = TIER_MS[tier];
    const first = Math.ceil(start / size) * size;
    const last = Math.floor(end / size) * size;
    if (first >= last) {
      cover(start, end, level + 1);
      return;
    }
    cover(start, first, level + 1);
    segments.push({ tier, from: first, to: last });
    cover(last, end, level + 1);
  };
  cover(from, to, ORDER.indexOf(coarsest));
  return segments;
}
