import { describe, expect, it } from 'vitest';
import { MAX_INT32, resolveRolloutParams, type RolloutParams } from './rollout-params.ts';
import type { CloneSetSpecView } from './types.ts';
import { cloneSet } from './test/builders.ts';

type Want = Omit<RolloutParams, 'replicas' | 'partitionError'>;

describe('resolveRolloutParams (spec §2.4)', () => {
  it.each<[string, CloneSetSpecView, Want]>([
    ['defaults for 5 replicas: maxUnavailable 20% -> 1', cloneSet(5), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['default 20% of 3 rounds up to 1 without surge', cloneSet(3), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['default 20% of 3 rounds down to 0 with surge', cloneSet(3, { maxSurge: 1 }), { partition: 0, maxSurge: 1, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['maxSurge "1%" of 3 rounds up to 1, so maxUnavailable rounds down', cloneSet(3, { maxSurge: '1%' }), { partition: 0, maxSurge: 1, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['maxSurge "20%" of 5 is 1', cloneSet(5, { maxSurge: '20%', maxUnavailable: 0 }), { partition: 0, maxSurge: 1, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['maxSurge "50%" of 5 is ceil(2.5) = 3', cloneSet(5, { maxSurge: '50%' }), { partition: 0, maxSurge: 3, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['maxSurge "0%" keeps maxUnavailable rounding up', cloneSet(3, { maxSurge: '0%' }), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['maxSurge "100%" of 4 is 4', cloneSet(4, { maxSurge: '100%' }), { partition: 0, maxSurge: 4, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['paused forces maxSurge 0 and maxUnavailable back to ceil', cloneSet(3, { maxSurge: '20%', paused: true }), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['maxUnavailable "25%" of 10 without surge: ceil(2.5) = 3', cloneSet(10, { maxUnavailable: '25%' }), { partition: 0, maxSurge: 0, maxUnavailable: 3, scaleMaxUnavailable: MAX_INT32 }],
    ['maxUnavailable "25%" of 10 with surge: floor(2.5) = 2', cloneSet(10, { maxUnavailable: '25%', maxSurge: 1 }), { partition: 0, maxSurge: 1, maxUnavailable: 2, scaleMaxUnavailable: MAX_INT32 }],
    ['int maxUnavailable is taken as is', cloneSet(10, { maxUnavailable: 2, maxSurge: 1 }), { partition: 0, maxSurge: 1, maxUnavailable: 2, scaleMaxUnavailable: MAX_INT32 }],
    ['int maxUnavailable above replicas is not clamped', cloneSet(2, { maxUnavailable: 5 }), { partition: 0, maxSurge: 0, maxUnavailable: 5, scaleMaxUnavailable: MAX_INT32 }],
    ['"100%" maxUnavailable is all replicas', cloneSet(7, { maxUnavailable: '100%' }), { partition: 0, maxSurge: 0, maxUnavailable: 7, scaleMaxUnavailable: MAX_INT32 }],
    ['a string without "%" is still a percent (legacy parser)', cloneSet(10, { maxUnavailable: '5' }), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['unparsable maxUnavailable is 0', cloneSet(10, { maxUnavailable: 'abc' }), { partition: 0, maxSurge: 0, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['fractional maxUnavailable percent is unparsable: 0', cloneSet(8, { maxUnavailable: '12.5%' }), { partition: 0, maxSurge: 0, maxUnavailable: 0, scaleMaxUnavailable: MAX_INT32 }],
    ['unparsable maxSurge is 0', cloneSet(10, { maxSurge: 'x%' }), { partition: 0, maxSurge: 0, maxUnavailable: 2, scaleMaxUnavailable: MAX_INT32 }],
    ['0 replicas: every percent is 0', cloneSet(0, { maxSurge: '50%', partition: '50%' }, { scaleStrategy: { maxUnavailable: '50%' } }), { partition: 0, maxSurge: 0, maxUnavailable: 0, scaleMaxUnavailable: 0 }],
    ['scale maxUnavailable "50%" of 5 rounds up to 3', cloneSet(5, {}, { scaleStrategy: { maxUnavailable: '50%' } }), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: 3 }],
    ['scale maxUnavailable int', cloneSet(5, {}, { scaleStrategy: { maxUnavailable: 2 } }), { partition: 0, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: 2 }],
    ['partition int', cloneSet(5, { partition: 3 }), { partition: 3, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['partition above replicas clamps', cloneSet(5, { partition: 8 }), { partition: 5, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['partition "99%" of 4 is 3', cloneSet(4, { partition: '99%' }), { partition: 3, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['partition "100%" of 4 is 4', cloneSet(4, { partition: '100%' }), { partition: 4, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
    ['partition "33.4%" of 3 is ceil(1.002) = 2', cloneSet(3, { partition: '33.4%' }), { partition: 2, maxSurge: 0, maxUnavailable: 1, scaleMaxUnavailable: MAX_INT32 }],
  ])('%s', (_name, spec, want) => {
    const { replicas: _r, partitionError: _e, ...got } = resolveRolloutParams(spec);
    expect(got).toEqual(want);
  });

  it('reports an unparsable partition and uses 0', () => {
    const p = resolveRolloutParams(cloneSet(4, { partition: '50' }));
    expect(p.partition).toBe(0);
    expect(p.partitionError).toMatch(/not a percentage/);
    expect(resolveRolloutParams(cloneSet(4, { partition: '50%' })).partitionError).toBeUndefined();
  });
});
