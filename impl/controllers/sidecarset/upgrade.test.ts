import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_SIDECARSET_HASH, ANNOTATION_SIDECARSET_INPLACE_STATE, type SidecarSetUpdateStrategy } from '../../api/sidecarset.ts';
import { isPodReadyForSidecarSet, isPodStateConsistent, sidecarSetUpgradable } from './pod-state.ts';
import { calculateStatus } from './status.ts';
import { expandScatterTerms, flippedPod, planUpgrade, readyToFlip, upgradeCount, upgradedPod } from './upgrade.ts';
import { runningPod, set, sidecar, withStatus } from './test/builders.ts';

const NOW = '2026-01-02T00:00:00Z';
const v1 = set('s');
const v2 = (us: SidecarSetUpdateStrategy = {}) => set('s', { containers: [sidecar('sidecar', 'sidecar:v2')], updateStrategy: { type: 'RollingUpdate', maxUnavailable: 1, partition: 0, ...us } });
const pods = (n: number, ready = true) => Array.from({ length: n }, (_, i) => runningPod(`p${i}`, [v1], { ready, created: `2026-01-01T00:00:0${i}Z` }));

describe('upgradeCount (calculateUpgradeCount)', () => {
  it.each<[string, Parameters<typeof v2>[0], number, boolean, number]>([
    ['default maxUnavailable 1 of 3 ready pods', {}, 3, true, 1],
    ['maxUnavailable 2', { maxUnavailable: 2 }, 3, true, 2],
    ['maxUnavailable 30% of 4 rounds up to 2', { maxUnavailable: '30%' }, 4, true, 2],
    ['partition 1 of 3 leaves 2 candidates, maxUnavailable 3', { partition: 1, maxUnavailable: 3 }, 3, true, 2],
    ['partition 50% of 3 keeps ceil(1.5) = 2', { partition: '50%', maxUnavailable: 3 }, 3, true, 1],
    ['partition equal to the candidates: none', { partition: 3 }, 3, true, 0],
    ['not-ready candidates do not consume maxUnavailable', { maxUnavailable: 1 }, 3, false, 3],
  ])('%s', (_, us, n, ready, want) => {
    const s = v2(us);
    const ps = pods(n, ready);
    expect(upgradeCount(s, ps, ps.map((_, i) => i))).toBe(want);
  });

  it('an updated pod that is not ready counts against maxUnavailable', () => {
    const s = v2();
    const ps = pods(3);
    ps[0] = withStatus(upgradedPod(s, ps[0]!, NOW, () => 's'), false);
    expect(upgradeCount(s, ps, [1, 2])).toBe(0);
  });
});

describe('planUpgrade', () => {
  it('only image changes are upgradable; others are marked not upgradable', () => {
    const ps = pods(2);
    const changedEnv = set('s', { containers: [sidecar('sidecar', 'sidecar:v2', { env: [{ name: 'X', value: '1' }] })] });
    const plan = planUpgrade(changedEnv, ps);
    expect([plan.upgrade.length, plan.notUpgradable.map((p) => p.metadata?.name)]).toEqual([0, ['p0', 'p1']]);
  });
  it('updateStrategy.selector limits the candidates', () => {
    const ps = [runningPod('a', [v1], { labels: { canary: 'true' } }), runningPod('b', [v1])];
    expect(planUpgrade(v2({ selector: { matchLabels: { canary: 'true' } }, maxUnavailable: 2 }), ps).upgrade.map((p) => p.metadata?.name)).toEqual(['a']);
  });
  it('ActivePods order: not-ready pods first, then newer before older', () => {
    const ps = [runningPod('old', [v1], { created: '2026-01-01T00:00:01Z' }), runningPod('new', [v1], { created: '2026-01-01T00:00:09Z' }), runningPod('down', [v1], { ready: false })];
    expect(planUpgrade(v2({ maxUnavailable: 3 }), ps).upgrade.map((p) => p.metadata?.name)).toEqual(['down', 'new', 'old']);
  });
  it('priorityStrategy weights reorder the candidates', () => {
    const ps = [runningPod('a', [v1]), runningPod('b', [v1], { labels: { tier: 'first' } })];
    const s = v2({ maxUnavailable: 1, priorityStrategy: { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { tier: 'first' } } }] } });
    expect(planUpgrade(s, ps).upgrade.map((p) => p.metadata?.name)).toEqual(['b']);
  });
  it('scatter "*" expands to every value of the label among the pods', () => {
    const ps = [runningPod('a', [v1], { labels: { zone: 'x' } }), runningPod('b', [v1], { labels: { zone: 'y' } }), runningPod('c', [v1], { labels: { zone: 'x' } })];
    expect(expandScatterTerms([{ key: 'zone', value: '*' }], ps)).toEqual([{ key: 'zone', value: 'x' }, { key: 'zone', value: 'y' }]);
  });
});

