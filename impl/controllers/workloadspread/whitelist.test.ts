import { describe, expect, it } from 'vitest';
import { parseWhitelist, whitelisted, whitelistedOwnerKinds } from './whitelist.ts';

describe('parseWhitelist', () => {
  it('reads OpenKruise e2e spelling and lower-case keys alike', () => {
    const list = parseWhitelist(
      JSON.stringify({
        workloads: [
          { Group: 'kubeflow.org', Version: 'v1', Kind: 'TFJob', ReplicasPath: 'spec.tfReplicaSpecs.MASTER.replicas' },
          { group: 'apps.kruise.io', version: 'v1alpha1', kind: 'DaemonSet', subResources: [{ group: 'apps', version: 'v1', kind: 'ControllerRevision' }] },
        ],
      }),
    );
    expect(list.workloads).toEqual([
      { group: 'kubeflow.org', version: 'v1', kind: 'TFJob', replicasPath: 'spec.tfReplicaSpecs.MASTER.replicas', subResources: [] },
      { group: 'apps.kruise.io', version: 'v1alpha1', kind: 'DaemonSet', replicasPath: '', subResources: [{ group: 'apps', version: 'v1', kind: 'ControllerRevision' }] },
    ]);
    expect(whitelisted(list, 'kubeflow.org', 'TFJob')?.replicasPath).toBe('spec.tfReplicaSpecs.MASTER.replicas');
    expect(whitelisted(list, 'kubeflow.org', 'PyTorchJob')).toBeUndefined();
    expect(whitelistedOwnerKinds(list).map((k) => k.kind)).toEqual(['TFJob', 'DaemonSet', 'ControllerRevision']);
  });

  it('treats a missing or empty value as no custom workloads and rejects malformed JSON', () => {
    expect(parseWhitelist(undefined).workloads).toEqual([]);
    expect(parseWhitelist('{}').workloads).toEqual([]);
    expect(() => parseWhitelist('{"workloads":')).toThrow();
    expect(() => parseWhitelist('{"workloads":{}}')).toThrow(/must be a list/);
  });
});
