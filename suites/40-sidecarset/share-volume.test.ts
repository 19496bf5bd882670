/**
 * shareVolumePolicy (spec §5.4; OpenKruise e2e "sidecarSet inject pod sidecar container
 * volumeMounts", "... volumeMounts, SubPathExpr with expanded subpath"): a sidecar with
 * `shareVolumePolicy.type: enabled` also mounts every volumeMount of the pod's app containers,
 * except where it already mounts something at that mountPath (its own mount wins). Envs a shared
 * mount's subPathExpr refers to are copied from the app container; the sidecar's own env of the
 * same name wins. A sidecar with the default policy (disabled) gets none of them.
 */
import type { V1Pod, V1VolumeMount } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import { containerOf, createSidecarSet, envOf, sidecarSet } from './fixtures.ts';

const mountsOf = (pod: V1Pod, name: string): Record<string, Omit<V1VolumeMount, 'mountPath'>> =>
  Object.fromEntries((containerOf(pod, name)?.volumeMounts ?? []).map(({ mountPath, ...rest }) => [mountPath, rest]));

describeFeature(['SidecarSet.ShareVolume', 'SidecarSet.VolumeMerge'], 'shareVolumePolicy shares the app containers\' volumeMounts with a sidecar', () => {
  const ns = useNamespace('ss-share');

  it('an enabled sidecar mounts the app volumes too (its own mount wins a mountPath); a disabled one does not', async () => {
    const name = `${ns.name}-mounts`;
    const ss = await createSidecarSet(
      sidecarSet(name, ns.name, 'mounts', {
        containers: [
          {
            name: 'sharer',
            image: IMAGE_V1,
            shareVolumePolicy: { type: 'enabled' },
            volumeMounts: [
              { name: 'sc-data', mountPath: '/data' },
              { name: 'sc-own', mountPath: '/sc-own' },
            ],
          },
          { name: 'loner', image: IMAGE_V1, podInjectPolicy: 'AfterAppContainer' },
        ],
        volumes: [
          { name: 'sc-data', emptyDir: {} },
          { name: 'sc-own', emptyDir: {} },
        ],
      }),
    );
    expect((ss.spec?.containers as { shareVolumePolicy?: { type?: string } }[] | undefined)?.map((c) => c.shareVolumePolicy?.type), 'shareVolumePolicy.type defaults to disabled').toEqual(['enabled', 'disabled']);

    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name: 'p-mounts', labels: { app: 'mounts' } },
        // No service-account token mount: it would be shared like any other mount of the app container.
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'main',
              image: IMAGE_V1,
              volumeMounts: [
                { name: 'app-vol', mountPath: '/app-vol' },
                { name: 'app-data', mountPath: '/data' },
              ],
            },
          ],
          volumes: [
            { name: 'app-vol', emptyDir: {} },
            { name: 'app-data', emptyDir: {} },
          ],
        },
      },
    });
    expect(pod.spec?.containers.map((c) => c.name), 'container order').toEqual(['sharer', 'main', 'loner']);
    expect(mountsOf(pod, 'sharer'), `mounts of the enabled sidecar: ${JSON.stringify(containerOf(pod, 'sharer')?.volumeMounts)}`).toEqual({
      '/data': { name: 'sc-data' },
      '/sc-own': { name: 'sc-own' },
      '/app-vol': { name: 'app-vol' },
    });
    expect(containerOf(pod, 'loner')?.volumeMounts ?? [], 'mounts of the disabled sidecar').toEqual([]);
    expect(mountsOf(pod, 'main'), 'the app container keeps its own mounts').toEqual({ '/app-vol': { name: 'app-vol' }, '/data': { name: 'app-data' } });
    expect(new Set(pod.spec?.volumes?.map((v) => v.name)), `pod volumes: ${JSON.stringify(pod.spec?.volumes)}`).toEqual(new Set(['app-vol', 'app-data', 'sc-data', 'sc-own']));
  });

  it('a shared mount keeps its subPathExpr and brings the envs it expands; the sidecar\'s own env wins', async () => {
    const name = `${ns.name}-subpath`;
    await createSidecarSet(
      sidecarSet(name, ns.name, 'subpath', {
        containers: [{ name: 'sharer', image: IMAGE_V1, shareVolumePolicy: { type: 'enabled' }, env: [{ name: 'OD_NAME', value: 'sidecar_name' }] }],
        volumes: [],
      }),
    );
    const subPathExpr = 'foo/$(POD_NAME)/$(OD_NAME)/conf';
    const pod = await kube().core.createNamespacedPod({
      namespace: ns.name,
      body: {
        metadata: { name: 'p-subpath', labels: { app: 'subpath' } },
        // No service-account token mount: it would be shared like any other mount of the app container.
        spec: {
          automountServiceAccountToken: false,
          containers: [
            {
              name: 'main',
              image: IMAGE_V1,
              env: [
                { name: 'POD_NAME', value: 'bar' },
                { name: 'OD_NAME', value: 'od_name' },
                { name: 'UNRELATED', value: 'x' },
              ],
              volumeMounts: [{ name: 'app-vol', mountPath: '/app-vol', subPathExpr }],
            },
          ],
          volumes: [{ name: 'app-vol', emptyDir: {} }],
        },
      },
    });
    expect(mountsOf(pod, 'sharer'), `mounts of the sidecar: ${JSON.stringify(containerOf(pod, 'sharer')?.volumeMounts)}`).toEqual({ '/app-vol': { name: 'app-vol', subPathExpr } });
    expect(envOf(pod, 'sharer'), `env of the sidecar: ${JSON.stringify(containerOf(pod, 'sharer')?.env)}`).toEqual({ OD_NAME: 'sidecar_name', IS_INJECTED: 'true', POD_NAME: 'bar' });
  });
});
