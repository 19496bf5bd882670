/**
 * Deletion protection of workloads (gate ResourcesDeletionProtection; spec §7; OpenKruise e2e
 * "CloneSet should be protected", "Deployment should be protected"): label
 * policy.kruise.io/delete-protection=Always blocks every delete, Cascading blocks it while
 * spec.replicas > 0. The rejection must name the label.
 */
import { PatchStrategy, setHeaderOptions, type V1Deployment } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { ASTS, CLONESET, createObject, deleteObject, getObject, httpCode, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { cloneSet, container, statefulSet } from '../lib/workloads.ts';

export const PROTECTION = 'policy.kruise.io/delete-protection';

function labelled(body: Record<string, unknown>, value: string): Record<string, unknown> {
  const metadata = body.metadata as Record<string, unknown>;
  return { ...body, metadata: { ...metadata, labels: { [PROTECTION]: value } } };
}

describeFeature('DeletionProtection.Workloads', 'protected workloads cannot be deleted', () => {
  const ns = useNamespace('dp-workloads');

  it('CloneSet with Always: delete rejected until the label is removed', async () => {
    await createObject(CLONESET, ns.name, labelled(cloneSet('always', { replicas: 0 }), 'Always'));
    await expectRejected(() => deleteObject(CLONESET, ns.name, 'always'), PROTECTION, 'deleting a CloneSet labelled Always');
    await patchObject(CLONESET, ns.name, 'always', { metadata: { labels: { [PROTECTION]: null } } });
    await deleteObject(CLONESET, ns.name, 'always');
  });

  it('CloneSet with Cascading: delete rejected while replicas > 0, allowed at 0', async () => {
    await createObject(CLONESET, ns.name, labelled(cloneSet('cascading', { replicas: 1 }), 'Cascading'));
    await expectRejected(() => deleteObject(CLONESET, ns.name, 'cascading'), PROTECTION, 'deleting a Cascading CloneSet with replicas 1');
    // Cascading looks at spec.replicas, not at the pods: scaling to 0 lifts it at once.
    await patchObject(CLONESET, ns.name, 'cascading', { spec: { replicas: 0 } });
    await deleteObject(CLONESET, ns.name, 'cascading');
    // Deletion is accepted; the object goes once its finalizers (if any) are done.
    expect(await getObject(CLONESET, ns.name, 'cascading').then((o) => !!o.metadata.deletionTimestamp, (e: unknown) => httpCode(e) === 404), 'the CloneSet is being deleted or gone').toBe(true);
  });

  it('Advanced StatefulSet with Cascading: delete rejected while replicas > 0', async () => {
    await createObject(ASTS, ns.name, labelled(statefulSet('sts', { replicas: 1 }), 'Cascading'));
    await expectRejected(() => deleteObject(ASTS, ns.name, 'sts'), PROTECTION, 'deleting a Cascading Advanced StatefulSet with replicas 1');
    // Unprotect, or the namespace could not be cleaned up.
    await patchObject(ASTS, ns.name, 'sts', { metadata: { labels: { [PROTECTION]: null } } });
  });

  it('Deployment with Always and with Cascading', async () => {
    const { apps } = kube();
    const deployment = (name: string, value: string, replicas: number): V1Deployment => ({
      metadata: { name, labels: { [PROTECTION]: value } },
      spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [container()] } } },
    });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('d-always', 'Always', 0) });
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment('d-cascading', 'Cascading', 1) });
    await expectRejected(() => apps.deleteNamespacedDeployment({ namespace: ns.name, name: 'd-always' }), PROTECTION, 'deleting a Deployment labelled Always');
    await expectRejected(() => apps.deleteNamespacedDeployment({ namespace: ns.name, name: 'd-cascading' }), PROTECTION, 'deleting a Cascading Deployment with replicas 1');
    await apps.patchNamespacedDeployment({ namespace: ns.name, name: 'd-cascading', body: { spec: { replicas: 0 } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await apps.deleteNamespacedDeployment({ namespace: ns.name, name: 'd-cascading' });
    await apps.patchNamespacedDeployment({ namespace: ns.name, name: 'd-always', body: { metadata: { labels: { [PROTECTION]: null } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  });
});
