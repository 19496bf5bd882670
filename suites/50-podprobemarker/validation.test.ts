/**
 * PodProbeMarker admission (spec §6.1): invalid probes rejected with the field named, and the
 * selector immutable. Each rejection is matched on the field path and the words OpenKruise 1.8
 * answers with (pkg/webhook/podprobemarker/validating), so that an object rejected by another
 * rule, or for another field, does not pass. OpenKruise's paths are not indexed ("spec.probes",
 * "spec.probe.exec.command", "spec.markerPolicy.state"); a message it gives as "field: Invalid
 * value: <value>: detail" is matched with any rendering of an object value.
 */
import { expect, it } from 'vitest';
import { PODPROBEMARKER, createObject, patchObject } from '../lib/api.ts';
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

  it('rejects an httpGet probe (1.8: http probes are not supported)', async () => {
    // OpenKruise 1.8 names the path "spec.probe.probe", not the index of the probe.
    await expectRejected(dry(probeMarker('http', [probe({ probe: { httpGet: { port: 80, path: '/', scheme: 'HTTP' } } })])), /spec\.probe\.probe: Forbidden: current no support http probe/, 'httpGet probe');
  });

  it('rejects a probe name containing "#"', async () => {
    await expectRejected(dry(probeMarker('hash', [probe({ name: 'a#b' })])), /spec\.probes: Invalid value: "a#b": probe name can't contains '#'/, 'probe name a#b');
  });

  it('rejects a probe named like a pod condition the kubelet owns', async () => {
    await expectRejected(dry(probeMarker('ready', [probe({ name: 'Ready' })])), /spec\.probes: Invalid value: "Ready": probe name can't be Ready/, 'probe named Ready');
  });

  it('rejects a probe with neither podConditionType nor markerPolicy', async () => {
    await expectRejected(dry(probeMarker('none', [probe({ podConditionType: undefined })])), /spec\.probes: Invalid value: .*podConditionType and markerPolicy cannot be empty at the same time/, 'no podConditionType and no markerPolicy');
  });

  it('rejects a markerPolicy state other than Succeeded or Failed', async () => {
    await expectRejected(dry(probeMarker('state', [probe({ markerPolicy: [{ state: 'Unknown', labels: { ok: 'true' } }] })])), /spec\.markerPolicy\.state: Required value: marker policy state must be 'True' or 'False'/, 'markerPolicy state Unknown');
  });

  it('rejects duplicate probe names', async () => {
    await expectRejected(dry(probeMarker('dup', [probe(), probe({ podConditionType: 'game.kruise.io/other' })])), /spec\.probes: Invalid value: "healthy": probe name must be unique/, 'two probes named healthy');
  });

  it('rejects a tcpSocket probe with a host (1.8.3)', async () => {
    await expectRejected(dry(probeMarker('host', [probe({ probe: { tcpSocket: { port: 8080, host: '10.0.0.1' } } })])), /host/, 'tcpSocket.host set');
  });

  it('rejects an exec probe with an empty command', async () => {
    await expectRejected(dry(probeMarker('cmd', [probe({ probe: { exec: { command: [] } } })])), /spec\.probe\.exec\.command: Required value/, 'exec.command empty');
  });

  it('rejects a probe with two handlers or none', async () => {
    await expectRejected(dry(probeMarker('two', [probe({ probe: { exec: { command: ['true'] }, tcpSocket: { port: 80 } } })])), /spec\.probe\.tcpSocket: Forbidden: may not specify more than 1 handler type/, 'exec and tcpSocket');
    await expectRejected(dry(probeMarker('zero', [probe({ probe: { periodSeconds: 1 } })])), /spec\.probe: Required value: must specify a handler type/, 'no handler');
  });

  it('rejects negative probe timings', async () => {
    await expectRejected(dry(probeMarker('neg', [probe({ probe: { exec: { command: ['true'] }, periodSeconds: -1 } })])), /spec\.probe\.periodSeconds: Invalid value: -1: must be greater than or equal to 0/, 'periodSeconds -1');
  });

  it('rejects an empty containerName', async () => {
    await expectRejected(dry(probeMarker('noc', [probe({ containerName: '' })])), /spec\.probes: Invalid value: "": probe containerName can't be empty/, 'containerName ""');
  });

  it('rejects a PodProbeMarker without probes', async () => {
    await expectRejected(dry(probeMarker('empty', [])), /spec\.probes: Invalid value: .*empty probes is not valid for PodProbeMarker/, 'probes []');
  });

  it('rejects a podConditionType used twice, or not a valid key', async () => {
    await expectRejected(dry(probeMarker('dupcond', [probe(), probe({ name: 'other' })])), /spec\.probes: Invalid value: "game\.kruise\.io\/healthy": podConditionType game\.kruise\.io\/healthy must be unique/, 'two probes with podConditionType game.kruise.io/healthy');
    // OpenKruise validates it as a label name at the path "spec" (metavalidation.ValidateLabelName).
    await expectRejected(dry(probeMarker('badcond', [probe({ podConditionType: 'bad type!' })])), /spec: Invalid value: "bad type!": name part must consist of/, 'podConditionType "bad type!"');
  });

  it('rejects a markerPolicy without labels and annotations, a repeated state, or an invalid label key', async () => {
    await expectRejected(dry(probeMarker('nomarks', [probe({ markerPolicy: [{ state: 'Succeeded' }] })])), /spec\.markerPolicy: Required value: marker policy annotations or labels can't be both empty/, 'markerPolicy with no marks');
    await expectRejected(
      dry(probeMarker('twice', [probe({ markerPolicy: [{ state: 'Succeeded', labels: { a: 'x' } }, { state: 'Succeeded', labels: { b: 'y' } }] })])),
      /spec\.markerPolicy: Invalid value: "?Succeeded"?: marker policy state must be unique/,
      'markerPolicy state Succeeded twice',
    );
    await expectRejected(dry(probeMarker('badkey', [probe({ markerPolicy: [{ state: 'Succeeded', labels: { 'bad key!': 'x' } }] })])), /spec\.markerPolicy\.labels: Invalid value: "bad key!": name part must consist of/, 'label key "bad key!"');
  });

  it('rejects an empty selector', async () => {
    const body = probeMarker('emptysel', [probe()]);
    (body.spec as Record<string, unknown>).selector = {};
    await expectRejected(dry(body), /spec\.selector: Invalid value: .*empty selector is not valid for podProbeMarker/, 'selector {}');
  });

  it('keeps the selector immutable while other updates are accepted', async () => {
    await createObject(PODPROBEMARKER, ns.name, probeMarker('fixed', [probe()]));
    const updated = await patchObject<{ metadata: { generation?: number }; spec?: { probes?: { probe?: { periodSeconds?: number } }[] } }>(PODPROBEMARKER, ns.name, 'fixed', {
      spec: { probes: [probe({ probe: { exec: { command: ['/bin/sh', '-c', 'true'] }, periodSeconds: 7 } })] },
    });
    expect(updated.spec?.probes?.[0]?.probe?.periodSeconds, 'a probe change is accepted').toBe(7);
    await expectRejected(() => patchObject(PODPROBEMARKER, ns.name, 'fixed', { spec: { selector: { matchLabels: { app: 'other' } } } }), /selector: Invalid value: .*selector must be immutable/, 'selector changed on update');
  });

  it('rejects a PodProbeMarker without a selector', async () => {
    const body = probeMarker('nosel', [probe()]);
    delete (body.spec as Record<string, unknown>).selector;
    // The CRD schema requires spec.selector (apiserver: "Required value"); a schema without it leaves it to the webhook.
    await expectRejected(dry(body), /spec\.selector: Required value|spec\.selector: Invalid value: .*empty Selector is not valid for PodProbeMarker/, 'no selector');
  });
});
