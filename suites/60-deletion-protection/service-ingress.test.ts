/**
 * Deletion protection of Services and Ingresses (since 1.6; spec §7; OpenKruise e2e "Service
 * deletion should be protected", "Ingress deletion should be protected"): only Always is honoured;
 * Cascading on these kinds protects nothing (OpenKruise's rule for them has no Cascading branch).
 */
import { NetworkingV1Api, PatchStrategy, setHeaderOptions, type V1Ingress, type V1Service } from '@kubernetes/client-node';
import { it } from 'vitest';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { expectDeleteAllowed, expectDeletedOrTerminating, expectDeleteRefused, expectSurvived, protectedBy, UNPROTECT } from './fixtures.ts';

const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const net = () => kube().kc.makeApiClient(NetworkingV1Api);

const service = (name: string, value: string): V1Service => protectedBy({ metadata: { name }, spec: { ports: [{ name: 'http', port: 80 }], selector: { app: name } } }, value);
const ingress = (name: string, value: string): V1Ingress =>
  protectedBy(
    {
      metadata: { name },
      spec: { rules: [{ host: 'foo.bar.com', http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'test', port: { number: 80 } } } }] } }] },
    },
    value,
  );

describeFeature('DeletionProtection.ServiceIngress', 'protected Services and Ingresses cannot be deleted', () => {
  const ns = useNamespace('dp-svc');

  it('Service with Always: delete refused and the Service kept, allowed once the label is removed', async () => {
    const { core } = kube();
    await core.createNamespacedService({ namespace: ns.name, body: service('web', 'Always') });
    const del = () => core.deleteNamespacedService({ namespace: ns.name, name: 'web' });
    const read = () => core.readNamespacedService({ namespace: ns.name, name: 'web' });
    await expectDeleteRefused(del, 'Always', undefined, 'deleting a Service labelled Always');
    await expectSurvived(read, 'the Service labelled Always');
    await core.patchNamespacedService({ namespace: ns.name, name: 'web', body: UNPROTECT }, mergePatch);
    await expectDeleteAllowed(del, 'deleting the Service after removing the label');
    await expectDeletedOrTerminating(read, 'the unprotected Service');
  });

  it('Ingress with Always: delete refused and the Ingress kept, allowed once the label is removed', async () => {
    await net().createNamespacedIngress({ namespace: ns.name, body: ingress('ing', 'Always') });
    const del = () => net().deleteNamespacedIngress({ namespace: ns.name, name: 'ing' });
    const read = () => net().readNamespacedIngress({ namespace: ns.name, name: 'ing' });
    await expectDeleteRefused(del, 'Always', undefined, 'deleting an Ingress labelled Always');
    await expectSurvived(read, 'the Ingress labelled Always');
    await net().patchNamespacedIngress({ namespace: ns.name, name: 'ing', body: UNPROTECT }, mergePatch);
    await expectDeleteAllowed(del, 'deleting the Ingress after removing the label');
    await expectDeletedOrTerminating(read, 'the unprotected Ingress');
  });

  it('Cascading is not enforced on Services and Ingresses: both are deleted', async () => {
    const { core } = kube();
    await core.createNamespacedService({ namespace: ns.name, body: service('cascading', 'Cascading') });
    await net().createNamespacedIngress({ namespace: ns.name, body: ingress('cascading', 'Cascading') });
    await expectDeleteAllowed(() => core.deleteNamespacedService({ namespace: ns.name, name: 'cascading' }), 'deleting a Service labelled Cascading');
    await expectDeleteAllowed(() => net().deleteNamespacedIngress({ namespace: ns.name, name: 'cascading' }), 'deleting an Ingress labelled Cascading');
    await expectDeletedOrTerminating(() => core.readNamespacedService({ namespace: ns.name, name: 'cascading' }), 'the Service labelled Cascading');
    await expectDeletedOrTerminating(() => net().readNamespacedIngress({ namespace: ns.name, name: 'cascading' }), 'the Ingress labelled Cascading');
  });
});
