/** PodProbeMarker admission (spec §6.1): invalid probes rejected with the field named. */
import { it } from 'vitest';
import { PODPROBEMARKER, createObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';

export function probeMarker(name: string, probes: Record<string, unknown>[]): Record<string, unknown> {
  return { metadata: { name }, spec: { selector: { matchLabels: { app: 'probed' } }, probes } };
}

const probe = (over: Record<string, unknown> = {}) => ({
  name: 'healthy',
  containerName: 'main',
  probe: { exec: { command: ['/bin/sh', '-c', 'true'] } },
  podConditionType: 'game.kruise.io/healthy',
  ...over,
});

describeFeature('PodProbeMarker.Validation', 'invalid PodProbeMarkers are rejected at admission', () => {
  const ns = useNamespace('ppm-valid');
  const dry = (body: Record<string, unknown>) => () => createObject(PODPROBEMARKER, ns.name, body, { dryRun: true });

  it('rejects an httpGet probe', async () => {
    await expectRejected(dry(probeMarker('http', [probe({ probe: { httpGet: { port: 80, path: '/' } } })])), /probe|http/i, 'httpGet probe');
  });

  it('rejects a probe name containing "#"', async () => {
    await expectRejected(dry(probeMarker('hash', [probe({ name: 'a#b' })])), /name/, 'probe name a#b');
  });

  it('rejects a probe named like a pod condition the kubelet owns', async () => {
    await expectRejected(dry(probeMarker('ready', [probe({ name: 'Ready' })])), /name|Ready/, 'probe named Ready');
  });

  it('rejects a probe with neither podConditionType nor markerPolicy', async () => {
    await expectRejected(dry(probeMarker('none', [probe({ podConditionType: undefined })])), /podConditionType|markerPolicy/, 'no podConditionType and no markerPolicy');
  });

  it('rejects a markerPolicy state other than Succeeded or Failed', async () => {
    await expectRejected(dry(probeMarker('state', [probe({ markerPolicy: [{ state: 'Unknown', labels: { ok: 'true' } }] })])), /state|markerPolicy/, 'markerPolicy state Unknown');
  });

  it('rejects duplicate probe names', async () => {
    await expectRejected(dry(probeMarker('dup', [probe(), probe({ podConditionType: 'game.kruise.io/other' })])), /name|probes/, 'two probes named healthy');
  });

  it('rejects a PodProbeMarker without a selector', async () => {
    const body = probeMarker('nosel', [probe()]);
    delete (body.spec as Record<string, unknown>).selector;
    await expectRejected(dry(body), 'selector', 'no selector');
  });
});
