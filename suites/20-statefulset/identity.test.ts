/**
 * Advanced StatefulSet pod identity (spec §3.4, §1.2, §1.4, §3.6 status): pods <name>-<ordinal>
 * with hostname and subdomain, identity labels, the set as controller, one PVC per claim template
 * named <vct>-<name>-<ordinal> that outlives its pod, and adoption / release by label match
 * (OpenKruise e2e "should provide basic identity", "should adopt matching orphans and release
 * non-matching pods").
 */
import type { V1ControllerRevision, V1OwnerReference, V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CONTROLLER_REVISION, POD, getObject, waitForOne } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { renderPods } from '../lib/workloads.ts';
import { asts, claim, createSet, deletePod, labelPod, namesOf, patchPod, ordinalOf, renderClaims, setPods, showPods, showSet, waitForClaims, waitForPodNames, waitSettled } from './fixtures.ts';

const controllerOf = (p: V1Pod | V1ControllerRevision | undefined): V1OwnerReference | undefined => p?.metadata?.ownerReferences?.find((o) => o.controller);

describeFeature(['StatefulSet.Identity', 'StatefulSet.Status'], 'stable identity: names, hostnames, labels, owner and claims', () => {
  const ns = useNamespace('asts-identity');
  const name = 'web';

  it('creates web-0..2 with hostname, subdomain, identity labels, the set as controller and a bound PVC data-web-<ordinal> each', async () => {
    const created = await createSet(ns.name, asts(name, { claims: [claim('data')] }));
    const s = await waitSettled(ns.name, name, 3);
    const pods = await setPods(ns.name, name);
    const seen = showPods(pods);
    expect(namesOf(pods), seen).toEqual(['web-0', 'web-1', 'web-2']);
    const podIndexLabel = runEnv().implementation.featureGates.PodIndexLabel ?? true;
    for (const p of pods) {
      const pod = p.metadata!.name!;
      const ordinal = ordinalOf(p);
      expect({ hostname: p.spec?.hostname, subdomain: p.spec?.subdomain }, `${pod}: stable network identity`).toEqual({ hostname: pod, subdomain: name });
      expect(p.metadata?.labels, `${pod}: identity labels`).toMatchObject({
        app: name,
        'controller-revision-hash': s.status!.updateRevision,
        'statefulset.kubernetes.io/pod-name': pod,
        'lifecycle.apps.kruise.io/state': 'Normal',
        ...(podIndexLabel ? { 'apps.kubernetes.io/pod-index': String(ordinal) } : {}),
      });
      const owner = controllerOf(p);
      expect({ kind: owner?.kind, name: owner?.name, uid: owner?.uid, group: owner?.apiVersion?.split('/')[0] }, `${pod}: controller ownerRef`).toEqual({
        kind: 'StatefulSet',
        name,
        uid: created.metadata.uid,
        group: 'apps.kruise.io',
      });
      const volume = p.spec?.volumes?.find((v) => v.name === 'data');
      expect(volume?.persistentVolumeClaim?.claimName, `${pod}: volume data mounts its own claim; volumes ${JSON.stringify(p.spec?.volumes)}`).toBe(`data-web-${ordinal}`);
      expect(p.spec?.readinessGates?.map((g) => g.conditionType), `${pod}: the pod webhook injects KruisePodReady into pods owned by apps.kruise.io workloads (spec §1.2)`).toContain('KruisePodReady');
    }

    const claims = await waitForClaims(ns.name, (m) => [0, 1, 2].every((o) => m.get(`data-web-${o}`)?.status?.phase === 'Bound'), 'data-web-0..2 Bound');
    for (const o of [0, 1, 2]) {
      const c = claims.get(`data-web-${o}`)!;
      expect({ app: c.metadata?.labels?.app, request: c.spec?.resources?.requests?.storage, class: c.spec?.storageClassName }, renderClaims([c as never])).toEqual({ app: name, request: '1Gi', class: 'expandable' });
    }

    expect(s.status, showSet(s)).toMatchObject({
      replicas: 3,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 3,
      updatedReplicas: 3,
      updatedReadyReplicas: 3,
      updatedAvailableReplicas: 3,
      labelSelector: `app=${name}`,
      observedGeneration: s.metadata.generation,
    });
    const revision = await getObject<V1ControllerRevision & { metadata: NonNullable<V1ControllerRevision['metadata']> }>(CONTROLLER_REVISION, ns.name, s.status!.updateRevision!);
    expect(controllerOf(revision)?.uid, `ControllerRevision ${s.status!.updateRevision} is owned by the set`).toBe(created.metadata.uid);
  });

  it('recreates a deleted pod under the same name, bound to the same PVC', async () => {
    const before = (await setPods(ns.name, name)).find((p) => p.metadata?.name === 'web-1')!;
    const claimBefore = await kube().core.readNamespacedPersistentVolumeClaim({ name: 'data-web-1', namespace: ns.name });
    await deletePod(ns.name, 'web-1');
    const pods = await waitForPodNames(ns.name, name, ['web-0', 'web-1', 'web-2'], (p) => isPodReady(p) && (p.metadata?.name !== 'web-1' || p.metadata.uid !== before.metadata?.uid), 'web-1 back as a new pod and Ready');
    const again = pods.find((p) => p.metadata?.name === 'web-1')!;
    expect({ hostname: again.spec?.hostname, claim: again.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName }).toEqual({ hostname: 'web-1', claim: 'data-web-1' });
    const claimAfter = await kube().core.readNamespacedPersistentVolumeClaim({ name: 'data-web-1', namespace: ns.name });
    expect(claimAfter.metadata?.uid, 'the PVC survived the pod: same UID').toBe(claimBefore.metadata?.uid);
  });

  it('adopts an orphaned pod back and releases a pod whose labels stop matching the selector', async () => {
    const set = await waitSettled(ns.name, name, 3);
    const uid = (await setPods(ns.name, name)).find((p) => p.metadata?.name === 'web-2')!.metadata!.uid;
    const podWait = (predicate: (p: V1Pod | undefined) => boolean, describe: string) =>
      waitForOne<V1Pod & { metadata: NonNullable<V1Pod['metadata']> }>(POD, ns.name, 'web-2', predicate, { timeoutMs: timeouts().statusSync, describe: `pod web-2: ${describe}`, namespace: ns.name, render: (p) => renderPods(p) + `\nownerReferences: ${JSON.stringify(p[0]?.metadata?.ownerReferences)}` });

    await patchPod(ns.name, 'web-2', { metadata: { ownerReferences: null } });
    await podWait((p) => p?.metadata?.uid === uid && controllerOf(p)?.uid === set.metadata.uid, 'orphaned, then adopted again by the set (same pod UID)');

    await labelPod(ns.name, 'web-2', { app: 'released' });
    await podWait((p) => p?.metadata?.uid === uid && !controllerOf(p), 'labels no longer match: released (no controller ownerRef)');

    await labelPod(ns.name, 'web-2', { app: name });
    await podWait((p) => p?.metadata?.uid === uid && controllerOf(p)?.uid === set.metadata.uid, 'labels match again: adopted again');
    await waitSettled(ns.name, name, 3);
  });
});
