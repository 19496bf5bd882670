/**
 * The preDelete lifecycle hook of Advanced DaemonSets (OpenKruise e2e "should upgrade one by one
 * on steps if there is pre-delete hook" [Conformance]; spec digest §1.2): a pod that the rollout
 * would delete and that carries the hook's label is moved to PreparingDelete instead and kept
 * until the label is removed; with maxUnavailable 1 only one pod is held at a time, and no pod is
 * deleted while it is held.
 */
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { afterEach, expect, it } from 'vitest';
import { isPodReady, type InvariantMonitor } from '../../harness/kube/invariants.ts';
import { ADVANCED_DAEMONSET, createObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { activePods, container } from '../lib/workloads.ts';
import {
  daemonSetSettled,
  daemonSetWith,
  expectPodsHold,
  jsonPatchDaemonSet,
  nodeOf,
  onePerNode,
  renderDaemonPods,
  requireNodes,
  rollingUpdate,
  startNodeMonitor,
  uidsOf,
  waitDaemonPods,
  waitForDaemonSet,
  watched,
} from './fixtures.ts';

const LIFECYCLE_STATE = 'lifecycle.apps.kruise.io/state';
const HOOK = 'kruise-conformance.io/pre-delete';
const stateOf = (p: V1Pod) => p.metadata?.labels?.[LIFECYCLE_STATE];
const preparingDelete = (pods: readonly V1Pod[]) => pods.filter((p) => stateOf(p) === 'PreparingDelete');
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

let monitor: InvariantMonitor | undefined;
afterEach(async () => {
  await monitor?.stop().catch(() => {});
  monitor = undefined;
});

describeFeature('DaemonSet.Lifecycle', 'preDelete hook holds pods before deletion', () => {
  const ns = useNamespace('ads-lifecycle');

  it('an env change under a preDelete labelsHandler: one pod at a time goes PreparingDelete and stays until its hook label is removed, then it is replaced', async () => {
    const nodes = await requireNodes(2);
    const name = 'hooked';
    const body = daemonSetWith(name, { updateStrategy: rollingUpdate({ rollingUpdateType: 'Standard', maxUnavailable: 1 }), lifecycle: { preDelete: { labelsHandler: { [HOOK]: 'true' } } } }) as {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    body.spec.template.metadata.labels[HOOK] = 'true';
    await createObject(ADVANCED_DAEMONSET, ns.name, body);
    const pods = await waitDaemonPods(ns.name, name, onePerNode(nodes, isPodReady), 'one Ready pod per node', timeouts().podsReady);
    const ds = await waitForDaemonSet(ns.name, name, daemonSetSettled(nodes.length), 'all nodes Ready', timeouts().podsReady);
    const originals = uidsOf(pods);

    const isNew = (p: V1Pod) => p.spec?.containers[0]?.env?.some((e) => e.name === 'STEP' && e.value === '2') ?? false;
    const started = await startNodeMonitor(ns.name, name, { nodes, maxUnavailable: 1, maxSurge: 0 }, isNew);
    monitor = started.monitor;
    await jsonPatchDaemonSet(ns.name, name, [{ op: 'replace', path: '/spec/template/spec/containers/0', value: container({ env: [{ name: 'STEP', value: '2' }] }) }]);
    await watched(monitor, waitForDaemonSet(ns.name, name, (d) => d.status?.daemonSetHash !== ds.status?.daemonSetHash, 'the new revision observed', timeouts().statusSync));
    const held = await watched(
      monitor,
      waitDaemonPods(ns.name, name, (all) => preparingDelete(all).length === 1, `exactly one pod in ${LIFECYCLE_STATE}=PreparingDelete`, timeouts().rolloutProgress),
    );
    const heldPod = preparingDelete(held)[0]!;
    const unchanged = (all: V1Pod[]) => all.length === nodes.length && activePods(all).length === nodes.length && [...uidsOf(all)].every((u) => originals.has(u)) && preparingDelete(all).length === 1;
    await watched(monitor, expectPodsHold(ns.name, name, unchanged, 'held by the hook: the original pods all there, none terminating, exactly one PreparingDelete'));

    await kube().core.patchNamespacedPod({ namespace: ns.name, name: heldPod.metadata!.name!, body: { metadata: { labels: { [HOOK]: null } } } }, mergePatch);
    const node = nodeOf(heldPod)!;
    const after = await watched(
      monitor,
      waitDaemonPods(
        ns.name,
        name,
        (all) => !all.some((p) => p.metadata?.uid === heldPod.metadata?.uid) && all.some((p) => nodeOf(p) === node && isNew(p) && isPodReady(p)),
        `the released pod ${heldPod.metadata?.name} gone and a new-revision Ready pod on ${node}`,
      ),
    );
    await monitor.stop();
    const active = activePods(after);
    expect(active.filter(isNew).map(nodeOf), `only the released node has a new pod yet; pods:\n${renderDaemonPods(after)}`).toEqual([node]);
  });
});
