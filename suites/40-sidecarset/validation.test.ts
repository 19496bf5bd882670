/** SidecarSet admission (spec §5.3): invalid specs rejected with the field named. */
import { it } from 'vitest';
import { SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import { sidecarSet, track } from './fixtures.ts';

describeFeature('SidecarSet.Validation', 'invalid SidecarSets are rejected at admission', () => {
  const ns = useNamespace('ss-valid');
  const dry = (body: Record<string, unknown>) => () => createObject(SIDECARSET, undefined, body, { dryRun: true });
  const base = (suffix: string, extra: Record<string, unknown> = {}) => sidecarSet(`${ns.name}-${suffix}`, ns.name, 'x', extra);

  it('rejects a SidecarSet without a selector', async () => {
    const body = base('nosel');
    delete (body.spec as Record<string, unknown>).selector;
    await expectRejected(dry(body), 'selector', 'no selector');
  });

  it('rejects namespace together with namespaceSelector', async () => {
    await expectRejected(dry(base('both', { namespaceSelector: { matchLabels: { a: 'b' } } })), /namespace/, 'namespace and namespaceSelector');
  });

  it('rejects a SidecarSet with no containers', async () => {
    await expectRejected(dry(base('empty', { containers: [], volumes: [] })), /container/i, 'no containers or initContainers');
  });

  it('rejects an unknown podInjectPolicy', async () => {
    await expectRejected(dry(base('policy', { containers: [{ name: 'sidecar', image: IMAGE_V1, podInjectPolicy: 'Somewhere' }], volumes: [] })), 'podInjectPolicy', 'podInjectPolicy Somewhere');
  });

  it('rejects a volumeMount that names no SidecarSet volume', async () => {
    await expectRejected(dry(base('mount', { volumes: [] })), /volumeMounts|shared/, 'mount of an undeclared volume');
  });

  it('rejects an invalid updateStrategy.maxUnavailable', async () => {
    await expectRejected(dry(base('maxu', { updateStrategy: { type: 'RollingUpdate', maxUnavailable: '12.5%' } })), 'maxUnavailable', 'maxUnavailable 12.5%');
  });

  it('rejects adding a sidecar container on update', async () => {
    const name = track(`${ns.name}-grow`);
    await createObject(SIDECARSET, undefined, sidecarSet(name, ns.name, 'x'));
    await expectRejected(
      () =>
        patchObject(SIDECARSET, undefined, name, {
          spec: { containers: [{ name: 'sidecar', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }, { name: 'second', image: IMAGE_V1 }] },
        }),
      /second|containers/,
      'adding container "second" to an existing SidecarSet',
    );
  });
});
