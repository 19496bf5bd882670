import type { V1LabelSelector } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import type { PodContainerProbe, PodProbeMarker } from './podprobemarker.ts';
import { portNameProblems, validatePodProbeMarker } from './podprobemarker-validation.ts';

const probe = (over: Partial<PodContainerProbe> = {}): PodContainerProbe => ({
  name: 'healthy',
  containerName: 'main',
  probe: { exec: { command: ['true'] } },
  podConditionType: 'game.kruise.io/healthy',
  ...over,
});
const ppm = (probes: PodContainerProbe[], selector: V1LabelSelector | null = { matchLabels: { app: 'a' } }): PodProbeMarker => ({
  metadata: { name: 'm', namespace: 'ns' },
  spec: { selector, probes },
});
const messages = (m: PodProbeMarker, old?: PodProbeMarker) => validatePodProbeMarker(m, old).map((e) => e.message);

describe('validatePodProbeMarker', () => {
  it('accepts exec and tcpSocket probes with a condition, marks, or both', () => {
    expect(messages(ppm([probe(), probe({ name: 'port', podConditionType: undefined, probe: { tcpSocket: { port: 'http' } }, markerPolicy: [{ state: 'Succeeded', labels: { ok: 'true' } }, { state: 'Failed', annotations: { 'x/y': 'z' } }] })]))).toEqual([]);
  });

  it.each<[string, PodProbeMarker, string[]]>([
    ['httpGet (1.8)', ppm([probe({ probe: { httpGet: { port: 80 } } })]), ['spec.probe.probe: Forbidden: current no support http probe']],
    ['a "#" in the name', ppm([probe({ name: 'a#b' })]), ['spec.probes: Invalid value: "a#b": probe name can\'t contains \'#\'.']],
    ['empty name', ppm([probe({ name: '' })]), ['spec.probes: Invalid value: "": probe name can\'t be empty in PodProbeMarker.']],
    ['empty containerName', ppm([probe({ containerName: '' })]), ['spec.probes: Invalid value: "": probe containerName can\'t be empty in PodProbeMarker.']],
    ['a kubelet condition name', ppm([probe({ name: 'Ready' })]), ['spec.probes: Invalid value: "Ready": probe name can\'t be Ready']],
    ['duplicate names', ppm([probe(), probe({ podConditionType: 'x' })]), ['spec.probes: Invalid value: "healthy": probe name must be unique in PodProbeMarker.']],
    ['neither condition nor marks', ppm([probe({ podConditionType: undefined })]), ['spec.probes: Invalid value: {"name":"healthy","containerName":"main","probe":{"exec":{"command":["true"]}}}: podConditionType and markerPolicy cannot be empty at the same time']],
    ['a condition used twice', ppm([probe(), probe({ name: 'b' })]), ['spec.probes: Invalid value: "game.kruise.io/healthy": podConditionType game.kruise.io/healthy must be unique in podProbeMarker']],
    ['a condition that is no label name', ppm([probe({ podConditionType: 'bad type!' })]), [expect.stringMatching(/^spec: Invalid value: "bad type!": name part must consist of/) as unknown as string]],
    ['an unknown state', ppm([probe({ markerPolicy: [{ state: 'Unknown', labels: { a: 'b' } }] })]), ["spec.markerPolicy.state: Required value: marker policy state must be 'True' or 'False'"]],
    ['a policy without marks', ppm([probe({ markerPolicy: [{ state: 'Failed' }] })]), ["spec.markerPolicy: Required value: marker policy annotations or labels can't be both empty"]],
    ['a state twice', ppm([probe({ markerPolicy: [{ state: 'Failed', labels: { a: 'b' } }, { state: 'Failed', labels: { c: 'd' } }] })]), ['spec.markerPolicy: Invalid value: "Failed": marker policy state must be unique.']],
    ['a bad label key', ppm([probe({ markerPolicy: [{ state: 'Failed', labels: { 'bad key!': 'b' } }] })]), [expect.stringMatching(/^spec\.markerPolicy\.labels: Invalid value: "bad key!": name part/) as unknown as string]],
    ['tcpSocket host (1.8.3)', ppm([probe({ probe: { tcpSocket: { port: 80, host: '10.0.0.1' } } })]), ['spec.probe.tcpSocket.host: Invalid value: "10.0.0.1": host field in probes is not allowed']],
    ['tcpSocket port 0', ppm([probe({ probe: { tcpSocket: { port: 0 } } })]), ['spec.probe.tcpSocket.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['empty exec command', ppm([probe({ probe: { exec: { command: [] } } })]), ['spec.probe.exec.command: Required value']],
    ['two handlers', ppm([probe({ probe: { exec: { command: ['x'] }, tcpSocket: { port: 80 } } })]), ['spec.probe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
    ['no handler', ppm([probe({ probe: { periodSeconds: 1 } })]), ['spec.probe: Required value: must specify a handler type']],
    ['a negative timing', ppm([probe({ probe: { exec: { command: ['x'] }, failureThreshold: -2 } })]), ['spec.probe.failureThreshold: Invalid value: -2: must be greater than or equal to 0']],
    ['no probes', ppm([]), ['spec.probes: Invalid value: []: empty probes is not valid for PodProbeMarker.']],
    ['an empty selector', ppm([probe()], {}), ['spec.selector: Invalid value: {}: empty selector is not valid for podProbeMarker.']],
    ['no selector', ppm([probe()], null), ['spec.selector: Invalid value: null: empty Selector is not valid for PodProbeMarker.']],
  ])('rejects %s', (_what, m, want) => {
    expect(messages(m)).toEqual(want);
  });

  it('stops at the first probe-level error, as OpenKruise does', () => {
    expect(messages(ppm([probe({ name: 'a#' }), probe({ name: 'Ready' })]))).toHaveLength(1);
  });

  it('keeps the selector immutable on update, and accepts other changes', () => {
    const old = ppm([probe()]);
    expect(messages(ppm([probe({ probe: { exec: { command: ['x'] }, periodSeconds: 7 } })]), old)).toEqual([]);
    expect(messages(ppm([probe()], { matchLabels: { app: 'b' } }), old)).toEqual(['selector: Invalid value: {"matchLabels":{"app":"b"}}: selector must be immutable']);
  });

  it.each([
    ['http', []],
    ['8080', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens (-)']],
    ['-a', ['must not begin or end with a hyphen (-)']],
    ['Http', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)']],
  ])('port name %s', (name, want) => {
    expect(portNameProblems(name)).toEqual(want);
  });
});
