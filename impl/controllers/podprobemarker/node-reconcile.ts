// NodePodProbeReconciler (OpenKruise pkg/controller/nodepodprobe): one NodePodProbe per node with
// an agent, named as the node: created when the (Ready, not virtual-kubelet) node is there and it
// is not, deleted when the node goes; entries of pods that are gone pruned; each pod's reported
// probe states turned into its conditions and marks. Reads and writes go through ProbePort.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import type { PodProbe } from '../../api/podprobemarker.ts';
import type { ReconcileResult } from '../../runtime/controller.ts';
import { planProbeResults, podWithConditions, podWithMarks, type ProbeResultPlan } from './marks.ts';
import { isActivePod, isVirtualKubelet } from './matching.ts';
import { withLivePods } from './node-probes.ts';
import type { ProbePort } from './types.ts';

export const isNodeReady = (node: V1Node): boolean => node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Whether the node should have a NodePodProbe now (one that exists stays while the node does). */
export function wantsNodePodProbe(node: V1Node | undefined): boolean {
  return !!node && !node.metadata?.deletionTimestamp && !isVirtualKubelet(node) && isNodeReady(node);
}

export class NodePodProbeReconciler {
  constructor(private readonly port: ProbePort) {}

  private livePod(e: PodProbe): V1Pod | undefined {
    const pod = this.port.getPod(e.namespace, e.name);
    return pod && pod.metadata?.uid === e.uid && isActivePod(pod) ? pod : undefined;
  }

  async reconcile(name: string): Promise<ReconcileResult | void> {
    const node = this.port.node(name);
    const npp = this.port.getNodePodProbe(name);
    if (!npp) {
      if (wantsNodePodProbe(node)) await this.port.createNodePodProbe(name);
      return;
    }
    if (!node || node.metadata?.deletionTimestamp) {
      await this.port.deleteNodePodProbe(name);
      return;
    }
    if (withLivePods(npp.spec, (e) => !!this.livePod(e))) {
      await this.port.updateNodePodProbe(name, (cur) => {
        const spec = withLivePods(cur.spec, (e) => !!this.livePod(e));
        return spec ? { ...cur, spec } : undefined;
      });
    }
    const listed = new Set((npp.spec?.podProbes ?? []).map((e) => e.uid));
    for (const status of npp.status?.podProbeStatuses ?? []) {
      if (!listed.has(status.uid)) continue;
      const pod = this.livePod(status);
      if (!pod) continue;
      const ns = pod.metadata?.namespace ?? '';
      const plan = planProbeResults(status, (m) => this.port.getMarker(ns, m));
      await this.apply(pod, plan);
    }
  }

  /**
   * One pods/status write carries the marks and the conditions, as in OpenKruise (the pod status
   * strategy keeps label and annotation changes), so no reader sees a condition without its marks.
   */
  private async apply(pod: V1Pod, plan: ProbeResultPlan): Promise<void> {
    const uid = pod.metadata?.uid;
    const next = (cur: V1Pod): V1Pod | undefined => {
      if (cur.metadata?.uid !== uid) return undefined;
      const marked = podWithMarks(cur, plan.labels, plan.annotations);
      return podWithConditions(marked ?? cur, plan.conditions) ?? marked;
    };
    if (next(pod)) await this.port.updatePodStatus(pod.metadata!.namespace!, pod.metadata!.name!, next);
  }
}
