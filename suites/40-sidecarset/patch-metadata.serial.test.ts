/**
 * patchPodMetadata (spec §5.2, §5.3, §5.4, §5.5; OpenKruise e2e "sidecarSet patch pod metadata",
 * "sidecarSet history revision data checker"). A SidecarSet may patch pod annotations: Retain sets
 * a key the pod lacks, Overwrite sets it, MergePatchJson merges a JSON merge patch into the
 * existing value. The patch is applied at injection and again whenever the controller upgrades
 * the pod's sidecar; changing only patchPodMetadata touches no pod. Each key must be allowed by a
 * whitelist rule that selects the SidecarSet by its labels: ConfigMap kruise-configuration, key
 * SidecarSet_PatchPodMetadata_WhiteList, in the manager's namespace (OpenKruise
 * pkg/util/configuration, read from POD_NAMESPACE, default kruise-system). Two SidecarSets for
 * the same pods may not both patch a key when either overwrites it.
 *
 * Serial: the whitelist ConfigMap is cluster-wide configuration. It is restored afterwards.
 */
import type { V1ControllerRevision, V1Pod } from '@kubernetes/client-node';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, httpCode, patchObject, serverMessage } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1, IMAGE_V2, cloneSet, podsOf } from '../lib/workloads.ts';
import {
  counts,
  holdsSteady,
  imageIn,
  managerNamespace,
  observed,
  renderSidecarPods,
  retryWebhookDecision,
  revisionSpec,
  sidecarSet,
  track,
  waitForRevisions,
  waitForSidecarPods,
  waitForSidecarSet,
} from './fixtures.ts';

const CONFIGMAP = 'kruise-configuration';
const WHITELIST_KEY = 'SidecarSet_PatchPodMetadata_WhiteList';
const ALLOW_LABEL = 'kruise-conformance.io/patch-metadata';
const KEY = (k: string) => `patch.kruise-conformance.io/${k}`;
const WHITELIST = JSON.stringify({ rules: [{ selector: { matchLabels: { [ALLOW_LABEL]: 'allowed' } }, allowedAnnotationKeyExprs: ['^patch\\.kruise-conformance\\.io/.+$'] }] });

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const annotation = (p: V1Pod, k: string) => p.metadata?.annotations?.[KEY(k)];

