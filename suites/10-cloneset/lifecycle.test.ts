/**
 * Lifecycle hooks (spec digest §1.2 state machine and markPodNotReady, §2.8 managePreparingDelete
 * and scalingExcludePreparingDelete, §2.9 CloneSet transitions; OpenKruise e2e "specific delete a
 * Pod, when scalingExcludePreparingDelete is disabled" and "specific scale down with lifecycle and
 * then scale up, when scalingExcludePreparingDelete is enabled"). Hooks here are labelsHandlers:
 * a pod is "hooked" while it carries the listed label value.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, cloneSetSettled, imageOf, waitForCloneSet } from '../lib/workloads.ts';
import {
  KRUISE_POD_READY,
  LIFECYCLE_STATE_LABEL,
  cloneSetWith,
  conditionOf,
  describePods,
  expectCloneSetHolds,
  expectPodsHold,
  listPods,
  patchPod,
  setImage,
  uidsOf,
  waitPods,
} from './fixtures.ts';

const HOOK = 'example.com/hook';
const EXCLUDE_PREPARING_DELETE = 'apps.kruise.io/cloneset-scaling-exclude-preparing-delete';
const stateOf = (p: V1Pod) => p.metadata?.labels?.[LIFECYCLE_STATE_LABEL];
const inState = (pods: readonly V1Pod[], state: string) => pods.filter((p) => !p.metadata?.deletionTimestamp && stateOf(p) === state);
const release = (ns: string, p: V1Pod) => patchPod(ns, p.metadata!.name!, { metadata: { labels: { [HOOK]: null } } });

describeFeature('CloneSet.Lifecycle', 'preDelete hook', () => {
  const ns = useNamespace('cs-predelete');
  const preDelete = (markPodNotReady = false) => ({ preDelete: { labelsHandler: { [HOOK]: 'true' }, ...(markPodNotReady ? { markPodNotReady: true } : {}) } });

  it('scale-in moves a hooked pod to PreparingDelete (not Ready with markPodNotReady) and deletes it only once the hook is released', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('sd', { replicas: 2, labels: { [HOOK]: 'true' }, lifecycle: preDelete(true) }));
    await waitForCloneSet(ns.name, 'sd', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    await patchObject(CLONESET, ns.name, 'sd', { spec: { replicas: 1 } });
    const pods = await waitPods(ns.name, 'sd', (ps) => inState(ps, 'PreparingDelete').length === 1 && ps.length === 2, 'one pod in PreparingDelete');
    const held = inState(pods, 'PreparingDelete')[0]!;
    const notReady = await waitPods(ns.name, 'sd', (ps) => ps.some((p) => p.metadata?.uid === held.metadata?.uid && conditionOf(p, KRUISE_POD_READY)?.status === 'False' && !isPodReady(p)), `${held.metadata?.name} marked not ready`);
    expect(notReady.length, describePods(notReady)).toBe(2);
    await expectPodsHold(ns.name, 'sd', (ps) => ps.length === 2 && ps.every((p) => !p.metadata?.deletionTimestamp), 'the hooked pod is kept while the hook holds');

    await release(ns.name, held);
    const left = await waitPods(ns.name, 'sd', (ps) => ps.length === 1 && ps[0]!.metadata?.uid !== held.metadata?.uid, `${held.metadata?.name} deleted once released`);
    expect(stateOf(left[0]!), 'the remaining pod').toBe('Normal');
  });

  it('podsToDelete on a hooked pod: PreparingDelete, no replacement while hooked (exclusion off), replaced after release', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('spec', { replicas: 3, labels: { [HOOK]: 'true' }, lifecycle: preDelete() }));
    await waitForCloneSet(ns.name, 'spec', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    const [victim] = await listPods(ns.name, 'spec');
    await patchObject(CLONESET, ns.name, 'spec', { spec: { scaleStrategy: { podsToDelete: [victim!.metadata!.name!] } } });
    await waitPods(ns.name, 'spec', (ps) => inState(ps, 'PreparingDelete').some((p) => p.metadata?.uid === victim!.metadata?.uid), `${victim!.metadata?.name} in PreparingDelete`);
    // The PreparingDelete pod still counts toward replicas: no fourth pod.
    await expectPodsHold(ns.name, 'spec', (ps) => ps.length === 3, 'still 3 pods while the hook holds');
    await release(ns.name, victim!);
    await waitPods(ns.name, 'spec', (ps) => ps.length === 3 && ps.every((p) => isPodReady(p) && stateOf(p) === 'Normal' && p.metadata?.uid !== victim!.metadata?.uid), 'a replacement: 3 Ready Normal pods without the released one');
  });

  it('with scaling-exclude-preparing-delete, scaling back up creates a new pod beside the PreparingDelete one', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('excl', { replicas: 3, labels: { [HOOK]: 'true' }, lifecycle: preDelete(), objectLabels: { [EXCLUDE_PREPARING_DELETE]: 'true' } }));
    await waitForCloneSet(ns.name, 'excl', cloneSetSettled(3), '3 pods Ready', timeouts().podsReady);
    const [victim] = await listPods(ns.name, 'excl');
    await patchObject(CLONESET, ns.name, 'excl', { spec: { replicas: 2, scaleStrategy: { podsToDelete: [victim!.metadata!.name!] } } });
    await waitPods(ns.name, 'excl', (ps) => ps.length === 3 && inState(ps, 'PreparingDelete').length === 1 && inState(ps, 'Normal').length === 2, '2 Normal pods + the victim in PreparingDelete');
    await patchObject(CLONESET, ns.name, 'excl', { spec: { replicas: 3 } });
    const four = await waitPods(ns.name, 'excl', (ps) => ps.length === 4 && inState(ps, 'Normal').filter(isPodReady).length === 3 && inState(ps, 'PreparingDelete').length === 1, '3 Normal Ready pods + the PreparingDelete one');
    expect(inState(four, 'PreparingDelete')[0]!.metadata?.uid, 'the specified pod stays in PreparingDelete').toBe(victim!.metadata?.uid);
    await release(ns.name, victim!);
    await waitPods(ns.name, 'excl', (ps) => ps.length === 3 && ps.every((p) => p.metadata?.uid !== victim!.metadata?.uid), 'the released pod deleted, 3 left');
  });

  it('scaling back up before the hook is released returns the PreparingDelete pod to Normal instead of creating one', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('regret', { replicas: 2, labels: { [HOOK]: 'true' }, lifecycle: preDelete() }));
    await waitForCloneSet(ns.name, 'regret', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    const before = await listPods(ns.name, 'regret');
    await patchObject(CLONESET, ns.name, 'regret', { spec: { replicas: 1 } });
    const pods = await waitPods(ns.name, 'regret', (ps) => inState(ps, 'PreparingDelete').length === 1, 'one pod in PreparingDelete');
    const held = inState(pods, 'PreparingDelete')[0]!;
    await patchObject(CLONESET, ns.name, 'regret', { spec: { replicas: 2 } });
    const back = await waitPods(ns.name, 'regret', (ps) => ps.length === 2 && inState(ps, 'Normal').length === 2, 'both pods Normal again');
    expect([...uidsOf(back)].sort(), `the same two pods, ${held.metadata?.name} brought back:\n${describePods(back)}`).toEqual([...uidsOf(before)].sort());
  });
});

describeFeature('CloneSet.Lifecycle', 'inPlaceUpdate and preNormal hooks', () => {
  const ns = useNamespace('cs-hooks');

  it('inPlaceUpdate hook: the pod waits in PreparingUpdate until released, then is Updated, and Normal once hooked again', async () => {
    await createObject(
      CLONESET,
      ns.name,
      cloneSetWith('upd', { replicas: 1, labels: { [HOOK]: 'true' }, updateStrategy: { type: 'InPlaceIfPossible' }, lifecycle: { inPlaceUpdate: { labelsHandler: { [HOOK]: 'true' } } } }),
    );
    await waitForCloneSet(ns.name, 'upd', cloneSetSettled(1), '1 pod Ready', timeouts().podsReady);
    const [pod] = await listPods(ns.name, 'upd');
    await setImage(ns.name, 'upd', IMAGE_V2);
    await waitPods(ns.name, 'upd', (ps) => ps.length === 1 && stateOf(ps[0]!) === 'PreparingUpdate', 'the pod in PreparingUpdate');
    await expectPodsHold(ns.name, 'upd', (ps) => ps.length === 1 && imageOf(ps[0]!) === IMAGE_V1 && stateOf(ps[0]!) === 'PreparingUpdate', 'no image change while the hook holds');

    await release(ns.name, pod!);
    const updated = await waitPods(ns.name, 'upd', (ps) => ps.length === 1 && stateOf(ps[0]!) === 'Updated' && imageOf(ps[0]!) === IMAGE_V2, 'the pod updated in place and in state Updated');
    expect(updated[0]!.metadata?.uid, 'updated in place').toBe(pod!.metadata?.uid);
    await patchPod(ns.name, pod!.metadata!.name!, { metadata: { labels: { [HOOK]: 'true' } } });
    await waitPods(ns.name, 'upd', (ps) => ps.length === 1 && stateOf(ps[0]!) === 'Normal', 'Normal once the hook label is back');
  });

  it('preNormal hook: pods stay PreparingNormal and unavailable until every hook label is present', async () => {
    const NORMAL = 'example.com/ready-for-traffic';
    await createObject(CLONESET, ns.name, cloneSetWith('pre', { replicas: 2, lifecycle: { preNormal: { labelsHandler: { [NORMAL]: 'true' } } } }));
    const pods = await waitPods(ns.name, 'pre', (ps) => ps.length === 2 && ps.every((p) => p.status?.phase === 'Running'), '2 Running pods', timeouts().podsReady);
    await waitForCloneSet(ns.name, 'pre', (c) => c.status?.replicas === 2, 'status counts 2 pods', timeouts().statusSync);
    await expectCloneSetHolds(ns.name, 'pre', (c) => (c.status?.availableReplicas ?? 0) === 0, 'no pod available while PreparingNormal');
    const now = await listPods(ns.name, 'pre');
    expect(inState(now, 'PreparingNormal').length, describePods(now)).toBe(2);
    for (const p of pods) await patchPod(ns.name, p.metadata!.name!, { metadata: { labels: { [NORMAL]: 'true' } } });
    const cs = await waitForCloneSet(ns.name, 'pre', (c) => c.status?.availableReplicas === 2, '2 pods available once hooked');
    const after = await listPods(ns.name, 'pre');
    expect(inState(after, 'Normal').length, `${describePods(after)}\n${JSON.stringify(cs.status)}`).toBe(2);
  });
});
