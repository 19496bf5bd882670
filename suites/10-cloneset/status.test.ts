/**
 * Status and revisions (spec digest §1.4 revision naming and reuse, §2.5 revision labels, §2.6
 * status computation and history truncation, §13.14 currentRevision without readiness,
 * Appendix B.1). Hash strings are implementation-generated, so only their relationships are
 * asserted: pod controller-revision-hash == status.updateRevision == a ControllerRevision owned by
 * the CloneSet; pod-template-hash == the part of that name after its last '-'.
 */
import type { V1ControllerRevision } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, CONTROLLER_REVISION, type Obj, createObject, getObject, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { IMAGE_V1, IMAGE_V2, IMAGE_V3, cloneSetSettled, renderStatus, waitForCloneSet } from '../lib/workloads.ts';
import { HOLD_GATE, REVISION_LABEL, TEMPLATE_HASH_LABEL, cloneSetWith, describePods, hashSuffix, listPods, openHoldGates, setImage, settledPods, waitPods } from './fixtures.ts';

async function ownedRevisions(namespace: string, cs: CloneSet): Promise<V1ControllerRevision[]> {
  const list = await kube().apps.listNamespacedControllerRevision({ namespace });
  return list.items.filter((r) => r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === cs.metadata.uid));
}

const renderRevisions = (revs: readonly V1ControllerRevision[]) => revs.map((r) => `  ${r.metadata?.name} revision=${r.revision}`).join('\n');

describeFeature('CloneSet.Status', 'status fields', () => {
  const ns = useNamespace('cs-status');

  it('a settled CloneSet reports every counter, both revisions, observedGeneration and labelSelector (Appendix B.1)', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('st', { replicas: 3 }));
    const cs = await waitForCloneSet(ns.name, 'st', (c) => cloneSetSettled(3)(c) && c.status?.availableReplicas === 3, '3 pods Ready and available', timeouts().podsReady);
    const s = cs.status!;
    expect(
      {
        observedGeneration: s.observedGeneration,
        replicas: s.replicas,
        readyReplicas: s.readyReplicas,
        availableReplicas: s.availableReplicas,
        updatedReplicas: s.updatedReplicas,
        updatedReadyReplicas: s.updatedReadyReplicas,
        updatedAvailableReplicas: s.updatedAvailableReplicas,
        expectedUpdatedReplicas: s.expectedUpdatedReplicas,
        labelSelector: s.labelSelector,
        collisionCount: s.collisionCount ?? 0,
      },
      renderStatus(cs),
    ).toEqual({
      observedGeneration: cs.metadata.generation,
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      updatedReplicas: 3,
      updatedReadyReplicas: 3,
      updatedAvailableReplicas: 3,
      expectedUpdatedReplicas: 3,
      labelSelector: 'app=st',
      collisionCount: 0,
    });
    expect(s.currentRevision, 'currentRevision == updateRevision when settled').toBe(s.updateRevision);
    expect(s.updateRevision!.startsWith('st-'), `revision ${s.updateRevision} is named <cloneset>-<hash>`).toBe(true);
  });

  it('observedGeneration follows every spec change', async () => {
    const before = await getObject<CloneSet>(CLONESET, ns.name, 'st');
    await patchObject(CLONESET, ns.name, 'st', { spec: { minReadySeconds: 1 } });
    await patchObject(CLONESET, ns.name, 'st', { spec: { revisionHistoryLimit: 5 } });
    const after = await waitForCloneSet(ns.name, 'st', () => true, 'status.observedGeneration == metadata.generation after two spec changes', timeouts().statusSync);
    expect(after.metadata.generation, 'generation grew by the two spec changes').toBe((before.metadata.generation ?? 0) + 2);
    expect(after.status?.observedGeneration).toBe(after.metadata.generation);
  });

  it('labelSelector renders matchLabels and matchExpressions', async () => {
    await createObject(
      CLONESET,
      ns.name,
      cloneSetWith('sel', { replicas: 1, labels: { tier: 'web' }, selector: { matchLabels: { app: 'sel' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['web'] }] } }),
    );
    const cs = await waitForCloneSet(ns.name, 'sel', cloneSetSettled(1), '1 pod Ready', timeouts().podsReady);
    expect(cs.status?.labelSelector, renderStatus(cs)).toBe('app=sel,tier in (web)');
  });

  it('expectedUpdatedReplicas is replicas minus the partition (int; percent rounded up; below 100% at least one updated; clamped)', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('exp', { replicas: 4, updateStrategy: { partition: 1 } }));
    // No template change: every pod is at the update revision whatever the partition says.
    // The field is `omitempty` in OpenKruise's CloneSetStatus, so 0 may be written as absent.
    for (const [partition, expected] of [[1, 3], ['30%', 2], [10, 0], ['99%', 1], [0, 4]] as const) {
      await patchObject(CLONESET, ns.name, 'exp', { spec: { updateStrategy: { partition } } });
      const cs = await waitForCloneSet(ns.name, 'exp', (c) => c.status?.replicas === 4 && (c.status.expectedUpdatedReplicas ?? 0) === expected, `partition ${partition}: expectedUpdatedReplicas ${expected}`, timeouts().podsReady);
      expect(cs.status?.updatedReplicas, `partition ${partition} does not roll anything back: ${renderStatus(cs)}`).toBe(4);
    }
  });

  it('currentRevision becomes updateRevision once every pod is at it, even before they are Ready', async () => {
    // A readiness gate only the test opens keeps the replacement pod not Ready.
    await createObject(CLONESET, ns.name, cloneSetWith('cur', { replicas: 1, readinessGates: [HOLD_GATE], updateStrategy: { maxUnavailable: 1 } }));
    const first = await waitPods(ns.name, 'cur', settledPods(1, (p) => p.status?.phase === 'Running'), '1 Running pod', timeouts().podsReady);
    await openHoldGates(ns.name, first);
    const ready = await waitForCloneSet(ns.name, 'cur', cloneSetSettled(1), '1 pod Ready', timeouts().podsReady);
    await setImage(ns.name, 'cur', IMAGE_V2);
    const cs = await waitForCloneSet(
      ns.name,
      'cur',
      (c) => c.status?.updateRevision !== ready.status?.updateRevision && c.status?.updatedReplicas === 1 && c.status.replicas === 1,
      'the replacement pod exists at the new revision',
    );
    const pods = await waitPods(ns.name, 'cur', settledPods(1, (p) => p.metadata?.labels?.[REVISION_LABEL] === cs.status?.updateRevision), '1 pod at the update revision');
    expect(isPodReady(pods[0]!), `the replacement is held not Ready:\n${describePods(pods)}`).toBe(false);
    const flipped = await waitForCloneSet(ns.name, 'cur', (c) => c.status?.currentRevision === c.status?.updateRevision, 'currentRevision == updateRevision', timeouts().statusSync);
    expect({ readyReplicas: flipped.status?.readyReplicas, updatedReadyReplicas: flipped.status?.updatedReadyReplicas }, `not Ready, yet current: ${renderStatus(flipped)}`).toEqual({ readyReplicas: 0, updatedReadyReplicas: 0 });
  });
});

