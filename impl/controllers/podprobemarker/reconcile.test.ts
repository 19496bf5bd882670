// The two reconcilers over an in-memory ProbePort: what they write, in which order.
import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FINALIZER_NODE_POD_PROBE_CLEANUP, type NodePodProbe, type PodProbeMarker, type PodProbeMarkerStatus } from '../../api/podprobemarker.ts';
import { MISSING_NODE_POD_PROBE_RETRY_MS, PodProbeMarkerReconciler } from './marker-reconcile.ts';
import { NodePodProbeReconciler } from './node-reconcile.ts';
import { execProbe, marker, node, pod } from './test-builders.ts';
import type { Mutation, ProbePort } from './types.ts';

class FakePort implements ProbePort {
  markers = new Map<string, PodProbeMarker>();
  pods = new Map<string, V1Pod>();
  nodes = new Map<string, V1Node>();
  npps = new Map<string, NodePodProbe>();
  writes: string[] = [];
  gate = true;
  constructor(o: { markers?: PodProbeMarker[]; pods?: V1Pod[]; nodes?: V1Node[]; npps?: string[] }) {
    for (const m of o.markers ?? []) this.markers.set(`${m.metadata?.namespace}/${m.metadata?.name}`, m);
    for (const p of o.pods ?? []) this.pods.set(`${p.metadata?.namespace}/${p.metadata?.name}`, p);
    for (const n of o.nodes ?? []) this.nodes.set(n.metadata!.name!, n);
    for (const n of o.npps ?? []) this.npps.set(n, { metadata: { name: n }, spec: {} });
  }
  getMarker = (ns: string, name: string) => this.markers.get(`${ns}/${name}`);
  listMarkers = (ns?: string) => [...this.markers.values()].filter((m) => ns === undefined || m.metadata?.namespace === ns);
  listPods = (ns?: string) => [...this.pods.values()].filter((p) => ns === undefined || p.metadata?.namespace === ns);
  getPod = (ns: string, name: string) => this.pods.get(`${ns}/${name}`);
  node = (name: string) => this.nodes.get(name);
  getNodePodProbe = (name: string) => this.npps.get(name);
  listNodePodProbes = () => [...this.npps.values()];
  serverless = () => this.gate;
  private write<T>(map: Map<string, T>, key: string, what: string, mutate: Mutation<T>): Promise<T | undefined> {
    const cur = map.get(key);
    const next = cur && mutate(cur);
    if (next) {
      map.set(key, next);
      this.writes.push(`${what} ${key}`);
    }
    return Promise.resolve(next);
  }
  updateNodePodProbe = (name: string, mutate: Mutation<NodePodProbe>) => this.write(this.npps, name, 'npp', mutate);
  updateMarker = (ns: string, name: string, mutate: Mutation<PodProbeMarker>) => this.write(this.markers, `${ns}/${name}`, 'marker', mutate);
  updatePod = (ns: string, name: string, mutate: Mutation<V1Pod>) => this.write(this.pods, `${ns}/${name}`, 'pod', mutate);
  updatePodStatus = (ns: string, name: string, mutate: Mutation<V1Pod>) => this.write(this.pods, `${ns}/${name}`, 'pod/status', mutate);
  async createNodePodProbe(name: string) {
    this.npps.set(name, { metadata: { name }, spec: {} });
    this.writes.push(`create npp ${name}`);
  }
  async deleteNodePodProbe(name: string) {
    this.npps.delete(name);
    this.writes.push(`delete npp ${name}`);
  }
  async writeMarkerStatus(ns: string, name: string, status: PodProbeMarkerStatus) {
    const m = this.markers.get(`${ns}/${name}`)!;
    this.markers.set(`${ns}/${name}`, { ...m, status });
    this.writes.push(`status ${ns}/${name} ${JSON.stringify(status)}`);
  }
}

const probeNames = (port: FakePort, n: string) => (port.npps.get(n)?.spec?.podProbes ?? []).map((e) => `${e.name}: ${(e.probes ?? []).map((p) => p.name).join(',')}`);