describe('upgradedPod and pod state', () => {
  it('changes only the sidecar image, records the new hash and the old imageID', () => {
    const s = v2();
    const [p] = pods(1);
    const up = upgradedPod(s, p!, NOW, () => 's');
    expect(up.spec?.containers.map((c) => [c.name, c.image])).toEqual([['sidecar', 'sidecar:v2'], ['main', 'app:v1']]);
    expect(JSON.parse(up.metadata!.annotations![ANNOTATION_SIDECARSET_HASH]!).s.hash).toBe(s.metadata!.annotations![ANNOTATION_SIDECARSET_HASH]);
    expect(JSON.parse(up.metadata!.annotations![ANNOTATION_SIDECARSET_INPLACE_STATE]!).s.lastContainerStatuses).toEqual({ sidecar: { imageID: 'id-sidecar:v1' } });
    expect(isPodStateConsistent(s, up), 'imageID unchanged while the image differs: not consistent yet').toBe(false);
    const restarted: V1Pod = { ...up, status: { ...up.status, containerStatuses: up.status!.containerStatuses!.map((c) => (c.name === 'sidecar' ? { ...c, image: 'sidecar:v2', imageID: 'id-new' } : c)) } };
    expect(isPodStateConsistent(s, restarted)).toBe(true);
    expect(sidecarSetUpgradable(s, up), 'ready but not consistent: wait').toEqual({ canUpgrade: true, consistent: false });
  });

  it('status counts matched, updated, ready and updated-ready pods', () => {
    const s = v2();
    const ps = pods(3);
    ps[0] = upgradedPod(s, ps[0]!, NOW, () => 's');
    ps[2] = withStatus(ps[2]!, false);
    expect(calculateStatus(s, ps, 'r2', 0)).toMatchObject({ matchedPods: 3, updatedPods: 1, readyPods: 1, updatedReadyPods: 0, latestRevision: 'r2', observedGeneration: 1 });
  });

  it('hot upgrade: the empty container takes the image and the working one flips to empty once ready', () => {
    const hot = (image: string) => set('h', { containers: [sidecar('hot', image, { upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: 'empty' } })] });
    const p = runningPod('p', [hot('v1')]);
    const s = { ...hot('v2'), metadata: { ...hot('v2').metadata, resourceVersion: '42' } };
    const up = upgradedPod(s, p, NOW, () => 'h');
    expect(up.spec?.containers.map((c) => [c.name, c.image])).toEqual([['hot-1', 'v1'], ['hot-2', 'v2'], ['main', 'app:v1']]);
    expect(JSON.parse(up.metadata!.annotations!['kruise.io/sidecarset-working-hotupgrade-container']!)).toEqual({ hot: 'hot-2' });
    expect(isPodReadyForSidecarSet(s, withStatus(up, true)), 'the idle container does not run the empty image').toBe(false);
    const running = withStatus(up, true);
    expect(readyToFlip(s, running)).toBe(true);
    const flipped = flippedPod(s, running, NOW);
    expect(flipped.spec?.containers.map((c) => c.image)).toEqual(['empty', 'v2', 'app:v1']);
    expect([flipped.metadata!.annotations!['version.sidecarset.kruise.io/hot-1'], flipped.metadata!.annotations!['versionalt.sidecarset.kruise.io/hot-2']]).toEqual(['0', '0']);
  });
});
