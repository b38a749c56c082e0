import type { GroupField } from './usage-store.js';

/**
 * The hour and day rollups are kept in several cuts: the full one, keyed by every dimension, and
 * narrower ones that sum the full one over the dimensions they leave out. A query reads the
 * narrowest cut that still holds every dimension it groups by: grouping a month by hour and provider
 * reads one row per hour and account instead of one per hour, account, model and client key.
 */
export type Dimension = 'provider' | 'instance' | 'model' | 'key';

/** Every dimension, in the order of a rollup row's values and of the full cut's key. */
export const DIMENSIONS: readonly Dimension[] = ['provider', 'instance', 'model', 'key'];

export const DIMENSION_COLUMN: Record<Dimension, string> = { provider: 'provider', instance: 'instance', model: 'model', key: 'key_id' };

export interface RollupCut {
  /** Appended to `usage_<tier>` to name the cut's table. */
  readonly suffix: string;
  /** The cut's key after the bucket, in key order. */
  readonly dimensions: readonly Dimension[];
}

export const FULL_CUT: RollupCut = { suffix: '', dimensions: DIMENSIONS };

/**
 * Narrowest first. Realistic traffic has a few dozen (provider, instance) and (provider, model, key)
 * pairs per bucket but their product in the full cut: client keys use a few models each, and every
 * model is spread over all of its group's accounts.
 */
export const CUTS: readonly RollupCut[] = [
  { suffix: '_by_instance', dimensions: ['provider', 'instance'] },
  { suffix: '_by_model_key', dimensions: ['provider', 'model', 'key'] },
  FULL_CUT,
];

/**
 * Cuts of a rollup tier: hours and days have all; minutes only the full one (a minute holds too few
 * requests for a narrower cut to be much shorter).
 */
export function cutsOf(tier: 'minute' | 'hour' | 'day'): readonly RollupCut[] {
  return tier === 'minute' ? [FULL_CUT] : CUTS;
}

/** The narrowest of `available` cuts that holds every dimension of `groupBy`. */
export function cutFor(groupBy: readonly GroupField[], available: readonly RollupCut[]): RollupCut {
  const wanted = groupBy.filter((field): field is Dimension => (DIMENSIONS as readonly string[]).includes(field));
  return available.find((cut) => wanted.every((dimension) => cut.dimensions.includes(dimension))) ?? FULL_CUT;
}