describe('PodProbeMarkerReconciler', () => {
  const m = marker('m', [execProbe('h', { markerPolicy: [{ state: 'Succeeded', labels: { ok: 'true' } }] })]);
  const world = () =>
    new FakePort({ markers: [m], pods: [pod('a', 'n1'), pod('v', 'vk'), pod('x', 'n1', { app: 'other' })], nodes: [node('n1'), node('vk', { virtual: true })], npps: ['n1'] });

  it('adds the finalizer, writes the agent node\'s probes, and counts normal and serverless pods', async () => {
    const port = world();
    expect(await new PodProbeMarkerReconciler(port).reconcile('ns/m')).toBeUndefined();
    expect(port.writes).toEqual(['marker ns/m', 'npp n1', 'status ns/m {"observedGeneration":1,"matchedPods":2}']);
    expect(port.markers.get('ns/m')?.metadata?.finalizers).toEqual([FINALIZER_NODE_POD_PROBE_CLEANUP]);
    expect(probeNames(port, 'n1')).toEqual(['a: m#h']);
  });

  it('marks serverless pods from their conditions (gate on), and not with the gate off', async () => {
    const on = world();
    on.pods.get('ns/v')!.status!.conditions!.push({ type: 'game.kruise.io/h', status: 'True' });
    await new PodProbeMarkerReconciler(on).reconcile('ns/m');
    expect(on.pods.get('ns/v')?.metadata?.labels).toEqual({ app: 'game', ok: 'true' });
    const off = world();
    off.gate = false;
    off.pods.get('ns/v')!.status!.conditions!.push({ type: 'game.kruise.io/h', status: 'True' });
    await new PodProbeMarkerReconciler(off).reconcile('ns/m');
    expect(off.pods.get('ns/v')?.metadata?.labels).toEqual({ app: 'game' });
  });

  it('retries later while a node has no NodePodProbe yet', async () => {
    const port = world();
    port.npps.clear();
    expect(await new PodProbeMarkerReconciler(port).reconcile('ns/m')).toEqual({ requeueAfterMs: MISSING_NODE_POD_PROBE_RETRY_MS });
  });

  it('on deletion removes its probes first, then the finalizer', async () => {
    const port = world();
    const r = new PodProbeMarkerReconciler(port);
    await r.reconcile('ns/m');
    port.writes = [];
    const cur = port.markers.get('ns/m')!;
    port.markers.set('ns/m', { ...cur, metadata: { ...cur.metadata, deletionTimestamp: new Date() } });
    await r.reconcile('ns/m');
    expect(port.writes).toEqual(['npp n1', 'marker ns/m']);
    expect(probeNames(port, 'n1')).toEqual([]);
    expect(port.markers.get('ns/m')?.metadata?.finalizers).toEqual([]);
  });
});

describe('NodePodProbeReconciler', () => {
  it('creates one for a Ready agent node, none for a virtual-kubelet or not-Ready node, and deletes it with its node', async () => {
    const port = new FakePort({ nodes: [node('n1'), node('vk', { virtual: true }), node('nr', { ready: false })] });
    const r = new NodePodProbeReconciler(port);
    for (const n of ['n1', 'vk', 'nr']) await r.reconcile(n);
    expect(port.writes).toEqual(['create npp n1']);
    port.nodes.delete('n1');
    await r.reconcile('n1');
    expect(port.npps.has('n1')).toBe(false);
  });

  it('prunes entries of pods that are gone and turns states into one status write with conditions and marks', async () => {
    const m = marker('m', [execProbe('h', { markerPolicy: [{ state: 'Succeeded', labels: { ok: 'true' } }, { state: 'Failed', labels: { ok: 'false' } }] })]);
    const port = new FakePort({ markers: [m], pods: [pod('a', 'n1'), pod('b', 'n1')], nodes: [node('n1')], npps: ['n1'] });
    await new PodProbeMarkerReconciler(port).reconcile('ns/m');
    port.pods.delete('ns/b');
    const npp = port.npps.get('n1')!;
    port.npps.set('n1', { ...npp, status: { podProbeStatuses: [{ name: 'a', namespace: 'ns', uid: 'uid-a', probeStates: [{ name: 'm#h', state: 'Failed', message: 'exit 1' }] }] } });
    port.writes = [];
    await new NodePodProbeReconciler(port).reconcile('n1');
    expect(port.writes).toEqual(['npp n1', 'pod/status ns/a']);
    expect(probeNames(port, 'n1')).toEqual(['a: m#h']);
    const a = port.pods.get('ns/a')!;
    expect({ label: a.metadata?.labels?.ok, cond: a.status?.conditions?.find((c) => c.type === 'game.kruise.io/h') }).toEqual({ label: 'false', cond: { type: 'game.kruise.io/h', status: 'False', message: 'exit 1' } });
    port.writes = [];
    await new NodePodProbeReconciler(port).reconcile('n1');
    expect(port.writes, 'nothing left to change').toEqual([]);
  });
});
