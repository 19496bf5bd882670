/**
 * Preflight: before any behaviour is tested, the implementation's API must be there. Fails in
 * seconds with one message when nothing serves apps.kruise.io, instead of 100 tests timing out.
 */
import { expect, it } from 'vitest';
import { rawGet } from '../../harness/kube/client.ts';
import { feature } from '../../harness/features.ts';
import { describeFeature } from '../lib/conformance.ts';
import { kube, runEnv } from '../lib/context.ts';

interface APIResourceList {
  groupVersion: string;
  resources: { name: string; kind: string; namespaced: boolean; shortNames?: string[] }[];
}

/** Kinds the implementation must serve, by the areas of the features it claims (or by one feature, when `feature` is set). */
const SERVED: { area: string; feature?: string; groupVersion: string; resource: string; subresources: string[] }[] = [
  { area: 'CloneSet', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'clonesets', subresources: ['status', 'scale'] },
  { area: 'StatefulSet', groupVersion: 'apps.kruise.io/v1beta1', resource: 'statefulsets', subresources: ['status', 'scale'] },
  { area: 'StatefulSet', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'statefulsets', subresources: ['status', 'scale'] },
  { area: 'WorkloadSpread', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'workloadspreads', subresources: ['status'] },
  { area: 'SidecarSet', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'sidecarsets', subresources: ['status'] },
  // OpenKruise 1.9 serves v1beta1 too; 1.8 does not, so only an implementation claiming it must.
  { area: 'SidecarSet', feature: 'SidecarSet.V1beta1', groupVersion: 'apps.kruise.io/v1beta1', resource: 'sidecarsets', subresources: ['status'] },
  { area: 'DaemonSet', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'daemonsets', subresources: ['status'] },
  { area: 'PodProbeMarker', groupVersion: 'apps.kruise.io/v1alpha1', resource: 'podprobemarkers', subresources: ['status'] },
];

function required(s: (typeof SERVED)[number]): boolean {
  const claims = runEnv().implementation.claims;
  if (claims === 'all') return true;
  if (s.feature) return claims.includes(s.feature);
  return claims.some((id) => feature(id).area === s.area);
}

describeFeature('Preflight.APIServed', 'the implementation serves its API', () => {
  // Only the kinds of claimed areas are required; the others are not tests of this implementation.
  for (const s of SERVED.filter(required)) {
    it(`serves ${s.resource} at ${s.groupVersion} with ${s.subresources.join(' and ')} subresources (${s.feature ?? s.area} is claimed)`, async () => {
      let list: APIResourceList;
      try {
        list = JSON.parse(await rawGet(kube().kc, `/apis/${s.groupVersion}`)) as APIResourceList;
      } catch (err) {
        expect.fail(
          `the API server does not serve ${s.groupVersion} (${(err as Error).message.split('\n')[0]}): is the implementation installed? Its CRDs must be applied before the suites run.`,
        );
      }
      const names = list.resources.map((r) => r.name);
      expect(names, `resources served at ${s.groupVersion}`).toContain(s.resource);
      for (const sub of s.subresources) expect(names, `subresources of ${s.resource} at ${s.groupVersion}`).toContain(`${s.resource}/${sub}`);
    });
  }
});
