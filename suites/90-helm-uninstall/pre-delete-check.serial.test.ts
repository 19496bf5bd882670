/**
 * The chart's pre-delete hook program on its own (spec §8.1; OpenKruise's cmd/helm_hook): what
 * decides whether `helm uninstall` may delete the CRDs, checked without a kubelet. The harness
 * runs the descriptor's `preDeleteCheck` command out of cluster with a token of a ServiceAccount
 * holding exactly the rules the chart gives the hook (harness/hook-check/): by kubeconfig, or for
 * a program that reads only the in-cluster config, in a private mount namespace with the
 * ServiceAccount files where a pod has them. Its exit code and output are the verdict.
 *
 * The lists are cluster-wide, so the file is serial and last, and first waits until no blocking
 * object is left anywhere (other suites' namespaces may still be terminating).
 */
import { V1Deployment, V1StatefulSet } from '@kubernetes/client-node';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { createTestNamespace } from '../../harness/kube/namespace.ts';
import { type PreparedCheck, preparePreDeleteCheck } from '../../harness/hook-check/run.ts';
import { ASTS, ASTS_V1ALPHA1, CLONESET, PODPROBEMARKER, SIDECARSET, WORKLOADSPREAD, createObject, deleteObject, httpCode } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { cloneSet, statefulSet } from '../lib/workloads.ts';
import { ADVANCED_DAEMONSET, advancedDaemonSet, checkSpec, expectBlocked, expectPasses, nonBlocking, served, waitUntilNothingBlocks } from './fixtures.ts';

/** The check program, ready to run as the chart's hook ServiceAccount of namespace `ns`. */
function useCheck(ns: { readonly name: string }): { run: PreparedCheck['run'] } {
  let check: PreparedCheck | undefined;
  beforeAll(async () => {
    await waitUntilNothingBlocks(timeouts().namespaceDelete, 'before the cluster-wide pre-delete check runs');
    check = await preparePreDeleteCheck(kube().kc, checkSpec(), { namespace: ns.name, runId: runEnv().runId });
  });
  afterAll(async () => {
    await check?.dispose();
  });
  afterEach(async () => {
    await waitUntilNothingBlocks(timeouts().namespaceDelete, 'after a test deleted its blocking objects');
  });
  return {
    run: () => {
      if (!check) throw new Error('the pre-delete check was not prepared (see the beforeAll failure)');
      return check.run();
    },
  };
}

const quietly = (p: Promise<unknown>) => p.catch((err: unknown) => (httpCode(err) === 404 ? undefined : Promise.reject(err)));

describeFeature('Helm.PreDeleteCheck', "the chart's pre-delete hook program, with its chart's RBAC, blocks on CloneSets and Advanced StatefulSets anywhere and on nothing else", () => {
  const ns = useNamespace('hook-check');
  const check = useCheck(ns);

  it('passes on a clean cluster: no CloneSet, Advanced StatefulSet or Advanced DaemonSet in any namespace', async () => {
    expectPasses(await check.run(), 'a clean cluster');
  });

  it('blocks while a CloneSet exists, naming CloneSets', async () => {
    await createObject(CLONESET, ns.name, cloneSet('blocker', { replicas: 0 }));
    try {
      expectBlocked(await check.run(), 'CloneSet', `CloneSet ${ns.name}/blocker exists`);
    } finally {
      await quietly(deleteObject(CLONESET, ns.name, 'blocker'));
    }
  });

  it('blocks while an Advanced StatefulSet created as apps.kruise.io/v1beta1 exists, naming StatefulSets', async () => {
    await createObject(ASTS, ns.name, statefulSet('beta', { replicas: 0 }));
    try {
      expectBlocked(await check.run(), 'StatefulSet', `Advanced StatefulSet ${ns.name}/beta (written as v1beta1) exists`);
    } finally {
      await quietly(deleteObject(ASTS, ns.name, 'beta'));
    }
  });

  it('blocks while an Advanced StatefulSet created as apps.kruise.io/v1alpha1 exists, naming StatefulSets', async () => {
    await createObject(ASTS_V1ALPHA1, ns.name, statefulSet('alpha', { replicas: 0 }));
    try {
      expectBlocked(await check.run(), 'StatefulSet', `Advanced StatefulSet ${ns.name}/alpha (written as v1alpha1) exists`);
    } finally {
      await quietly(deleteObject(ASTS_V1ALPHA1, ns.name, 'alpha'));
    }
  });

  it('does not block with only a SidecarSet, WorkloadSpread, PodProbeMarker and apps/v1 Deployment and StatefulSet present', async () => {
    const { apps } = kube();
    const sidecarSet = `${ns.name}-sidecars`;
    const deployment: V1Deployment = { metadata: { name: 'web' }, spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: nonBlocking.podTemplate('web') } };
    const sts: V1StatefulSet = { metadata: { name: 'db' }, spec: { replicas: 0, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: nonBlocking.podTemplate('db') } };
    await apps.createNamespacedDeployment({ namespace: ns.name, body: deployment });
    await apps.createNamespacedStatefulSet({ namespace: ns.name, body: sts });
    await createObject(SIDECARSET, undefined, nonBlocking.sidecarSet(sidecarSet, ns.name));
    try {
      await createObject(WORKLOADSPREAD, ns.name, nonBlocking.workloadSpread('spread', 'web'));
      await createObject(PODPROBEMARKER, ns.name, nonBlocking.podProbeMarker('probes'));
      expectPasses(await check.run(), `only SidecarSet ${sidecarSet}, WorkloadSpread, PodProbeMarker, apps/v1 Deployment and StatefulSet in ${ns.name}`);
    } finally {
      await quietly(deleteObject(SIDECARSET, undefined, sidecarSet));
    }
  });

  it('blocks on a CloneSet in a namespace other than the hook\'s own: the lists are cluster-wide', async () => {
    const other = await createTestNamespace(kube().kc, 'kc-hook-check-other', runEnv().runId);
    try {
      await createObject(CLONESET, other.name, cloneSet('elsewhere', { replicas: 0 }));
      expectBlocked(await check.run(), 'CloneSet', `CloneSet ${other.name}/elsewhere exists (the hook's ServiceAccount lives in ${ns.name})`);
    } finally {
      await other.delete();
    }
  });
});

// A separate feature: only an implementation that serves Advanced DaemonSet can show its hook checks it.
describeFeature('Helm.PreDeleteCheckDaemonSet', "the chart's pre-delete hook program blocks on Advanced DaemonSets", () => {
  const ns = useNamespace('hook-check-ads');
  const check = useCheck(ns);

  it('blocks while an Advanced DaemonSet exists, naming DaemonSets', async () => {
    expect(await served(ADVANCED_DAEMONSET), `${runEnv().implementation.name} claims Helm.PreDeleteCheckDaemonSet, which needs apps.kruise.io/v1alpha1 daemonsets served`).toBe(true);
    await createObject(ADVANCED_DAEMONSET, ns.name, advancedDaemonSet('agent'));
    try {
      expectBlocked(await check.run(), 'DaemonSet', `Advanced DaemonSet ${ns.name}/agent exists`);
    } finally {
      await quietly(deleteObject(ADVANCED_DAEMONSET, ns.name, 'agent'));
    }
  });
});