describeFeature('SidecarSet.PatchPodMetadata', 'patchPodMetadata patches pod annotations at injection and upgrade', () => {
  const ns = useNamespace('ss-patch');
  // undefined: the ConfigMap did not exist; null: it existed without the whitelist key.
  let original: string | null | undefined;

  beforeAll(async () => {
    const { core } = kube();
    const namespace = managerNamespace();
    try {
      const cm = await core.readNamespacedConfigMap({ namespace, name: CONFIGMAP });
      original = cm.data?.[WHITELIST_KEY] ?? null;
      await core.patchNamespacedConfigMap({ namespace, name: CONFIGMAP, body: { data: { [WHITELIST_KEY]: WHITELIST } } }, merge);
    } catch (err) {
      if (httpCode(err) !== 404) throw err;
      original = undefined;
      await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: CONFIGMAP }, data: { [WHITELIST_KEY]: WHITELIST } } });
    }
  });

  afterAll(async () => {
    const { core } = kube();
    const namespace = managerNamespace();
    if (original === undefined) await core.deleteNamespacedConfigMap({ namespace, name: CONFIGMAP }).catch(() => undefined);
    else await core.patchNamespacedConfigMap({ namespace, name: CONFIGMAP, body: { data: { [WHITELIST_KEY]: original } } }, merge).catch(() => undefined);
  });

  /** An allowed SidecarSet (labelled for the whitelist rule) with these patches. */
  function allowed(name: string, app: string, patchPodMetadata: unknown[], extra: Record<string, unknown> = {}): Record<string, unknown> {
    const body = sidecarSet(name, ns.name, app, { containers: [{ name: 'sidecar', image: IMAGE_V1 }], volumes: [], patchPodMetadata, ...extra });
    return { ...body, metadata: { name, labels: { [ALLOW_LABEL]: 'allowed' } } };
  }

  /** Create it, retrying while the webhook has not yet seen the whitelist ConfigMap. */
  async function createAllowed(body: Record<string, unknown>): Promise<void> {
    const name = (body.metadata as { name: string }).name;
    const outcome = await retryWebhookDecision(
      () =>
        createObject(SIDECARSET, undefined, body).then(
          () => 'created',
          (err: unknown) => serverMessage(err),
        ),
      (v) => v === 'created',
    );
    expect(outcome, `creating SidecarSet ${name} with patchPodMetadata allowed by the whitelist`).toBe('created');
    track(name);
    await observed(name);
  }

  it('Retain / Overwrite / MergePatchJson at injection; re-applied on a sidecar upgrade, not on a patch-only change', async () => {
    const name = `${ns.name}-meta`;
    const patches = (json: string, value: string) => [
      { patchPolicy: 'MergePatchJson', annotations: { [KEY('json')]: json } },
      { patchPolicy: 'Retain', annotations: { [KEY('retain-set')]: value, [KEY('retain-kept')]: value } },
      { patchPolicy: 'Overwrite', annotations: { [KEY('overwrite')]: value } },
    ];
    await createAllowed(allowed(name, 'meta', patches('{"sidecar":1}', 'sidecar-1')));
    const cs = cloneSet('meta', { replicas: 2 }) as { spec: { template: { metadata: Record<string, unknown> } } };
    cs.spec.template.metadata.annotations = { [KEY('json')]: '{"app":1}', [KEY('retain-kept')]: 'app', [KEY('overwrite')]: 'app' };
    await createObject(CLONESET, ns.name, cs as unknown as Record<string, unknown>);
    const pods = await waitForSidecarPods(ns.name, podsOf('meta'), 2, (p) => isPodReady(p) && imageIn(p) === IMAGE_V1, '2 Ready pods with the sidecar', timeouts().podsReady);
    const view = (p: V1Pod) => ({ json: JSON.parse(annotation(p, 'json') ?? 'null') as unknown, retainSet: annotation(p, 'retain-set'), retainKept: annotation(p, 'retain-kept'), overwrite: annotation(p, 'overwrite') });
    for (const p of pods) {
      expect(view(p), `annotations of ${p.metadata?.name} after injection`).toEqual({ json: { app: 1, sidecar: 1 }, retainSet: 'sidecar-1', retainKept: 'app', overwrite: 'sidecar-1' });
    }
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'matched 2, all updated');

    // Only patchPodMetadata changes: the sidecar hash is the same, so no pod is touched.
    await patchObject(SIDECARSET, undefined, name, { spec: { patchPodMetadata: patches('{"sidecar":2}', 'sidecar-2') } });
    await observed(name);
    await holdsSteady(ns.name, podsOf('meta'), { maxUpdated: 0, keepOriginalPods: true }, (p) => annotation(p, 'overwrite') !== 'sidecar-1');
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), 'still all updated');

    // An image change upgrades the pods and applies the patches again.
    await patchObject(SIDECARSET, undefined, name, { spec: { containers: [{ name: 'sidecar', image: IMAGE_V2 }] } });
    await waitForSidecarSet(name, counts({ matched: 2, updated: 2, ready: 2, updatedReady: 2 }), `both pods at ${IMAGE_V2}`);
    const after = await waitForSidecarPods(ns.name, podsOf('meta'), 2, (p) => isPodReady(p) && imageIn(p) === IMAGE_V2 && annotation(p, 'overwrite') === 'sidecar-2', `pods at ${IMAGE_V2} with the new patches`);
    for (const p of after) {
      expect(view(p), `annotations of ${p.metadata?.name} after the upgrade\n${renderSidecarPods(after)}`).toEqual({ json: { app: 1, sidecar: 2 }, retainSet: 'sidecar-1', retainKept: 'app', overwrite: 'sidecar-2' });
    }
  });

  it('each ControllerRevision records the patchPodMetadata of its spec', async () => {
    const name = `${ns.name}-hist`;
    const patch = (v: string) => [{ patchPolicy: 'Retain', annotations: { [KEY('test')]: v } }];
    await createAllowed(allowed(name, 'hist', patch('version-1')));
    await patchObject(SIDECARSET, undefined, name, { spec: { patchPodMetadata: patch('version-2') } });
    await observed(name);
    const revs = await waitForRevisions(name, (r) => r.length === 2, 'two revisions');
    const recorded = (r: V1ControllerRevision) => (revisionSpec(r).patchPodMetadata as { annotations?: Record<string, string> }[] | undefined)?.[0]?.annotations?.[KEY('test')];
    expect(revs.map(recorded), 'patchPodMetadata recorded per revision (oldest first)').toEqual(['version-1', 'version-2']);
  });

  it('rejects keys the whitelist does not allow, and SidecarSets no rule selects', async () => {
    // Wait until the webhook sees the whitelist, so the rejections below are about the rules.
    await createAllowed(allowed(`${ns.name}-probe`, 'probe', [{ patchPolicy: 'Retain', annotations: { [KEY('probe')]: 'x' } }]));
    const dry = (body: Record<string, unknown>) => () => createObject(SIDECARSET, undefined, body, { dryRun: true });
    await expectRejected(dry(allowed(`${ns.name}-badkey`, 'badkey', [{ patchPolicy: 'Retain', annotations: { 'other.example.com/key': 'x' } }])), 'patchPodMetadata', 'a key outside the allowed expressions');
    const unselected = allowed(`${ns.name}-unselected`, 'unselected', [{ patchPolicy: 'Retain', annotations: { [KEY('x')]: 'x' } }]);
    (unselected.metadata as { labels: Record<string, string> }).labels = {};
    await expectRejected(dry(unselected), 'patchPodMetadata', 'a SidecarSet no whitelist rule selects');
  });

  it('rejects a key another SidecarSet for the same pods patches, when either side overwrites it', async () => {
    const first = `${ns.name}-owner`;
    await createAllowed(allowed(first, 'shared-key', [{ patchPolicy: 'Overwrite', annotations: { [KEY('owned')]: 'first' } }]));
    const other = (suffix: string, policy: string) => {
      const body = allowed(`${ns.name}-${suffix}`, 'shared-key', [{ patchPolicy: policy, annotations: { [KEY('owned')]: '{"b":1}' } }]);
      (body.spec as { containers: unknown[] }).containers = [{ name: `sidecar-${suffix}`, image: IMAGE_V1 }];
      return body;
    };
    const message = await expectRejected(() => createObject(SIDECARSET, undefined, other('merger', 'MergePatchJson'), { dryRun: true }), 'patchPodMetadata', 'MergePatchJson on a key another SidecarSet overwrites');
    expect(message, 'the message names the other SidecarSet').toContain(first);
    const retained = await createObject(SIDECARSET, undefined, other('retainer', 'Retain'), { dryRun: true }).then(
      () => 'accepted',
      (err: unknown) => `rejected: ${serverMessage(err)}`,
    );
    expect(retained, 'Retain on that key (it never overwrites)').toBe('accepted');
  });
});
