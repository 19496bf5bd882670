/**
 * The last file of the run: `helm uninstall` of the implementation's release, with its chart's
 * real pre-delete hook Job (spec §8.1). Refused uninstalls come first: while a CloneSet or an
 * Advanced StatefulSet (written as v1beta1 or v1alpha1) exists, helm fails naming the failed hook
 * Job, and the release, its CRDs, manager and webhook configurations, and the workloads survive,
 * with the failed Job left for `kubectl logs`; the implementation still works after it. Last, with
 * only non-blocking kinds left, the one real uninstall: the release, CRDs and webhooks are gone.
 * Needs a Helm install (fails, not skips, on any other) and real containers (RealKubelet).
 */
import { BatchV1Api, PatchStrategy, setHeaderOptions, type V1Job, type V1Pod } from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import { describeHelm, failedHookJob, type HelmRelease, helmReleaseOf, type ReleaseObject } from '../../harness/install/helm-release.ts';
import { ASTS, ASTS_V1ALPHA1, CLONESET, type Obj, type Resource, SIDECARSET, WORKLOADSPREAD, createObject, deleteObject, getObject, httpCode, patchObject, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { IMAGE_V2, cloneSet, cloneSetSettled, podsOf, statefulSet, waitForCloneSet, waitForReadyPods } from '../lib/workloads.ts';
import { type BlockingKind, NAMES, nonBlocking, waitUntilNothingBlocks } from './fixtures.ts';

const CRD: Resource = { group: 'apiextensions.k8s.io', version: 'v1', plural: 'customresourcedefinitions', kind: 'CustomResourceDefinition', namespaced: false };
const MUTATING: Resource = { group: 'admissionregistration.k8s.io', version: 'v1', plural: 'mutatingwebhookconfigurations', kind: 'MutatingWebhookConfiguration', namespaced: false };
const VALIDATING: Resource = { ...MUTATING, plural: 'validatingwebhookconfigurations', kind: 'ValidatingWebhookConfiguration' };
const DEPLOYMENT: Resource = { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment', namespaced: true };
const KEPT: Record<string, Resource> = { CustomResourceDefinition: CRD, MutatingWebhookConfiguration: MUTATING, ValidatingWebhookConfiguration: VALIDATING, Deployment: DEPLOYMENT };

describeFeature('Helm.PreDeleteHook', 'helm uninstall is refused while workloads exist, and goes through once only other kinds remain', () => {
  const ns = useNamespace('helm-hook');
  let helm: HelmRelease;
  /** The CRDs, manager Deployments and webhook configurations of the release. */
  let kept: ReleaseObject[] = [];
  const uninstallTimeout = () => timeouts().rolloutComplete;

  beforeAll(async () => {
    helm = helmReleaseOf(runEnv());
    const objects = await helm.manifest();
    kept = objects.filter((o) => KEPT[o.kind]);
    for (const kind of ['CustomResourceDefinition', 'Deployment'] as const) {
      expect(kept.some((o) => o.kind === kind), `the release ${helm.release} has a ${kind} (its manifest: ${objects.map((o) => `${o.kind}/${o.name}`).join(', ')})`).toBe(true);
    }
  });

  /** Everything the release installed that an uninstall would delete is still there, not deleting. */
  async function expectReleaseIntact(after: string): Promise<void> {
    const st = await helm.status();
    // Helm stores the release as "uninstalling" before it runs the pre-delete hooks (pkg/action:
    // Uninstall.Run marks it, execHook records it), and a failed hook leaves it so; still there.
    expect(['deployed', 'uninstalling'], `after ${after}, the release is still there (helm status):\n${describeHelm(st)}`).toContain(st.status);
    for (const o of kept) {
      const live = await getObject<Obj & { status?: { availableReplicas?: number } }>(KEPT[o.kind]!, o.namespace, o.name).catch((err: unknown) => {
        throw new Error(`after ${after}, ${o.kind} ${o.namespace ? `${o.namespace}/` : ''}${o.name} of the release must survive, but reading it failed (HTTP ${httpCode(err)})`);
      });
      expect(live.metadata.deletionTimestamp, `after ${after}, ${o.kind} ${o.name} is not being deleted`).toBeUndefined();
      if (o.kind === 'Deployment') expect(live.status?.availableReplicas ?? 0, `after ${after}, the manager Deployment ${o.name} still has available replicas`).toBeGreaterThan(0);
    }
  }

  /** helm uninstall fails naming a failed pre-delete hook Job of the release, whose pod's log names `kind`. */
  async function expectRefused(kind: BlockingKind, what: string): Promise<void> {
    const r = await helm.uninstall(uninstallTimeout());
    expect(r.exitCode, `helm uninstall must fail while ${what}:\n${describeHelm(r)}`).not.toBe(0);
    const failed = failedHookJob(r.output);
    expect(failed, `helm must name the failed hook Job ("job <name> failed: <reason>"):\n${describeHelm(r)}`).toBeDefined();
    const batch = kube().kc.makeApiClient(BatchV1Api);
    const job: V1Job = await batch.readNamespacedJob({ namespace: helm.namespace, name: failed!.job });
    expect(job.metadata?.annotations?.['helm.sh/hook'] ?? '', `Job ${failed!.job} is a pre-delete hook of the chart`).toContain('pre-delete');
    expect(job.status?.conditions?.find((c) => c.type === 'Failed')?.status, `the hook Job ${failed!.job} stays, Failed, for kubectl logs`).toBe('True');
    const pods = await kube().core.listNamespacedPod({ namespace: helm.namespace, labelSelector: `job-name=${failed!.job}` });
    // Only this Job's pod: a previous attempt's Job of the same name may still be going away.
    const pod: V1Pod | undefined = pods.items.find((p) => p.metadata?.ownerReferences?.some((o) => o.uid === job.metadata?.uid));
    expect(pod, `the hook Job ${failed!.job} keeps its pod`).toBeDefined();
    const log = await kube().core.readNamespacedPodLog({ namespace: helm.namespace, name: pod!.metadata!.name! });
    expect(log, `the log of the hook pod ${pod!.metadata!.name} names the ${kind}s that block the uninstall`).toMatch(NAMES[kind]);
    await expectReleaseIntact(`the refused uninstall (${what})`);
  }

  it('refuses while a CloneSet with running pods exists: helm names the failed pre-delete hook Job, whose log names CloneSets; release, CRDs, manager, webhooks, the CloneSet and its pods survive', async () => {
    await createObject(CLONESET, ns.name, cloneSet('web', { replicas: 2, updateStrategy: { type: 'InPlaceIfPossible' } }));
    const before = await waitForReadyPods(ns.name, podsOf('web'), 2);
    await expectRefused('CloneSet', `CloneSet ${ns.name}/web has 2 running pods`);
    const cs = await getObject<CloneSet>(CLONESET, ns.name, 'web');
    expect(cs.metadata.deletionTimestamp, 'the CloneSet survives the refused uninstall').toBeUndefined();
    const after = await waitForReadyPods(ns.name, podsOf('web'), 2);
    expect(after.map((p) => p.metadata?.uid).sort(), 'the same two pods, still Ready').toEqual(before.map((p) => p.metadata?.uid).sort());
  });

  it('still works after a refused uninstall: the CloneSet scales up to Ready pods and an in-place image update completes', async () => {
    await patchObject(CLONESET, ns.name, 'web', { spec: { replicas: 3 } });
    const scaled = await waitForReadyPods(ns.name, podsOf('web'), 3);
    // A JSON patch of the image alone, so that nothing but the image changes and the update is in place.
    await kube().custom.patchNamespacedCustomObject(
      { group: CLONESET.group, version: CLONESET.version, namespace: ns.name, plural: CLONESET.plural, name: 'web', body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: IMAGE_V2 }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    await waitForCloneSet(ns.name, 'web', (cs) => cs.status?.observedGeneration === cs.metadata.generation && cloneSetSettled(3)(cs), 'the in-place update to complete on 3 pods');
    const updated = await waitForReadyPods(ns.name, podsOf('web'), 3);
    expect(updated.map((p) => p.metadata?.uid).sort(), 'updated in place: the same pods').toEqual(scaled.map((p) => p.metadata?.uid).sort());
    for (const p of updated) expect(p.spec?.containers.find((c) => c.name === 'main')?.image, `image of ${p.metadata?.name}`).toBe(IMAGE_V2);
    await deleteObject(CLONESET, ns.name, 'web');
  });

  it('refuses while an Advanced StatefulSet written as apps.kruise.io/v1beta1 exists, and keeps it', async () => {
    await createObject(ASTS, ns.name, statefulSet('beta', { replicas: 0 }));
    await expectRefused('StatefulSet', `Advanced StatefulSet ${ns.name}/beta (v1beta1) exists`);
    expect((await getObject(ASTS, ns.name, 'beta')).metadata.deletionTimestamp, 'the Advanced StatefulSet survives').toBeUndefined();
    await deleteObject(ASTS, ns.name, 'beta');
  });

  it('refuses while an Advanced StatefulSet written as apps.kruise.io/v1alpha1 exists, and keeps it', async () => {
    await createObject(ASTS_V1ALPHA1, ns.name, statefulSet('alpha', { replicas: 0 }));
    await expectRefused('StatefulSet', `Advanced StatefulSet ${ns.name}/alpha (v1alpha1) exists`);
    expect((await getObject(ASTS_V1ALPHA1, ns.name, 'alpha')).metadata.deletionTimestamp, 'the Advanced StatefulSet survives').toBeUndefined();
    await deleteObject(ASTS_V1ALPHA1, ns.name, 'alpha');
  });

  it('uninstalls with only a SidecarSet and a WorkloadSpread left: the release, its CRDs and webhook configurations are gone', async () => {
    await waitUntilNothingBlocks(timeouts().namespaceDelete, 'before the uninstall that must go through');
    await kube().apps.createNamespacedDeployment({ namespace: ns.name, body: { metadata: { name: 'spread' }, spec: { replicas: 0, selector: { matchLabels: { app: 'spread' } }, template: nonBlocking.podTemplate('spread') } } });
    await createObject(SIDECARSET, undefined, nonBlocking.sidecarSet(`${ns.name}-sidecars`, ns.name));
    await createObject(WORKLOADSPREAD, ns.name, nonBlocking.workloadSpread('spread', 'spread'));
    const r = await helm.uninstall(uninstallTimeout());
    expect(r.exitCode, `helm uninstall with only non-blocking kinds present must succeed:\n${describeHelm(r)}`).toBe(0);
    const st = await helm.status();
    expect(st.exitCode, `the release is gone: helm status must fail:\n${describeHelm(st)}`).not.toBe(0);
    for (const kind of ['CustomResourceDefinition', 'MutatingWebhookConfiguration', 'ValidatingWebhookConfiguration'] as const) {
      const names = kept.filter((o) => o.kind === kind).map((o) => o.name);
      if (names.length === 0) continue;
      await waitForAll(KEPT[kind]!, undefined, undefined, (items) => !items.some((i) => names.includes(i.metadata.name ?? '')), {
        timeoutMs: timeouts().namespaceDelete,
        describe: `the release's ${kind}s (${names.join(', ')}) to be gone after the uninstall`,
        render: (items) => items.filter((i) => names.includes(i.metadata.name ?? '')).map((i) => `  ${i.metadata.name} deleting=${Boolean(i.metadata.deletionTimestamp)} finalizers=${JSON.stringify(i.metadata.finalizers ?? [])}`).join('\n'),
      });
    }
    const gone = await getObject(SIDECARSET, undefined, `${ns.name}-sidecars`).then(
      () => 'still served',
      (err: unknown) => httpCode(err),
    );
    expect(gone, 'with its CRD gone, the SidecarSet API answers 404').toBe(404);
  });
});
