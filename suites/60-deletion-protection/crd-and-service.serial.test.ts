/**
 * Deletion protection of CRDs (Always; Cascading needs DeletionProtectionForCRDCascadingGate) and
 * of Services (Always only) — spec §7; OpenKruise e2e "CRD deletion should be protected",
 * "Service deletion should be protected". Serial: it creates a cluster-scoped CRD.
 */
import { ApiextensionsV1Api, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { afterAll, it } from 'vitest';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, runEnv } from '../lib/context.ts';

const PROTECTION = 'policy.kruise.io/delete-protection';
const unlabel = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

describeFeature('DeletionProtection.CRD', 'protected CRDs cannot be deleted', () => {
  const plural = `widgets${runEnv().runId.replace(/[^a-z0-9]/g, '')}`;
  const name = `${plural}.conformance.kruise.io`;
  const ext = () => kube().kc.makeApiClient(ApiextensionsV1Api);
  afterAll(async () => {
    await ext().patchCustomResourceDefinition({ name, body: { metadata: { labels: { [PROTECTION]: null } } } }, unlabel).catch(() => undefined);
    await ext().deleteCustomResourceDefinition({ name }).catch(() => undefined);
  });

  it('Always: delete rejected, naming the label', async () => {
    await ext().createCustomResourceDefinition({
      body: {
        metadata: { name, labels: { [PROTECTION]: 'Always' } },
        spec: {
          group: 'conformance.kruise.io',
          names: { plural, singular: plural.slice(0, -1), kind: 'Widget', listKind: 'WidgetList' },
          scope: 'Namespaced',
          versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', x_kubernetes_preserve_unknown_fields: true } } }],
        },
      },
    });
    await expectRejected(() => ext().deleteCustomResourceDefinition({ name }), PROTECTION, `deleting CRD ${name} labelled Always`);
  });
});

describeFeature('DeletionProtection.ServiceIngress', 'protected Services cannot be deleted', () => {
  const ns = useNamespace('dp-svc');
  it('Service with Always: delete rejected until the label is removed', async () => {
    const { core } = kube();
    await core.createNamespacedService({ namespace: ns.name, body: { metadata: { name: 'web', labels: { [PROTECTION]: 'Always' } }, spec: { ports: [{ port: 80 }], selector: { app: 'web' } } } });
    await expectRejected(() => core.deleteNamespacedService({ namespace: ns.name, name: 'web' }), PROTECTION, 'deleting a Service labelled Always');
    await core.patchNamespacedService({ namespace: ns.name, name: 'web', body: { metadata: { labels: { [PROTECTION]: null } } } }, unlabel);
    await core.deleteNamespacedService({ namespace: ns.name, name: 'web' });
  });
});
