import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { MANAGED_BY } from '../../kube/namespace.ts';
import { LOCAL_DATA_DIR } from '../local/config.ts';
import { CSI_NAMESPACE, CSI_POD_SELECTOR, CSI_PROVISIONER, csiManifestPaths } from './csi.ts';

interface Doc {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}
interface Container {
  name: string;
  image: string;
  args?: string[];
}

const docs: Doc[] = csiManifestPaths().flatMap((file) =>
  parseAllDocuments(readFileSync(file, 'utf8')).map((d) => {
    expect(d.errors, file).toEqual([]);
    return d.toJS() as Doc;
  }),
);
const find = (kind: string, name?: string) => docs.filter((d) => d.kind === kind && (!name || d.metadata.name === name));

describe('clusters/csi manifests', () => {
  it('create the namespace before anything that lives in it, and do not mark it as a test namespace', () => {
    const first = docs.findIndex((d) => d.metadata.namespace === CSI_NAMESPACE);
    const ns = docs.findIndex((d) => d.kind === 'Namespace' && d.metadata.name === CSI_NAMESPACE);
    expect(ns).toBeGreaterThanOrEqual(0);
    expect(ns).toBeLessThan(first);
    // The existing provider deletes namespaces with this label on `down`.
    expect(docs[ns]!.metadata.labels ?? {}).not.toMatchObject(MANAGED_BY);
  });

  it('offer the local provider\'s StorageClass names, served by the hostpath driver', () => {
    const local = (parseAllDocuments(readFileSync(join(LOCAL_DATA_DIR, 'storage.yaml'), 'utf8'))[0]!.toJS() as { items: Doc[] }).items
      .filter((d) => d.kind === 'StorageClass')
      .map((d) => d.metadata.name)
      .sort();
    const classes = find('StorageClass');
    expect(classes.map((c) => c.metadata.name).sort()).toEqual(local);
    const byName = Object.fromEntries(classes.map((c) => [c.metadata.name, c]));
    expect(byName.expandable).toMatchObject({ provisioner: CSI_PROVISIONER, allowVolumeExpansion: true, metadata: { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } } });
    expect(byName.fixed).toMatchObject({ provisioner: CSI_PROVISIONER, allowVolumeExpansion: false });
    expect(byName.fixed!.metadata.annotations?.['storageclass.kubernetes.io/is-default-class']).toBeUndefined();
    expect(find('CSIDriver', CSI_PROVISIONER)).toHaveLength(1);
  });

  it('run the driver with a provisioner, a resizer and a node registrar, on pinned images', () => {
    const [sts] = find('StatefulSet') as (Doc & { spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { serviceAccountName: string; containers: Container[] } } } })[];
    expect(sts, 'a StatefulSet').toBeDefined();
    expect(sts!.metadata.namespace).toBe(CSI_NAMESPACE);
    expect(sts!.spec.replicas).toBe(1);
    const [key, value] = CSI_POD_SELECTOR.split('=');
    expect(sts!.spec.template.metadata.labels[key!]).toBe(value);
    expect(sts!.spec.selector.matchLabels[key!]).toBe(value);
    const containers = sts!.spec.template.spec.containers;
    expect(containers.map((c) => c.name).sort()).toEqual(['csi-provisioner', 'csi-resizer', 'hostpath', 'liveness-probe', 'node-driver-registrar']);
    for (const c of containers) expect(c.image, c.name).toMatch(/^registry\.k8s\.io\/sig-storage\/[a-z-]+:v\d+\.\d+\.\d+$/);
    expect(containers.find((c) => c.name === 'hostpath')!.args).toContain(`--drivername=${CSI_PROVISIONER}`);
    expect(find('ServiceAccount', sts!.spec.template.spec.serviceAccountName)).toHaveLength(1);
  });

  it('grant the resizer what expansion needs, bound to the driver\'s service account', () => {
    type Role = Doc & { rules: { apiGroups: string[]; resources: string[]; verbs: string[] }[] };
    type Binding = Doc & { roleRef: { name: string }; subjects: { name: string; namespace: string }[] };
    const allows = (role: Role, resource: string, verb: string) => role.rules.some((r) => r.resources.includes(resource) && r.verbs.includes(verb));
    const roles = find('ClusterRole') as Role[];
    const resizer = roles.find((r) => r.metadata.name.endsWith('resizer'))!;
    const provisioner = roles.find((r) => r.metadata.name.endsWith('provisioner'))!;
    expect(allows(resizer, 'persistentvolumes', 'patch')).toBe(true);
    expect(allows(resizer, 'persistentvolumeclaims/status', 'patch')).toBe(true);
    expect(allows(provisioner, 'persistentvolumes', 'create')).toBe(true);
    expect(allows(provisioner, 'persistentvolumes', 'delete')).toBe(true);
    const bindings = find('ClusterRoleBinding') as Binding[];
    for (const role of [resizer, provisioner]) {
      const binding = bindings.find((b) => b.roleRef.name === role.metadata.name);
      expect(binding?.subjects, role.metadata.name).toEqual([{ kind: 'ServiceAccount', name: 'csi-hostpath', namespace: CSI_NAMESPACE }]);
    }
  });
});
