import { describe, expect, it } from 'vitest';
import type { FeatureName } from '../../runtime/feature-gates.ts';
import type { AdmissionRequest } from '../admission.ts';
import { validateCloneSetHandler, validateStatefulSetHandler, type HandlerDeps } from '../handlers.ts';
import { mutatingConfiguration, PATHS, validatingConfiguration, WEBHOOK_NAMES } from '../configurations.ts';
import { validateAlwaysOnlyDeletion, validateBuiltinWorkloadDeletion, validateCrdDeletion, validateNamespaceDeletion } from './handlers.ts';

const deps: HandlerDeps = {
  gates: { enabled: (n: FeatureName) => n === 'ResourcesDeletionProtection' },
  cluster: {
    getPod: async () => undefined,
    getStorageClass: async () => undefined,
    listStorageClasses: async () => [],
    listPods: async () => [{ status: { phase: 'Running' } }],
    listPersistentVolumeClaims: async () => [],
    listCustomObjects: async () => [],
  },
};

function del(kind: string, oldObject: unknown, extra: Partial<AdmissionRequest> = {}): AdmissionRequest {
  return { uid: 'u', kind: { group: '', version: 'v1', kind }, resource: { group: '', version: 'v1', resource: `${kind.toLowerCase()}s` }, operation: 'DELETE', name: 'x', oldObject, ...extra };
}
const obj = (value: string, replicas?: number) => ({ metadata: { name: 'x', labels: { 'policy.kruise.io/delete-protection': value } }, spec: { replicas } });

describe('deletion protection handlers', () => {
  it.each([
    ['Deployment', validateBuiltinWorkloadDeletion, obj('Cascading', 2), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Cascading and replicas 2>0'],
    ['ReplicaSet', validateBuiltinWorkloadDeletion, obj('Always'), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Always'],
    ['StatefulSet', validateBuiltinWorkloadDeletion, obj('Always'), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Always'],
    ['Namespace', validateNamespaceDeletion, obj('Cascading'), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Cascading and active pods 1>0'],
    ['CustomResourceDefinition', validateCrdDeletion, obj('Cascading'), 'feature-gate DeletionProtectionForCRDCascadingGate is not enabled'],
    ['Service', validateAlwaysOnlyDeletion, obj('Always'), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Always'],
    ['CloneSet', validateCloneSetHandler, obj('Cascading', 1), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Cascading and replicas 1>0'],
    ['StatefulSet (apps.kruise.io)', validateStatefulSetHandler, obj('Always', 0), 'forbidden by ResourcesProtectionDeletion for policy.kruise.io/delete-protection=Always'],
  ] as const)('%s: a protected DELETE is a 403 with the rule text', async (kind, handler, old, message) => {
    const v = await handler(del(kind.split(' ')[0]!, old), deps);
    expect(v).toEqual({ allowed: false, status: { status: 'Failure', code: 403, message } });
  });

  it('allows what is not a DELETE of the object itself', async () => {
    expect(await validateAlwaysOnlyDeletion(del('Service', obj('Always'), { operation: 'UPDATE', object: obj('Always') }), deps)).toEqual({ allowed: true });
    expect(await validateAlwaysOnlyDeletion(del('Service', obj('Always'), { subResource: 'status' }), deps)).toEqual({ allowed: true });
    expect(await validateNamespaceDeletion(del('Namespace', undefined), deps)).toEqual({ allowed: true });
  });

  it('allows kinds the builtin workload rule does not know', async () => {
    expect(await validateBuiltinWorkloadDeletion(del('DaemonSet', obj('Always')), deps)).toEqual({ allowed: true });
  });
});

describe('deletion protection webhook registration', () => {
  const config = validatingConfiguration({ clientConfig: (path) => ({ url: `https://h${path}` }) });
  const byName = (name: string) => config.webhooks?.find((w) => w.name === name);

  it.each([
    [WEBHOOK_NAMES.validateDeployment, PATHS.validateDeployment, 'apps', 'deployments'],
    [WEBHOOK_NAMES.validateReplicaSet, PATHS.validateReplicaSet, 'apps', 'replicasets'],
    [WEBHOOK_NAMES.validateAppsStatefulSet, PATHS.validateAppsStatefulSet, 'apps', 'statefulsets'],
    [WEBHOOK_NAMES.validateNamespace, PATHS.validateNamespace, '', 'namespaces'],
    [WEBHOOK_NAMES.validateCrd, PATHS.validateCrd, 'apiextensions.k8s.io', 'customresourcedefinitions'],
    [WEBHOOK_NAMES.validateService, PATHS.validateService, '', 'services'],
    [WEBHOOK_NAMES.validateIngress, PATHS.validateIngress, 'networking.k8s.io', 'ingresses'],
  ])('%s: DELETE of %s %s, labelled objects only', (name, path, group, resource) => {
    const w = byName(name);
    expect(w?.clientConfig.url).toBe(`https://h${path}`);
    expect(w?.rules).toEqual([expect.objectContaining({ apiGroups: [group], operations: ['DELETE'], resources: [resource] })]);
    expect(w?.objectSelector).toEqual({ matchExpressions: [{ key: 'policy.kruise.io/delete-protection', operator: 'Exists' }] });
  });

  it('sends CloneSet and Advanced StatefulSet deletes to their validating webhooks', () => {
    for (const name of [WEBHOOK_NAMES.validateCloneSet, WEBHOOK_NAMES.validateStatefulSet]) expect(byName(name)?.rules?.[0]?.operations).toContain('DELETE');
    expect(mutatingConfiguration({ clientConfig: () => ({}) }).webhooks?.flatMap((w) => w.rules?.flatMap((r) => r.operations) ?? [])).not.toContain('DELETE');
  });
});
