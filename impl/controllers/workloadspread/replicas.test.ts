import { describe, expect, it } from 'vitest';
import { integerAtPath, subsetMaxReplicas, subsetQuota, sumAtPaths } from './replicas.ts';

describe('subsetMaxReplicas', () => {
  it.each<[number | string | undefined, number, number | undefined]>([
    [undefined, 10, -1],
    [3, 10, 3],
    ['50%', 4, 2],
    ['20%', 5, 1],
    ['25%', 5, 2], // ceil(1.25)
    ['80%', 5, 4],
    ['75%', 5, 4], // ceil(3.75)
    ['33%', 10, 4], // ceil(3.3)
    ['0%', 7, 0],
    ['50', 4, undefined], // a string must be a percentage
    [-1, 4, undefined],
  ])('maxReplicas %j of %d replicas -> %j', (max, replicas, want) => {
    expect(subsetMaxReplicas(max, replicas)).toBe(want);
  });

  it('counts an unlimited subset as MaxInt32 for quota', () => {
    expect(subsetQuota(undefined, 5)).toBe(2 ** 31 - 1);
    expect(subsetQuota('60%', 5)).toBe(3);
  });
});

describe('integerAtPath and sumAtPaths', () => {
  const tfjob = { spec: { tfReplicaSpecs: { PS: { replicas: 1 }, Worker: { replicas: 4 } }, subsets: [{ replicas: 2 }, { replicas: 3 }], name: 'x' } };
  it('follows maps and array indexes and sums paths', () => {
    expect(integerAtPath(tfjob, 'spec.tfReplicaSpecs.Worker.replicas')).toBe(4);
    expect(integerAtPath(tfjob, 'spec.subsets.1.replicas')).toBe(3);
    expect(sumAtPaths(tfjob, ['spec.tfReplicaSpecs.PS.replicas', 'spec.tfReplicaSpecs.Worker.replicas', 'spec.subsets.0.replicas'])).toBe(7);
    expect(integerAtPath(tfjob, '')).toBe(0);
  });
  it.each([
    ['spec.tfReplicaSpecs.Master.replicas', /not exists/],
    ['spec.subsets.2.replicas', /out of range/],
    ['spec.name', /not an integer/],
    ['spec.name.x', /not deep enough/],
  ])('rejects %s', (path, re) => {
    expect(() => integerAtPath(tfjob, path)).toThrow(re);
  });
});
