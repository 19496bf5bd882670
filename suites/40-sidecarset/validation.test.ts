/**
 * SidecarSet admission (spec §5.3; OpenKruise pkg/webhook/sidecarset/validating): invalid specs are
 * rejected with the field named, on create (dry run) and on update. Conflicts are judged against
 * the other SidecarSets whose namespace scope and selector overlap. patchPodMetadata without a
 * whitelist is covered here; with one, in patch-metadata.serial.test.ts.
 */
import { expect, it } from 'vitest';
import { SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { IMAGE_V1, IMAGE_V3 } from '../lib/workloads.ts';
import { type SidecarSetObj, createSidecarSet, sidecarSet, track } from './fixtures.ts';

describeFeature('SidecarSet.Validation', 'invalid SidecarSets are rejected at admission', () => {
  const ns = useNamespace('ss-valid');
  const dry = (body: Record<string, unknown>) => () => createObject(SIDECARSET, undefined, body, { dryRun: true });
  // Each its own pods (app label), so no case conflicts with a SidecarSet another case created.
  const base = (suffix: string, extra: Record<string, unknown> = {}) => sidecarSet(`${ns.name}-${suffix}`, ns.name, `x-${suffix}`, extra);
  const accepted = async (body: Record<string, unknown>, what: string) => {
    const out = await createObject(SIDECARSET, undefined, body, { dryRun: true }).catch((err: unknown) => err as Error);
    expect(out instanceof Error ? `rejected: ${(out as { body?: unknown }).body ?? out.message}` : 'accepted', what).toBe('accepted');
  };

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

  it('rejects an unknown shareVolumePolicy.type (the values are lower-case)', async () => {
    await expectRejected(dry(base('share', { containers: [{ name: 'sidecar', image: IMAGE_V1, shareVolumePolicy: { type: 'Enabled' } }], volumes: [] })), 'shareVolumePolicy', 'shareVolumePolicy.type Enabled');
  });

  it('rejects a transferEnv fieldRef to a field other than a pod label or annotation, or of another apiVersion', async () => {
    const withRef = (fieldRef: Record<string, unknown>) => base('tenv', { containers: [{ name: 'sidecar', image: IMAGE_V1, transferEnv: [{ sourceContainerNameFrom: { fieldRef }, envName: 'A' }] }], volumes: [] });
    await expectRejected(dry(withRef({ apiVersion: 'v1', fieldPath: 'spec.nodeName' })), /transferEnv.*fieldPath/, 'fieldRef to spec.nodeName');
    await expectRejected(dry(withRef({ apiVersion: 'v2', fieldPath: "metadata.labels['biz']" })), /transferEnv.*fieldPath/, 'fieldRef in apiVersion v2');
    await accepted(withRef({ apiVersion: 'v1', fieldPath: "metadata.annotations['biz']" }), 'a fieldRef to an annotation is valid');
    // apiVersion may be left out: like a pod's fieldRef, it defaults to v1.
    const defaulted = await createObject<SidecarSetObj>(SIDECARSET, undefined, withRef({ fieldPath: "metadata.labels['biz']" }), { dryRun: true });
    const ref = (defaulted.spec?.containers as { transferEnv?: { sourceContainerNameFrom?: { fieldRef?: { apiVersion?: string } } }[] }[])[0]?.transferEnv?.[0]?.sourceContainerNameFrom?.fieldRef;
    expect(ref?.apiVersion, `fieldRef after admission: ${JSON.stringify(ref)}`).toBe('v1');
  });

  it('rejects a volumeMount that names no SidecarSet volume', async () => {
    await expectRejected(dry(base('mount', { volumes: [] })), /volumeMounts|shared/, 'mount of an undeclared volume');
  });

  it('rejects a native sidecar initContainer (restartPolicy Always) unless updateStrategy is NotUpdate', async () => {
    const init = [{ name: 'init-sidecar', image: IMAGE_V1, restartPolicy: 'Always' }];
    await expectRejected(dry(base('native', { initContainers: init })), 'updateStrategy', 'native sidecar initContainer with the default RollingUpdate');
    await accepted(base('native', { initContainers: init, updateStrategy: { type: 'NotUpdate' } }), 'the same with updateStrategy NotUpdate');
  });

  it('rejects invalid partition / maxUnavailable values and accepts integer percents', async () => {
    await expectRejected(dry(base('maxu', { updateStrategy: { type: 'RollingUpdate', maxUnavailable: '12.5%' } })), 'maxUnavailable', 'maxUnavailable 12.5%');
    await expectRejected(dry(base('part', { updateStrategy: { type: 'RollingUpdate', partition: '50.5%' } })), 'partition', 'partition 50.5%');
    await expectRejected(dry(base('partneg', { updateStrategy: { type: 'RollingUpdate', partition: -1 } })), 'partition', 'partition -1');
    await accepted(base('pct', { updateStrategy: { type: 'RollingUpdate', partition: '30%', maxUnavailable: '50%' } }), 'partition 30% and maxUnavailable 50%');
  });

  it('rejects partition together with updateStrategy.selector', async () => {
    await expectRejected(
      dry(base('partsel', { updateStrategy: { type: 'RollingUpdate', partition: 1, selector: { matchLabels: { canary: 'true' } } } })),
      /updateStrategy|[Pp]artition and [Ss]elector/,
      'partition 1 with a selector',
    );
    await accepted(base('sel', { updateStrategy: { type: 'RollingUpdate', selector: { matchLabels: { canary: 'true' } } } }), 'a selector alone');
  });

  it('rejects injectionStrategy.revision without revisionName and customVersion, or naming no revision', async () => {
    await expectRejected(dry(base('rev-empty', { injectionStrategy: { revision: { policy: 'Always' } } })), /revision/, 'revision with neither revisionName nor customVersion');
    await expectRejected(dry(base('rev-missing', { injectionStrategy: { revision: { revisionName: `${ns.name}-no-such-revision` } } })), /revision/, 'revisionName of a revision that does not exist');
    await expectRejected(dry(base('rev-version', { injectionStrategy: { revision: { customVersion: 'no-such-version' } } })), /revision/, 'customVersion no revision carries');
  });

  it('rejects patchPodMetadata when no whitelist allows it', async () => {
    await expectRejected(
      dry(base('patch', { patchPodMetadata: [{ annotations: { 'kruise-conformance.io/not-whitelisted': 'x' }, patchPolicy: 'Overwrite' }] })),
      'patchPodMetadata',
      'patchPodMetadata without a whitelist entry',
    );
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

  it('rejects changing a container\'s upgradeStrategy.upgradeType on update', async () => {
    const name = `${ns.name}-utype`;
    const ss = await createSidecarSet(sidecarSet(name, ns.name, 'utype', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] }));
    expect((ss.spec?.containers as { upgradeStrategy?: { upgradeType?: string } }[])[0]?.upgradeStrategy?.upgradeType, 'upgradeType defaults to ColdUpgrade').toBe('ColdUpgrade');
    await expectRejected(
      () => patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V1, upgradeStrategy: { upgradeType: 'HotUpgrade', hotUpgradeEmptyImage: IMAGE_V3 } }] } }, { dryRun: true }),
      'upgradeType',
      'ColdUpgrade -> HotUpgrade',
    );
  });

  it('rejects a container name or a differently defined volume that an overlapping SidecarSet already has', async () => {
    const first = `${ns.name}-first`;
    await createSidecarSet(sidecarSet(first, ns.name, 'overlap'));
    const other = (suffix: string, app: string, extra: Record<string, unknown>) => sidecarSet(`${ns.name}-${suffix}`, ns.name, app, extra);
    const rejected = await expectRejected(dry(other('samename', 'overlap', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] })), 'sidecar', 'container "sidecar" again for the same pods');
    expect(rejected, 'the message names the SidecarSet that has it').toContain(first);
    await expectRejected(
      dry(other('samevol', 'overlap', { containers: [{ name: 'other', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }], volumes: [{ name: 'shared', configMap: { name: 'cm' } }] })),
      'shared',
      'volume "shared" defined differently for the same pods',
    );
    await accepted(
      other('samevol-eq', 'overlap', { containers: [{ name: 'other', image: IMAGE_V1, volumeMounts: [{ name: 'shared', mountPath: '/shared' }] }], volumes: [{ name: 'shared', emptyDir: {} }] }),
      'the same volume with the same definition',
    );
    await accepted(other('disjoint', 'not-overlapping', { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [] }), 'container "sidecar" for pods no other SidecarSet selects');
  });
});
