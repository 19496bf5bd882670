// PodProbeMarkerReconciler (OpenKruise pkg/controller/podprobemarker): for one marker, its matched
// pods → (deleting) its probes out of every NodePodProbe, then the finalizer off → (else) the
// finalizer on, serverless pods marked from their conditions, the probes of the other pods written
// into their node's NodePodProbe, status. Reads and writes go through ProbePort.
import { FINALIZER_NODE_POD_PROBE_CLEANUP, type NodePodProbe, type PodProbeMarker } from '../../api/podprobemarker.ts';
import type { ReconcileResult } from '../../runtime/controller.ts';
import { splitKey } from '../../runtime/informer.ts';
import { podWithMarks, planServerlessMarks } from './marks.ts';
import { groupByNode, matchedPods } from './matching.ts';
import { withMarkerProbes, withoutMarkerProbes } from './node-probes.ts';
import type { ProbePort } from './types.ts';

/** Retry soon when a node's NodePodProbe is not there yet (its controller creates it). */
export const MISSING_NODE_POD_PROBE_RETRY_MS = 2000;

const hasFinalizer = (m: PodProbeMarker): boolean => m.metadata?.finalizers?.includes(FINALIZER_NODE_POD_PROBE_CLEANUP) ?? false;

export function withFinalizer(m: PodProbeMarker, on: boolean): PodProbeMarker | undefined {
  if (hasFinalizer(m) === on) return undefined;
  const others = (m.metadata?.finalizers ?? []).filter((f) => f !== FINALIZER_NODE_POD_PROBE_CLEANUP);
  return { ...m, metadata: { ...m.metadata, finalizers: on ? [...others, FINALIZER_NODE_POD_PROBE_CLEANUP] : others } };
}

export class PodProbeMarkerReconciler {
  constructor(private readonly port: ProbePort) {}

  async reconcile(key: string): Promise<ReconcileResult | void> {
    const { namespace = '', name } = splitKey(key);
    const ppm = this.port.getMarker(namespace, name);
    if (!ppm) return;
    if (ppm.metadata?.deletionTimestamp) return this.finalize(ppm);
    if (!hasFinalizer(ppm)) await this.port.updateMarker(namespace, name, (m) => withFinalizer(m, true));

    const pods = matchedPods(ppm, this.port.listPods(namespace), (n) => this.port.node(n));
    if (this.port.serverless()) {
      for (const pod of pods.serverless) {
        if (!podWithMarks(pod, ...marksOf(pod, ppm))) continue;
        await this.port.updatePod(namespace, pod.metadata!.name!, (cur) => (cur.metadata?.uid === pod.metadata?.uid ? podWithMarks(cur, ...marksOf(cur, ppm)) : undefined));
      }
    }
    let missing = false;
    for (const [node, onNode] of groupByNode(pods.normal)) {
      if (!this.port.getNodePodProbe(node)) {
        missing = true;
        continue;
      }
      if (!withMarkerProbes(this.port.getNodePodProbe(node)?.spec, ppm, onNode)) continue;
      await this.port.updateNodePodProbe(node, (npp) => {
        const spec = withMarkerProbes(npp.spec, ppm, onNode);
        return spec ? { ...npp, spec } : undefined;
      });
    }
    const matched = pods.normal.length + pods.serverless.length;
    const generation = ppm.metadata?.generation ?? 0;
    if (ppm.status?.observedGeneration !== generation || ppm.status?.matchedPods !== matched) {
      await this.port.writeMarkerStatus(namespace, name, { observedGeneration: generation, matchedPods: matched });
    }
    return missing ? { requeueAfterMs: MISSING_NODE_POD_PROBE_RETRY_MS } : undefined;
  }

  /** The marker's probes leave every NodePodProbe (entries of its namespace), then its finalizer goes. */
  private async finalize(ppm: PodProbeMarker): Promise<void> {
    if (!hasFinalizer(ppm)) return;
    const namespace = ppm.metadata?.namespace ?? '';
    const name = ppm.metadata?.name ?? '';
    // Live reads: a probe written a moment ago, not yet in the cache, must not stay behind.
    for (const npp of this.port.listNodePodProbes()) {
      const remove = (cur: NodePodProbe) => {
        const spec = withoutMarkerProbes(cur.spec, namespace, name);
        return spec ? { ...cur, spec } : undefined;
      };
      await this.port.updateNodePodProbe(npp.metadata?.name ?? '', remove, { fresh: true });
    }
    await this.port.updateMarker(namespace, name, (m) => withFinalizer(m, false));
  }
}

function marksOf(pod: Parameters<typeof planServerlessMarks>[0], ppm: PodProbeMarker) {
  const m = planServerlessMarks(pod, ppm);
  return [m.labels, m.annotations] as const;
}
