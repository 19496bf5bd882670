/**
 * Deletion protection of CustomResourceDefinitions (spec §7; OpenKruise e2e "CRD deletion should be
 * protected"): Always refuses the delete; Cascading (which needs DeletionProtectionForCRDCascadingGate)
 * refuses it while a custom resource of the CRD exists and allows it once they are gone. Serial:
 * it creates and deletes cluster-scoped CRDs, each with a name unique to the run.
 */
import { ApiextensionsV1Api, PatchStrategy, setHeaderOptions, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { afterAll, it } from 'vitest';
import { createObject, deleteObject, type Resource } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv, timeouts } from '../lib/context.ts';
import { waitForObject } from '../../harness/kube/wait.ts';
import { expectDeleteAllowed, expectDeletedOrTerminating, expectDeleteRefused, expectSurvived, isServed, PROTECTION, UNPROTECT } from './fixtures.ts';

const GROUP = 'conformance.kruise.io';
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ext = () => kube().kc.makeApiClient(ApiextensionsV1Api);
const made: string[] = [];

afterAll(async () => {
  for (const name of made) {
    await ext().patchCustomResourceDefinition({ name, body: UNPROTECT }, mergePatch).catch(() => undefined);
    await ext().deleteCustomResourceDefinition({ name }).catch(() => undefined);
  }
});

/** A CRD labelled `value`, served at v1 (storage), waited for until discovery lists it. */
async function protectedCrd(tag: string, value: string): Promise<{ name: string; resource: Resource }> {
  const plural = `${tag}${runEnv().runId.replace(/[^a-z0-9]/g, '')}`;
  const name = `${plural}.${GROUP}`;
  const kind = `${tag[0]!.toUpperCase()}${tag.slice(1)}${runEnv().runId.replace(/[^a-z0-9]/g, '')}`;
  const body: V1CustomResourceDefinition = {
    metadata: { name, labels: { [PROTECTION]: value } },
    spec: {
      group: GROUP,
      names: { plural, singular: plural, kind, listKind: `${kind}List` },
      scope: 'Namespaced',
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
    },
  };
  await ext().createCustomResourceDefinition({ body });
  made.push(name);
  await waitForObject<V1CustomResourceDefinition & { metadata: { name?: string } }>(kube().kc, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', name, (crd) => !!crd?.status?.conditions?.some((c) => c.type === 'Established' && c.status === 'True'), {
    timeoutMs: timeouts().statusSync,
    describe: `CRD ${name} to be Established`,
  });
  return { name, resource: { group: GROUP, version: 'v1', plural, kind, namespaced: true } };
}

describeFeature('DeletionProtection.CRD', 'protected CRDs cannot be deleted', () => {
  const ns = useNamespace('dp-crd');

  it('Always: delete refused and the CRD still served, allowed once the label is removed', async () => {
    const { name, resource } = await protectedCrd('always', 'Always');
    await expectDeleteRefused(() => ext().deleteCustomResourceDefinition({ name }), 'Always', undefined, `deleting CRD ${name} labelled Always`);
    await expectSurvived(() => ext().readCustomResourceDefinition({ name }), `CRD ${name}`);
    if (!(await isServed(kube().kc, `${GROUP}/v1`, resource.plural))) throw new Error(`CRD ${name} survived the refused delete but its resource is no longer served`);
    await ext().patchCustomResourceDefinition({ name, body: UNPROTECT }, mergePatch);
    await expectDeleteAllowed(() => ext().deleteCustomResourceDefinition({ name }), `deleting CRD ${name} after removing the label`);
    await expectDeletedOrTerminating(() => ext().readCustomResourceDefinition({ name }), `CRD ${name}`);
  });

  it('Cascading: delete refused while a custom resource exists, allowed once it is deleted', async () => {
    const { name, resource } = await protectedCrd('cascading', 'Cascading');
    await createObject(resource, ns.name, { metadata: { name: 'one' } });
    await expectDeleteRefused(() => ext().deleteCustomResourceDefinition({ name }), 'Cascading', 'active CRs 1>0', `deleting Cascading CRD ${name} with one custom resource`);
    await expectSurvived(() => ext().readCustomResourceDefinition({ name }), `CRD ${name}`);
    await deleteObject(resource, ns.name, 'one');
    await expectDeleteAllowed(() => ext().deleteCustomResourceDefinition({ name }), `deleting Cascading CRD ${name} once its custom resource is gone`);
    await expectDeletedOrTerminating(() => ext().readCustomResourceDefinition({ name }), `CRD ${name}`);
  });
});
