import { describe, expect, it } from 'vitest';
import { activePodsLess, afterOrZero, comparatorFromLess, type ActivePodFacts } from './active-pods.ts';

const base: ActivePodFacts = { nodeName: 'n1', phase: 'Running', ready: true, readySince: 1000, restartCount: 0, creationTime: 100 };
const p = (o: Partial<ActivePodFacts>): ActivePodFacts => ({ ...base, ...o });

describe('afterOrZero', () => {
  it.each<[number | undefined, number | undefined, boolean]>([
    [2, 1, true], [1, 2, false], [1, 1, false], [undefined, 1, true], [1, undefined, false], [undefined, undefined, true],
  ])('(%j, %j) -> %s', (a, b, want) => expect(afterOrZero(a, b)).toBe(want));
});

describe('activePodsLess (least valuable first)', () => {
  it.each<[string, ActivePodFacts, ActivePodFacts]>([
    ['unscheduled before scheduled', p({ nodeName: '' }), p({})],
    ['unscheduled (undefined node) before scheduled', p({ nodeName: undefined }), p({})],
    ['Pending before Unknown', p({ phase: 'Pending' }), p({ phase: 'Unknown' })],
    ['Unknown before Running', p({ phase: 'Unknown' }), p({ phase: 'Running' })],
    ['Failed ranks with Pending, before Running', p({ phase: 'Failed' }), p({ phase: 'Running' })],
    ['not ready before ready', p({ ready: false }), p({})],
    ['ready more recently before ready longer', p({ readySince: 2000 }), p({ readySince: 1000 })],
    ['ready time unknown before known', p({ readySince: undefined }), p({})],
    ['more restarts first', p({ restartCount: 3 }), p({ restartCount: 1 })],
    ['newer first', p({ creationTime: 200 }), p({ creationTime: 100 })],
    ['no creation time first', p({ creationTime: undefined }), p({ creationTime: 100 })],
    ['phase beats readiness', p({ phase: 'Pending', ready: true }), p({ ready: false })],
    ['node beats phase', p({ nodeName: '', phase: 'Running' }), p({ phase: 'Pending' })],
    ['different nodes do not matter when both are scheduled', p({ nodeName: 'a', creationTime: 200 }), p({ nodeName: 'b' })],
  ])('%s', (_name, a, b) => {
    expect(activePodsLess(a, b)).toBe(true);
    expect(activePodsLess(b, a)).toBe(false);
  });

  it('ignores ready time unless both are ready', () => {
    expect(activePodsLess(p({ ready: false, readySince: 5, creationTime: 1 }), p({ ready: false, readySince: 1, creationTime: 1 }))).toBe(false);
  });

  it('is a stable comparator for equal pods', () => {
    const xs = [p({}), p({}), p({ ready: false })];
    expect([...xs].sort(comparatorFromLess(activePodsLess))).toEqual([xs[2], xs[0], xs[1]]);
  });
});
