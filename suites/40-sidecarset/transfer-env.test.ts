/**
 * transferEnv (spec §5.2, §5.4; OpenKruise e2e "sidecarSet inject pod sidecar container transfer
 * Envs", "... with downward API by metadata.labels", "... by metadata.annotations"): at injection
 * the named envs of one app container are copied into the sidecar. The source container is named
 * literally or read from a pod label / annotation through a fieldRef. An env the sidecar defines
 * itself keeps the sidecar's value; an env the source container lacks is skipped.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { expect, it } from 'vitest';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import { containerOf, createSidecarSet, envOf, sidecarSet } from './fixtures.ts';

const APP_ENV = [
  { name: 'POD_NAME', value: 'bar' },
  { name: 'OD_NAME', value: 'od_name' },
  { name: 'PROXY_IP', value: '127.0.0.1' },
];
const SIDECAR_ENV = [
  { name: 'OD_NAME', value: 'sidecar_name' },
  { name: 'SIDECAR_NAME', value: 'log' },
];
/** What the sidecar ends with: its own envs, IS_INJECTED, and the transferred ones it lacked. */
const EXPECTED = { OD_NAME: 'sidecar_name', SIDECAR_NAME: 'log', IS_INJECTED: 'true', POD_NAME: 'bar', PROXY_IP: '127.0.0.1' };


describeFeature('SidecarSet.TransferEnv', 'transferEnv copies envs of an app container into the sidecar', () => {
  const ns = useNamespace('ss-tenv');

  /** A pod with the source container `main` and a decoy `other` whose envs must not be copied. */
  function pod(name: string, app: string, meta: { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): V1Pod {
    return {
      metadata: { name, labels: { app, ...meta.labels }, annotations: meta.annotations },
      spec: {
        containers: [
          { name: 'main', image: IMAGE_V1, env: APP_ENV },
          { name: 'other', image: IMAGE_V1, env: [{ name: 'POD_NAME', value: 'decoy' }] },
        ],
      },
    };
  }

  it('copies the envs of the container named by sourceContainerName; the sidecar\'s own value wins and a missing env is skipped', async () => {
    const name = `${ns.name}-literal`;
    await createSidecarSet(
      sidecarSet(name, ns.name, 'literal', {
        containers: [
          {
            name: 'sidecar',
            image: IMAGE_V1,
            env: SIDECAR_ENV,
            transferEnv: [
              { sourceContainerName: 'main', envName: 'POD_NAME' },
              { sourceContainerName: 'main', envName: 'OD_NAME' },
              { sourceContainerName: 'main', envNames: ['PROXY_IP', 'NOT_IN_MAIN'] },
            ],
          },
        ],
        volumes: [],
      }),
    );
    const created = await kube().core.createNamespacedPod({ namespace: ns.name, body: pod('p-literal', 'literal') });
    expect(created.spec?.containers.map((c) => c.name), 'containers after injection').toEqual(['sidecar', 'main', 'other']);
    expect(envOf(created, 'sidecar'), `sidecar env: ${JSON.stringify(containerOf(created, 'sidecar')?.env)}`).toEqual(EXPECTED);
    expect(envOf(created, 'main'), 'the source container is unchanged').toEqual(Object.fromEntries(APP_ENV.map((e) => [e.name, e.value])));
  });

  for (const source of ['labels', 'annotations'] as const) {
    it(`names the source container through a fieldRef on metadata.${source}['biz']`, async () => {
      const name = `${ns.name}-${source}`;
      const app = `from-${source}`;
      await createSidecarSet(
        sidecarSet(name, ns.name, app, {
          containers: [
            {
              name: 'sidecar',
              image: IMAGE_V1,
              env: SIDECAR_ENV,
              transferEnv: [{ sourceContainerNameFrom: { fieldRef: { apiVersion: 'v1', fieldPath: `metadata.${source}['biz']` } }, envNames: ['POD_NAME', 'OD_NAME', 'PROXY_IP'] }],
            },
          ],
          volumes: [],
        }),
      );
      const created = await kube().core.createNamespacedPod({ namespace: ns.name, body: pod(`p-${source}`, app, { [source]: { biz: 'main' } }) });
      expect(envOf(created, 'sidecar'), `sidecar env with the source named by ${source}['biz']=main: ${JSON.stringify(containerOf(created, 'sidecar')?.env)}`).toEqual(EXPECTED);

      // The same SidecarSet with the label/annotation pointing at the decoy copies the decoy's env.
      const decoy = await kube().core.createNamespacedPod({ namespace: ns.name, body: pod(`p-${source}-decoy`, app, { [source]: { biz: 'other' } }) });
      expect(envOf(decoy, 'sidecar'), `sidecar env with ${source}['biz']=other: ${JSON.stringify(containerOf(decoy, 'sidecar')?.env)}`).toEqual({ OD_NAME: 'sidecar_name', SIDECAR_NAME: 'log', IS_INJECTED: 'true', POD_NAME: 'decoy' });
    });
  }
});
