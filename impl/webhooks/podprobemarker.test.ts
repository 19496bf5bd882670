import type { V1Pod } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { PodProbeMarker } from '../api/podprobemarker.ts';
import { execProbe, marker } from '../controllers/podprobemarker/test-builders.ts';
import { type AdmissionRequest, applyJsonPatch } from './admission.ts';
import { type ClusterReader, type HandlerDeps, mutatePod, validatePodProbeMarkerHandler } from './handlers.ts';

const noCluster = {} as ClusterReader;
const deps = (on: string[], markers: PodProbeMarker[] = []): HandlerDeps => ({
  gates: { enabled: (n) => on.includes(n) },
  cluster: noCluster,
  podProbeMarkers: { markers: (ns) => markers.filter((m) => m.metadata?.namespace === ns), synced: async () => {} },
});
const req = (operation: AdmissionRequest['operation'], object: unknown, resource: string, oldObject?: unknown): AdmissionRequest => ({
  uid: 'u',
  kind: { group: '', version: 'v1', kind: 'x' },
  resource: { group: '', version: 'v1', resource },
  operation,
  namespace: 'ns',
  object,
  ...(oldObject ? { oldObject } : {}),
});

describe('PodProbeMarker validating webhook', () => {
  const ok = marker('m', [execProbe('h')]);
  it('admits a valid marker and answers 400 with the field errors for an invalid one', async () => {
    const on = deps(['PodProbeMarkerGate', 'KruiseDaemon']);
    expect(await validatePodProbeMarkerHandler(req('CREATE', ok, 'podprobemarkers'), on)).toEqual({ allowed: true });
    const bad = marker('m', [execProbe('h', { probe: { httpGet: { port: 80 } } })]);
    expect(await validatePodProbeMarkerHandler(req('CREATE', bad, 'podprobemarkers'), on)).toMatchObject({ allowed: false, status: { code: 400, message: 'spec.probe.probe: Forbidden: current no support http probe' } });
    const moved = marker('m', [execProbe('h')], 'other');
    expect(await validatePodProbeMarkerHandler(req('UPDATE', moved, 'podprobemarkers', ok), on)).toMatchObject({ allowed: false, status: { code: 400, message: expect.stringContaining('selector must be immutable') } });
  });
  it.each(['PodProbeMarkerGate', 'KruiseDaemon'])('answers 403 while %s is off', async (gate) => {
    const on = deps(['PodProbeMarkerGate', 'KruiseDaemon'].filter((g) => g !== gate));
    expect(await validatePodProbeMarkerHandler(req('CREATE', ok, 'podprobemarkers'), on)).toMatchObject({ allowed: false, status: { code: 403, message: `feature-gate ${gate} is not enabled` } });
  });
});

describe('pod mutating webhook: serverless probe annotations', () => {
  const pod = (): V1Pod => ({ metadata: { name: 'p', labels: { app: 'game' } }, spec: { containers: [{ name: 'main', image: 'x' }] } });
  const markers = [marker('m', [execProbe('h', { markerPolicy: [{ state: 'Succeeded', labels: { a: 'b' } }] })])];
  it('annotates a created pod with the gate on, keeping the request\'s namespace-less metadata', async () => {
    const v = await mutatePod(req('CREATE', pod(), 'pods'), deps(['EnablePodProbeMarkerOnServerless'], markers));
    const out = v.allowed && v.patch ? applyJsonPatch(pod(), v.patch) : pod();
    expect(out.metadata?.annotations).toEqual({
      'kruise.io/podprobe': JSON.stringify([{ name: 'h', containerName: 'main', probe: { exec: { command: ['/bin/sh', '-c', 'h'] } }, podConditionType: 'game.kruise.io/h' }]),
      'kruise.io/podprobemarker-list': 'm',
    });
    expect(out.metadata?.namespace).toBeUndefined();
  });
  it('leaves the pod alone with the gate off', async () => {
    expect(await mutatePod(req('CREATE', pod(), 'pods'), deps([], markers))).toEqual({ allowed: true });
  });
});
