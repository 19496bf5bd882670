/**
 * Deletion protection of workloads (gate ResourcesDeletionProtection; spec §7; OpenKruise e2e
 * "CloneSet should be protected", "Deployment should be protected"): the label
 * policy.kruise.io/delete-protection=Always refuses every delete, Cascading refuses it while
 * spec.replicas > 0 (the field, not the pods). Covered: CloneSet, Advanced StatefulSet (both served
 * versions), apps/v1 Deployment, ReplicaSet and StatefulSet. Pinned from OpenKruise 1.8.3's code:
 * any other label value protects nothing, and kinds without a deletion webhook (apps/v1 DaemonSet,
 * ConfigMap, Advanced DaemonSet, whose webhook has no DELETE verb) are deleted even with Always.
 */
import type { V1DaemonSet, V1Deployment, V1ReplicaSet, V1StatefulSet } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, it } from 'vitest';
import { ASTS, ASTS_V1ALPHA1, CLONESET, createObject, deleteObject, getObject, patchObject, type Resource } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { cloneSet, container, statefulSet } from '../lib/workloads.ts';
import { expectDeleteAllowed, expectDeletedOrTerminating, expectDeleteRefused, expectSurvived, protectedBy, UNPROTECT, unprotectAll } from './fixtures.ts';

const ADVANCED_DAEMONSET: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true };
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
/** Pods of the pinned-but-unprotected daemon sets would land on every node; this matches none. */
const NO_NODE = { 'kruise-conformance.io/no-such-node': 'true' };

function podTemplate(name: string) {
  return { metadata: { labels: { app: name } }, spec: { containers: [container()] } };
}

