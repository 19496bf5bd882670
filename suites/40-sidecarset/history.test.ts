/**
 * SidecarSet revision history (spec §5.5; OpenKruise e2e "sidecarSet history revision checker",
 * "sidecarSet history revision data checker"). Each distinct spec is recorded as a
 * ControllerRevision in the manager's namespace (SidecarSets are cluster-scoped), labelled
 * kruise.io/sidecarset-name=<name>, with .revision counting up and data.spec holding volumes,
 * containers, initContainers, imagePullSecrets and patchPodMetadata. status.latestRevision names
 * the newest. Returning to an earlier spec re-numbers that revision instead of adding one; beyond
 * revisionHistoryLimit (default 10) the oldest revisions are deleted, except those pods still use.
 * Revision names are implementation-generated: only their relationships are asserted.
 */
import type { V1ControllerRevision } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { isPodReady } from '../../harness/kube/invariants.ts';
import { CLONESET, SIDECARSET, createObject, patchObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { timeouts } from '../lib/context.ts';
import { IMAGE_V1, cloneSet, podsOf } from '../lib/workloads.ts';
import {
  HASH_ANNOTATION,
  REVISION_OWNER_LABEL,
  createSidecarSet,
  managerNamespace,
  observed,
  podHashEntry,
  renderRevisions,
  revisionSpec,
  revisionsOf,
  sidecarSet,
  waitForRevisions,
  waitForSidecarPods,
  waitForSidecarSet,
} from './fixtures.ts';

const secretsOf = (r: V1ControllerRevision) => (revisionSpec(r).imagePullSecrets as { name: string }[] | null | undefined)?.map((s) => s.name);
const numbers = (revs: V1ControllerRevision[]) => revs.map((r) => r.revision);
const secrets = (n: number) => ({ spec: { imagePullSecrets: [{ name: `secret-${n}` }] } });

describeFeature('SidecarSet.History', 'ControllerRevisions record every SidecarSet spec', () => {
  const ns = useNamespace('ss-history');

  it('records each spec in the manager namespace, with the recorded fields, and names the newest in status.latestRevision', async () => {
    const name = `${ns.name}-data`;
    const first = await createSidecarSet(sidecarSet(name, ns.name, 'data', { imagePullSecrets: [{ name: 'secret-1' }] }));
    expect(first.spec?.revisionHistoryLimit, 'revisionHistoryLimit defaults to 10').toBe(10);
    const [r1] = await waitForRevisions(name, (revs) => revs.length === 1, 'one revision after creation');
    expect(r1!.metadata?.namespace, 'revisions live in the manager namespace').toBe(managerNamespace());
    expect(r1!.metadata?.labels?.[REVISION_OWNER_LABEL], `label ${REVISION_OWNER_LABEL} of the revision`).toBe(name);
    expect(first.status?.latestRevision, 'status.latestRevision names the only revision').toBe(r1!.metadata?.name);
    expect(r1!.metadata?.annotations?.[HASH_ANNOTATION], 'the revision carries the SidecarSet hash').toBe(first.metadata.annotations?.[HASH_ANNOTATION]);
    const spec = revisionSpec(r1!);
    for (const key of ['volumes', 'containers', 'initContainers', 'imagePullSecrets', 'patchPodMetadata']) expect(key in spec, `data.spec records ${key}: ${JSON.stringify(spec)}`).toBe(true);
    expect((spec.containers as { name: string; image: string }[]).map((c) => [c.name, c.image]), 'recorded containers').toEqual([['sidecar', IMAGE_V1]]);
    expect((spec.volumes as { name: string }[]).map((v) => v.name), 'recorded volumes').toEqual(['shared']);
    expect(secretsOf(r1!), 'recorded imagePullSecrets').toEqual(['secret-1']);

    await patchObject(SIDECARSET, undefined, name, secrets(2));
    const second = await observed(name);
    const revs = await waitForRevisions(name, (r) => r.length === 2, 'two revisions after one update');
    expect(numbers(revs), `revision numbers:\n${renderRevisions(revs as never)}`).toEqual([1, 2]);
    expect(revs.map(secretsOf), 'each revision records its own spec').toEqual([['secret-1'], ['secret-2']]);
    expect(second.status?.latestRevision, 'status.latestRevision names the newest revision').toBe(revs[1]!.metadata?.name);
    expect(revs[0]!.metadata?.name, 'the first revision is kept under its name').toBe(r1!.metadata?.name);
  });

  it('keeps revisionHistoryLimit (10) revisions; returning to an earlier spec re-numbers its revision', async () => {
    const name = `${ns.name}-trunc`;
    await createSidecarSet(sidecarSet(name, ns.name, 'trunc', { imagePullSecrets: [{ name: 'secret-1' }] }));
    for (let i = 2; i <= 15; i++) {
      await patchObject(SIDECARSET, undefined, name, secrets(i));
      await observed(name);
    }
    let revs = await waitForRevisions(name, (r) => r.length === 10, 'the 10 newest of 15 kept');
    expect(numbers(revs), `revisions kept:\n${renderRevisions(revs as never)}`).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect(revs.map((r) => secretsOf(r)?.[0]), 'each kept revision records its spec').toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15].map((n) => `secret-${n}`));
    const twelve = revs.find((r) => r.revision === 12)!;

    // Back to the spec of revision 12: that revision becomes number 16; nothing is added.
    await patchObject(SIDECARSET, undefined, name, secrets(12));
    const back = await observed(name);
    revs = await waitForRevisions(name, (r) => numbers(r).join() === '6,7,8,9,10,11,13,14,15,16', 'revision 12 re-numbered 16');
    const latest = revs[revs.length - 1]!;
    expect(latest.metadata?.name, 'the re-numbered revision is the one that recorded secret-12').toBe(twelve.metadata?.name);
    expect(secretsOf(latest), 'imagePullSecrets recorded by the re-numbered revision').toEqual(['secret-12']);
    expect(back.status?.latestRevision, 'status.latestRevision names it').toBe(latest.metadata?.name);
  });

  it('beyond revisionHistoryLimit, a revision that pods still use is kept', async () => {
    const name = `${ns.name}-inuse`;
    const ss = await createSidecarSet(sidecarSet(name, ns.name, 'inuse', { revisionHistoryLimit: 1, imagePullSecrets: [{ name: 'secret-1' }] }));
    await createObject(CLONESET, ns.name, cloneSet('inuse', { replicas: 1 }));
    const [pod] = await waitForSidecarPods(ns.name, podsOf('inuse'), 1, isPodReady, '1 Ready pod with the sidecar', timeouts().podsReady);
    await waitForSidecarSet(name, (s) => s.status?.matchedPods === 1, 'the pod is matched', timeouts().statusSync);
    const used = podHashEntry(pod!, name)?.controllerRevision;
    expect(used, 'the pod records the revision it was injected from').toBe(ss.status?.latestRevision);

    // imagePullSecrets are not part of the sidecar hash: the pod stays on its revision.
    for (const i of [2, 3]) {
      await patchObject(SIDECARSET, undefined, name, secrets(i));
      await observed(name);
    }
    const revs = await waitForRevisions(name, (r) => numbers(r).join() === '1,3', 'revision 1 (in use) and 3 (latest) kept, 2 deleted');
    expect(revs[0]!.metadata?.name, `the revision the pod uses is kept:\n${renderRevisions(revs as never)}`).toBe(used);
    expect((await revisionsOf(name)).length, 'revisions of the SidecarSet').toBe(2);
  });
});