describeFeature('CloneSet.Revisions', 'ControllerRevisions and the revision labels', () => {
  const ns = useNamespace('cs-revs');
  let revs: string[] = [];

  it('each template gets a ControllerRevision owned by the CloneSet; pods carry its name and short hash', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('rv', { replicas: 2, image: IMAGE_V1 }));
    const first = await waitForCloneSet(ns.name, 'rv', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    await setImage(ns.name, 'rv', IMAGE_V2);
    const cs = await waitForCloneSet(ns.name, 'rv', (c) => cloneSetSettled(2)(c) && c.status?.updateRevision !== first.status?.updateRevision, '2 pods Ready at the second revision');
    revs = [first.status!.updateRevision!, cs.status!.updateRevision!];
    const owned = await ownedRevisions(ns.name, cs);
    expect(owned.map((r) => r.metadata!.name).sort(), `ControllerRevisions controlled by the CloneSet:\n${renderRevisions(owned)}`).toEqual([...revs].sort());
    const [r1, r2] = revs.map((n) => owned.find((r) => r.metadata!.name === n)!);
    expect(r2!.revision, 'the newer template has the higher revision number').toBeGreaterThan(r1!.revision);
    expect(cs.status?.currentRevision, 'currentRevision after the rollout').toBe(revs[1]);

    const pods = await waitPods(ns.name, 'rv', settledPods(2, isPodReady), '2 Ready pods');
    for (const p of pods) {
      expect({ rev: p.metadata?.labels?.[REVISION_LABEL], hash: p.metadata?.labels?.[TEMPLATE_HASH_LABEL] }, `labels of ${p.metadata?.name}`).toEqual({ rev: revs[1], hash: hashSuffix(revs[1]!) });
    }
  });

  it('going back to an earlier template reuses its ControllerRevision and renumbers it as the latest', async () => {
    await setImage(ns.name, 'rv', IMAGE_V1);
    const cs = await waitForCloneSet(ns.name, 'rv', (c) => cloneSetSettled(2)(c) && c.status?.updateRevision === revs[0], `updateRevision back to ${revs[0]}`);
    const owned = await ownedRevisions(ns.name, cs);
    expect(owned.map((r) => r.metadata!.name).sort(), `no new ControllerRevision for a known template:\n${renderRevisions(owned)}`).toEqual([...revs].sort());
    const [r1, r2] = revs.map((n) => owned.find((r) => r.metadata!.name === n)!);
    expect(r1!.revision, `the reused revision is now the latest:\n${renderRevisions(owned)}`).toBeGreaterThan(r2!.revision);
    const pods = await listPods(ns.name, 'rv');
    expect(pods.every((p) => p.metadata?.labels?.[REVISION_LABEL] === revs[0]), describePods(pods)).toBe(true);
  });

  it('revisionHistoryLimit deletes the oldest unused revisions', async () => {
    await patchObject(CLONESET, ns.name, 'rv', { spec: { revisionHistoryLimit: 1 } });
    await setImage(ns.name, 'rv', IMAGE_V3);
    const cs = await waitForCloneSet(ns.name, 'rv', (c) => cloneSetSettled(2)(c) && !revs.includes(c.status!.updateRevision!), '2 pods Ready at a third revision');
    const third = cs.status!.updateRevision!;
    // Unused now: revs[1] (oldest by revision number) and revs[0]; the limit keeps the newer one.
    const left = await waitForAll<V1ControllerRevision & Obj>(
      CONTROLLER_REVISION,
      ns.name,
      undefined,
      (items) => items.filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === cs.metadata.uid)).length === 2,
      { timeoutMs: timeouts().statusSync, describe: 'two ControllerRevisions left for CloneSet rv', namespace: ns.name, render: (items) => renderRevisions(items as V1ControllerRevision[]) },
    );
    const names = left.filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === cs.metadata.uid)).map((r) => r.metadata!.name!);
    expect(names.sort(), 'the current revision and the newest unused one remain').toEqual([third, revs[0]!].sort());
  });
});
