import { describe, expect, it } from 'vitest';
import type { InstanceState } from '../state-store.js';
import { createStrategy, parseStrategyName } from './index.js';
import { createLeastInFlightStrategy } from './least-in-flight.js';
import { createLowestLatencyStrategy } from './lowest-latency.js';
import { createRoundRobinStrategy } from './round-robin.js';
import { fakeContext, makeInstances, pickSequence } from './strategy-test-helpers.js';
import { createWeightedRoundRobinStrategy } from './weighted-round-robin.js';

const abc = makeInstances(['a', 'b', 'c']);

describe('round-robin', () => {
  it.each([
    { name: 'rotates', unavailable: [], want: 'a b c a b c a' },
    { name: 'skips unavailable', unavailable: ['b'], want: 'a c a c a c a' },
    { name: 'nothing available', unavailable: ['a', 'b', 'c'], want: '- - -' },
  ])('$name', ({ unavailable, want }) => {
    const sequence = pickSequence(createRoundRobinStrategy(), abc, want.split(' ').length, fakeContext({ unavailable: new Set(unavailable) }));
    expect(sequence.join(' ')).toBe(want);
  });

  it('gives each of 3 instances 10 of 30 picks', () => {
    const counts = new Map<string, number>();
    for (const id of pickSequence(createRoundRobinStrategy(), abc, 30)) counts.set(id, (counts.get(id) ?? 0) + 1);
    expect([...counts.values()]).toEqual([10, 10, 10]);
  });

  it('keeps its place when the candidate list shrinks', () => {
    const strategy = createRoundRobinStrategy();
    const context = fakeContext();
    expect(pickSequence(strategy, abc, 2, context)).toEqual(['a', 'b']);
    expect(pickSequence(strategy, makeInstances(['a', 'c']), 3, context)).toEqual(['a', 'c', 'a']);
  });
});

describe('weighted-round-robin', () => {
  const weighted = makeInstances([
    { id: 'a', weight: 5 },
    { id: 'b', weight: 1 },
    { id: 'c', weight: 1 },
  ]);

  it('interleaves by weight', () => {
    expect(pickSequence(createWeightedRoundRobinStrategy(), weighted, 14).join(' ')).toBe('a a a b c a a a a a b c a a');
  });

  it('starts a newcomer at the current virtual time instead of letting it catch up', () => {
    const strategy = createWeightedRoundRobinStrategy();
    const context = fakeContext();
    pickSequence(strategy, makeInstances(['a', 'b']), 100, context);
    expect(pickSequence(strategy, makeInstances(['a', 'b', 'c']), 6, context).join(' ')).toBe('c a b c a b');
  });

  it('honours weights over many picks and skips unavailable ones', () => {
    const picks = pickSequence(createWeightedRoundRobinStrategy(), weighted, 70);
    expect(picks.filter((id) => id === 'a')).toHaveLength(50);
    expect(picks.filter((id) => id === 'b')).toHaveLength(10);
    const withoutA = pickSequence(createWeightedRoundRobinStrategy(), weighted, 4, fakeContext({ unavailable: new Set(['a']) }));
    expect(withoutA.join(' ')).toBe('b c b c');
  });
});

describe('least-in-flight', () => {
  it.each([
    { name: 'idle instances rotate', states: {}, want: 'a b c a' },
    { name: 'fewest in flight wins', states: { a: { inFlight: 2 }, b: { inFlight: 1 }, c: { inFlight: 3 } }, want: 'b b b' },
    { name: 'ties among the least loaded rotate', states: { a: { inFlight: 1 }, b: { inFlight: 1 }, c: { inFlight: 4 } }, want: 'a b a b' },
  ] as { name: string; states: Record<string, Partial<InstanceState>>; want: string }[])('$name', ({ states, want }) => {
    const sequence = pickSequence(createLeastInFlightStrategy(), abc, want.split(' ').length, fakeContext({ states }));
    expect(sequence.join(' ')).toBe(want);
  });
});

describe('lowest-latency', () => {
  it.each([
    { name: 'unmeasured first', states: { a: { firstByteEwmaMs: 300 }, b: { firstByteEwmaMs: 100 } }, randoms: [], want: 'c c c' },
    {
      name: 'fastest among measured',
      states: { a: { firstByteEwmaMs: 300 }, b: { firstByteEwmaMs: 100 }, c: { firstByteEwmaMs: 200 } },
      randoms: [],
      want: 'b b b',
    },
    {
      name: 'explores round-robin when the dice say so',
      states: { a: { firstByteEwmaMs: 300 }, b: { firstByteEwmaMs: 100 }, c: { firstByteEwmaMs: 200 } },
      randoms: [0.01, 0.5, 0.01],
      want: 'a b b',
    },
  ] as { name: string; states: Record<string, Partial<InstanceState>>; randoms: number[]; want: string }[])('$name', ({ states, randoms, want }) => {
    const sequence = pickSequence(createLowestLatencyStrategy(), abc, want.split(' ').length, fakeContext({ states, randoms }));
    expect(sequence.join(' ')).toBe(want);
  });
});

describe('lowest-latency in a large pool (power of two choices)', () => {
  // Draws: the exploration dice first, then indexes (0.1 → a, 0.5 → b, 0.7 → c).
  it.each([
    { name: 'faster of two draws', unavailable: [], randoms: [0.99, 0.1, 0.5], want: 'b' },
    { name: 'unavailable draws are skipped', unavailable: ['b'], randoms: [0.99, 0.5, 0.7, 0.1], want: 'c' },
    { name: 'exact scan when the draws find nothing', unavailable: ['c'], randoms: [0.99, 0.7, 0.7, 0.7, 0.7, 0.7, 0.7], want: 'b' },
  ])('$name', ({ unavailable, randoms, want }) => {
    const strategy = createLowestLatencyStrategy({ exactScanLimit: 2 });
    const states = { a: { firstByteEwmaMs: 300 }, b: { firstByteEwmaMs: 100 }, c: { firstByteEwmaMs: 200 } };
    expect(strategy.pick(abc, fakeContext({ randoms, states, unavailable: new Set(unavailable) }))?.id).toBe(want);
  });
});

describe('least-in-flight in a large pool (power of two choices)', () => {
  it.each([
    { name: 'less loaded of two draws', unavailable: [], randoms: [0.1, 0.7], want: 'c' },
    { name: 'exact scan when the draws find nothing', unavailable: ['a'], randoms: [0.1, 0.1, 0.1, 0.1, 0.1, 0.1], want: 'b' },
  ])('$name', ({ unavailable, randoms, want }) => {
    const states = { a: { inFlight: 3 }, b: { inFlight: 1 }, c: { inFlight: 2 } };
    const strategy = createLeastInFlightStrategy({ exactScanLimit: 2 });
    expect(strategy.pick(abc, fakeContext({ randoms, states, unavailable: new Set(unavailable) }))?.id).toBe(want);
  });
});

describe('strategy names', () => {
  it.each([
    ['round-robin', 'round-robin'],
    ['weighted', 'weighted-round-robin'],
    ['Least-In-Flight', 'least-in-flight'],
    ['latency', 'lowest-latency'],
    ['random', undefined],
  ])('%s → %s', (input, expected) => expect(parseStrategyName(input)).toBe(expected));

  it('creates each strategy by name', () => {
    for (const name of ['round-robin', 'weighted-round-robin', 'least-in-flight', 'lowest-latency'] as const) {
      expect(createStrategy(name).name).toBe(name);
    }
  });
});
