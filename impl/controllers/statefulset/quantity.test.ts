import { describe, expect, it } from 'vitest';
import { compareQuantityStrings, parseQuantity } from './quantity.ts';

describe('parseQuantity', () => {
  it.each<[string, bigint, bigint]>([
    ['1Gi', 2n ** 30n, 1n],
    ['1.5Gi', 3n * 2n ** 29n, 1n],
    ['500m', 500n, 1000n],
    ['2', 2n, 1n],
    ['1k', 1000n, 1n],
    ['1e3', 1000n, 1n],
    ['1E-3', 1n, 1000n],
    ['.5', 5n, 10n],
    ['-1Mi', -(2n ** 20n), 1n],
    ['+3M', 3_000_000n, 1n],
    ['100n', 100n, 10n ** 9n],
  ])('%s = %d/%d', (s, num, den) => {
    const q = parseQuantity(s);
    expect(q).toBeDefined();
    // compare as rationals, whatever the reduction
    expect((q?.num ?? 0n) * den).toBe(num * (q?.den ?? 1n));
  });

  it.each(['', 'Gi', '1GB', '1 Gi', '1.2.3', 'abc', '1Ki2'])('rejects %j', (s) => expect(parseQuantity(s)).toBeUndefined());
});

describe('compareQuantityStrings', () => {
  it.each<[string | undefined, string | undefined, number]>([
    ['1Gi', '1Gi', 0],
    ['1Gi', '1024Mi', 0],
    ['2Gi', '1Gi', 1],
    ['1G', '1Gi', -1],
    ['1000M', '1G', 0],
    ['0.5Gi', '512Mi', 0],
    ['1', '1000m', 0],
    [undefined, '1Gi', -1],
    ['1Gi', undefined, 1],
    [undefined, undefined, 0],
    ['garbage', '0', 0],
  ])('%s vs %s -> %d', (a, b, want) => expect(compareQuantityStrings(a, b)).toBe(want));
});