describeFeature('DeletionProtection.Workloads', 'protected workloads cannot be deleted', () => {
  const ns = useNamespace('dp-workloads');
  afterAll(() => unprotectAll(ns.name));
  const custom = (r: Resource, name: string) => ({
    del: () => deleteObject(r, ns.name, name),
    read: () => getObject(r, ns.name, name),
  });

  it('CloneSet with Always: delete refused and the CloneSet kept, allowed once the label is removed', async () => {
    await createObject(CLONESET, ns.name, protectedBy(cloneSet('always', { replicas: 0 }), 'Always'));
    const cs = custom(CLONESET, 'always');
    await expectDeleteRefused(cs.del, 'Always', undefined, 'deleting a CloneSet labelled Always (replicas 0)');
    await expectSurvived(cs.read, 'the CloneSet labelled Always');
    await patchObject(CLONESET, ns.name, 'always', UNPROTECT);
    await expectDeleteAllowed(cs.del, 'deleting the CloneSet after removing the label');
    await expectDeletedOrTerminating(cs.read, 'the unprotected CloneSet');
  });

  it('CloneSet with Cascading: delete refused while replicas > 0, allowed at replicas 0', async () => {
    await createObject(CLONESET, ns.name, protectedBy(cloneSet('cascading', { replicas: 2 }), 'Cascading'));
    const cs = custom(CLONESET, 'cascading');
    await expectDeleteRefused(cs.del, 'Cascading', 'replicas 2>0', 'deleting a Cascading CloneSet with replicas 2');
    await expectSurvived(cs.read, 'the Cascading CloneSet');
    // Cascading looks at spec.replicas, not at the pods: scaling to 0 lifts it at once.
    await patchObject(CLONESET, ns.name, 'cascading', { spec: { replicas: 0 } });
    await expectDeleteAllowed(cs.del, 'deleting the Cascading CloneSet at replicas 0');
    await expectDeletedOrTerminating(cs.read, 'the Cascading CloneSet at replicas 0');
  });

  it('Advanced StatefulSet with Always: delete refused through v1beta1 and v1alpha1, allowed once the label is removed', async () => {
    await createObject(ASTS, ns.name, protectedBy(statefulSet('asts-always', { replicas: 0 }), 'Always'));
    await expectDeleteRefused(custom(ASTS, 'asts-always').del, 'Always', undefined, 'deleting an Advanced StatefulSet labelled Always through apps.kruise.io/v1beta1');
    await expectDeleteRefused(custom(ASTS_V1ALPHA1, 'asts-always').del, 'Always', undefined, 'deleting the same Advanced StatefulSet through apps.kruise.io/v1alpha1');
    await expectSurvived(custom(ASTS, 'asts-always').read, 'the Advanced StatefulSet labelled Always');
    await patchObject(ASTS, ns.name, 'asts-always', UNPROTECT);
    await expectDeleteAllowed(custom(ASTS, 'asts-always').del, 'deleting the Advanced StatefulSet after removing the label');
    await expectDeletedOrTerminating(custom(ASTS, 'asts-always').read, 'the unprotected Advanced StatefulSet');
  });

  it('Advanced StatefulSet with Cascading: delete refused while replicas > 0, allowed at replicas 0', async () => {
    await createObject(ASTS, ns.name, protectedBy(statefulSet('asts-cascading', { replicas: 1 }), 'Cascading'));
    const sts = custom(ASTS, 'asts-cascading');
    await expectDeleteRefused(sts.del, 'Cascading', 'replicas 1>0', 'deleting a Cascading Advanced StatefulSet with replicas 1');
    await expectSurvived(sts.read, 'the Cascading Advanced StatefulSet');
    await patchObject(ASTS, ns.name, 'asts-cascading', { spec: { replicas: 0 } });
    await expectDeleteAllowed(sts.del, 'deleting the Cascading Advanced StatefulSet at replicas 0');
    await expectDeletedOrTerminating(sts.read, 'the Cascading Advanced StatefulSet at replicas 0');
  });

  it('Deployment: Always refused, then Cascading refused at replicas 2, allowed at replicas 0', async () => {
    const { apps } = kube();
    const name = 'deploy';
    const body: V1Deployment = protectedBy({ metadata: { name }, spec: { replicas: 0, selector: { matchLabels: { app: name } }, template: podTemplate(name) } }, 'Always');
    await apps.createNamespacedDeployment({ namespace: ns.name, body });
    const del = () => apps.deleteNamespacedDeployment({ namespace: ns.name, name });
    const read = () => apps.readNamespacedDeployment({ namespace: ns.name, name });
    await expectDeleteRefused(del, 'Always', undefined, 'deleting a Deployment labelled Always (replicas 0)');
    await expectSurvived(read, 'the Deployment labelled Always');
    // As the e2e does: switch to Cascading and scale to 2 in one patch.
    await apps.patchNamespacedDeployment({ namespace: ns.name, name, body: protectedBy({ metadata: {}, spec: { replicas: 2 } }, 'Cascading') }, mergePatch);
    await expectDeleteRefused(del, 'Cascading', 'replicas 2>0', 'deleting a Cascading Deployment with replicas 2');
    await expectSurvived(read, 'the Cascading Deployment');
    await apps.patchNamespacedDeployment({ namespace: ns.name, name, body: { spec: { replicas: 0 } } }, mergePatch);
    await expectDeleteAllowed(del, 'deleting the Cascading Deployment at replicas 0');
    await expectDeletedOrTerminating(read, 'the Cascading Deployment at replicas 0');
  });

  it('apps/v1 StatefulSet: Always refused until the label is removed; Cascading refused at replicas 1, allowed at 0', async () => {
    const { apps } = kube();
    const sts = (name: string, value: string, replicas: number): V1StatefulSet =>
      protectedBy({ metadata: { name }, spec: { replicas, serviceName: name, selector: { matchLabels: { app: name } }, template: podTemplate(name) } }, value);
    await apps.createNamespacedStatefulSet({ namespace: ns.name, body: sts('sts-always', 'Always', 0) });
    await apps.createNamespacedStatefulSet({ namespace: ns.name, body: sts('sts-cascading', 'Cascading', 1) });
    const del = (name: string) => () => apps.deleteNamespacedStatefulSet({ namespace: ns.name, name });
    const read = (name: string) => () => apps.readNamespacedStatefulSet({ namespace: ns.name, name });

    await expectDeleteRefused(del('sts-always'), 'Always', undefined, 'deleting an apps/v1 StatefulSet labelled Always');
    await expectSurvived(read('sts-always'), 'the apps/v1 StatefulSet labelled Always');
    await apps.patchNamespacedStatefulSet({ namespace: ns.name, name: 'sts-always', body: UNPROTECT }, mergePatch);
    await expectDeleteAllowed(del('sts-always'), 'deleting the apps/v1 StatefulSet after removing the label');
    await expectDeletedOrTerminating(read('sts-always'), 'the unprotected apps/v1 StatefulSet');

    await expectDeleteRefused(del('sts-cascading'), 'Cascading', 'replicas 1>0', 'deleting a Cascading apps/v1 StatefulSet with replicas 1');
    await expectSurvived(read('sts-cascading'), 'the Cascading apps/v1 StatefulSet');
    await apps.patchNamespacedStatefulSet({ namespace: ns.name, name: 'sts-cascading', body: { spec: { replicas: 0 } } }, mergePatch);
    await expectDeleteAllowed(del('sts-cascading'), 'deleting the Cascading apps/v1 StatefulSet at replicas 0');
  });

  it('apps/v1 ReplicaSet: Always refused until the label is removed; Cascading refused at replicas 1, allowed at 0', async () => {
    const { apps } = kube();
    const rs = (name: string, value: string, replicas: number): V1ReplicaSet =>
      protectedBy({ metadata: { name }, spec: { replicas, selector: { matchLabels: { app: name } }, template: podTemplate(name) } }, value);
    await apps.createNamespacedReplicaSet({ namespace: ns.name, body: rs('rs-always', 'Always', 0) });
    await apps.createNamespacedReplicaSet({ namespace: ns.name, body: rs('rs-cascading', 'Cascading', 1) });
    const del = (name: string) => () => apps.deleteNamespacedReplicaSet({ namespace: ns.name, name });
    const read = (name: string) => () => apps.readNamespacedReplicaSet({ namespace: ns.name, name });

    await expectDeleteRefused(del('rs-always'), 'Always', undefined, 'deleting a ReplicaSet labelled Always');
    await expectSurvived(read('rs-always'), 'the ReplicaSet labelled Always');
    await apps.patchNamespacedReplicaSet({ namespace: ns.name, name: 'rs-always', body: UNPROTECT }, mergePatch);
    await expectDeleteAllowed(del('rs-always'), 'deleting the ReplicaSet after removing the label');

    await expectDeleteRefused(del('rs-cascading'), 'Cascading', 'replicas 1>0', 'deleting a Cascading ReplicaSet with replicas 1');
    await expectSurvived(read('rs-cascading'), 'the Cascading ReplicaSet');
    await apps.patchNamespacedReplicaSet({ namespace: ns.name, name: 'rs-cascading', body: { spec: { replicas: 0 } } }, mergePatch);
    await expectDeleteAllowed(del('rs-cascading'), 'deleting the Cascading ReplicaSet at replicas 0');
    await expectDeletedOrTerminating(read('rs-cascading'), 'the Cascading ReplicaSet at replicas 0');
  });

  it('a label value other than Always or Cascading ("always", "") protects nothing', async () => {
    const { apps } = kube();
    await createObject(CLONESET, ns.name, protectedBy(cloneSet('lower-case', { replicas: 1 }), 'always'));
    await expectDeleteAllowed(custom(CLONESET, 'lower-case').del, 'deleting a CloneSet labelled "always" (values are case-sensitive)');
    await expectDeletedOrTerminating(custom(CLONESET, 'lower-case').read, 'the CloneSet labelled "always"');
    const body: V1Deployment = protectedBy({ metadata: { name: 'empty-value' }, spec: { replicas: 1, selector: { matchLabels: { app: 'empty-value' } }, template: podTemplate('empty-value') } }, '');
    await apps.createNamespacedDeployment({ namespace: ns.name, body });
    await expectDeleteAllowed(() => apps.deleteNamespacedDeployment({ namespace: ns.name, name: 'empty-value' }), 'deleting a Deployment whose protection label is empty');
  });

  it('kinds OpenKruise 1.8 does not protect (apps/v1 DaemonSet, ConfigMap) are deleted even when labelled Always', async () => {
    const { apps, core } = kube();
    const ds: V1DaemonSet = protectedBy(
      { metadata: { name: 'ds' }, spec: { selector: { matchLabels: { app: 'ds' } }, template: { ...podTemplate('ds'), spec: { containers: [container()], nodeSelector: NO_NODE } } } },
      'Always',
    );
    await apps.createNamespacedDaemonSet({ namespace: ns.name, body: ds });
    await expectDeleteAllowed(() => apps.deleteNamespacedDaemonSet({ namespace: ns.name, name: 'ds' }), 'deleting an apps/v1 DaemonSet labelled Always');
    await expectDeletedOrTerminating(() => apps.readNamespacedDaemonSet({ namespace: ns.name, name: 'ds' }), 'the apps/v1 DaemonSet labelled Always');
    await core.createNamespacedConfigMap({ namespace: ns.name, body: protectedBy({ metadata: { name: 'cm' }, data: { a: 'b' } }, 'Always') });
    await expectDeleteAllowed(() => core.deleteNamespacedConfigMap({ namespace: ns.name, name: 'cm' }), 'deleting a ConfigMap labelled Always');
  });
});

// A separate feature: only an implementation that serves Advanced DaemonSet can show it is not protected.
describeFeature('DeletionProtection.AdvancedDaemonSet', 'Advanced DaemonSets are not deletion-protected in 1.8', () => {
  const ns = useNamespace('dp-ads');
  const custom = (r: Resource, name: string) => ({
    del: () => deleteObject(r, ns.name, name),
    read: () => getObject(r, ns.name, name),
  });

  it('an Advanced DaemonSet labelled Always is deleted: its webhook has no DELETE verb in 1.8', async () => {
    const body = protectedBy(
      { metadata: { name: 'ads' }, spec: { selector: { matchLabels: { app: 'ads' } }, template: { ...podTemplate('ads'), spec: { containers: [container()], nodeSelector: NO_NODE } } } },
      'Always',
    );
    await createObject(ADVANCED_DAEMONSET, ns.name, body);
    await expectDeleteAllowed(custom(ADVANCED_DAEMONSET, 'ads').del, 'deleting an Advanced DaemonSet labelled Always');
    await expectDeletedOrTerminating(custom(ADVANCED_DAEMONSET, 'ads').read, 'the Advanced DaemonSet labelled Always');
  });
});
