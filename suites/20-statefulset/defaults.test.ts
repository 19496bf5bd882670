/**
 * Advanced StatefulSet defaults (spec §3.2; §3.1 for the two served versions). The mutating
 * webhook fills them in at admission, for v1beta1 and v1alpha1 alike. Defaults that depend on
 * an OpenKruise feature gate are asserted according to the gates the implementation runs with
 * (StatefulSetAutoDeletePVC and PodIndexLabel default on, StatefulSetAutoResizePVCGate and
 * TemplateNoDefaults default off; spec §10).
 */
import { expect, it } from 'vitest';
import { ASTS, ASTS_V1ALPHA1, createObject, getObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { runEnv } from '../lib/context.ts';
import type { AdvancedStatefulSet } from '../lib/kinds.ts';
import { INPLACE_READY, asts, claim, inPlace, showSet } from './fixtures.ts';

const gate = (name: string, byDefault: boolean): boolean => runEnv().implementation.featureGates[name] ?? byDefault;

/** A body with only selector, template, serviceName (and optionally claim templates). */
function bare(name: string, withClaim = false): Record<string, unknown> {
  const body = asts(name, withClaim ? { claims: [claim('data')] } : {}) as { spec: Record<string, unknown> };
  delete body.spec.replicas;
  return body;
}

describeFeature('StatefulSet.Defaults', 'defaults filled in at admission', () => {
  const ns = useNamespace('asts-defaults');

  it('fills replicas 1, OrderedReady, RollingUpdate (partition 0, maxUnavailable 1, ReCreate, minReadySeconds 0) and revisionHistoryLimit 10', async () => {
    await createObject(ASTS, ns.name, bare('plain', true));
    const s = await getObject<AdvancedStatefulSet>(ASTS, ns.name, 'plain');
    const seen = showSet(s);
    expect(s.spec.replicas, seen).toBe(1);
    expect(s.spec.podManagementPolicy, seen).toBe('OrderedReady');
    expect(s.spec.revisionHistoryLimit, seen).toBe(10);
    expect(s.spec.updateStrategy?.type, seen).toBe('RollingUpdate');
    expect(s.spec.updateStrategy?.rollingUpdate, seen).toMatchObject({ partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate', minReadySeconds: 0 });
    if (gate('StatefulSetAutoDeletePVC', true)) {
      expect(s.spec.persistentVolumeClaimRetentionPolicy, `StatefulSetAutoDeletePVC is on: both policies default to Retain\n${seen}`).toEqual({ whenDeleted: 'Retain', whenScaled: 'Retain' });
    }
    if (gate('StatefulSetAutoResizePVCGate', false)) {
      expect(s.spec.volumeClaimUpdateStrategy?.type, `StatefulSetAutoResizePVCGate is on: volumeClaimUpdateStrategy defaults to OnDelete\n${seen}`).toBe('OnDelete');
    }
  });

  it('fills pod template defaults (app containers pull Always) and claim template defaults unless TemplateNoDefaults is on', async ({ skip }) => {
    if (gate('TemplateNoDefaults', false)) skip('TemplateNoDefaults is on: templates are left as written');
    const s = await createObject<AdvancedStatefulSet>(ASTS, ns.name, bare('tmpl', true), { dryRun: true });
    const pod = s.spec.template.spec!;
    const seen = JSON.stringify({ template: s.spec.template, volumeClaimTemplates: s.spec.volumeClaimTemplates }, null, 2);
    expect({ restartPolicy: pod.restartPolicy, dnsPolicy: pod.dnsPolicy, terminationGracePeriodSeconds: pod.terminationGracePeriodSeconds, schedulerName: pod.schedulerName }, seen).toEqual({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
    });
    // OpenKruise defaults app containers to imagePullPolicy Always whatever the tag, so that an
    // in-place image update pulls (apis/apps/defaults/pod.go SetDefaultPodSpec).
    expect(pod.containers[0], seen).toMatchObject({ imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File' });
    // Claim templates get the PersistentVolumeClaim object defaulter only (status.phase Pending);
    // the spec defaulter (volumeMode) is not applied by OpenKruise 1.8 (k8s 1.30 defaulters).
    expect(s.spec.volumeClaimTemplates?.[0]?.status?.phase, seen).toBe('Pending');
  });

  it('adds no rollingUpdate block to an OnDelete update strategy', async () => {
    const body = bare('ondelete') as { spec: Record<string, unknown> };
    body.spec.updateStrategy = { type: 'OnDelete' };
    const s = await createObject<AdvancedStatefulSet>(ASTS, ns.name, body, { dryRun: true });
    expect(s.spec.updateStrategy, showSet(s)).toEqual({ type: 'OnDelete' });
    expect(s.spec.podManagementPolicy, showSet(s)).toBe('OrderedReady');
  });

  it('keeps explicit values and fills only what is missing', async () => {
    const body = asts('explicit', {
      replicas: 2,
      podManagementPolicy: 'Parallel',
      revisionHistoryLimit: 3,
      gates: [INPLACE_READY],
      updateStrategy: inPlace({ partition: 2, maxUnavailable: '50%' }),
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    });
    const s = await createObject<AdvancedStatefulSet>(ASTS, ns.name, body, { dryRun: true });
    const seen = showSet(s);
    expect({ replicas: s.spec.replicas, podManagementPolicy: s.spec.podManagementPolicy, revisionHistoryLimit: s.spec.revisionHistoryLimit }, seen).toEqual({ replicas: 2, podManagementPolicy: 'Parallel', revisionHistoryLimit: 3 });
    expect(s.spec.updateStrategy, seen).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: '50%', podUpdatePolicy: 'InPlaceIfPossible', minReadySeconds: 0 } });
    expect(s.spec.persistentVolumeClaimRetentionPolicy, seen).toEqual({ whenDeleted: 'Delete', whenScaled: 'Retain' });
  });

  it('applies the same defaults to an object created through v1alpha1 and serves it at both versions', async () => {
    const body = bare('alpha') as { spec: Record<string, unknown> };
    body.spec.replicas = 0;
    await createObject(ASTS_V1ALPHA1, ns.name, body);
    const beta = await getObject<AdvancedStatefulSet>(ASTS, ns.name, 'alpha');
    const alpha = await getObject<AdvancedStatefulSet>(ASTS_V1ALPHA1, ns.name, 'alpha');
    expect(beta.apiVersion, showSet(beta)).toBe('apps.kruise.io/v1beta1');
    expect(alpha.apiVersion, showSet(alpha)).toBe('apps.kruise.io/v1alpha1');
    for (const s of [beta, alpha]) {
      expect({ replicas: s.spec.replicas, podManagementPolicy: s.spec.podManagementPolicy, revisionHistoryLimit: s.spec.revisionHistoryLimit }, showSet(s)).toEqual({ replicas: 0, podManagementPolicy: 'OrderedReady', revisionHistoryLimit: 10 });
      expect(s.spec.updateStrategy, showSet(s)).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1, podUpdatePolicy: 'ReCreate' } });
    }
    expect(beta.metadata.uid, 'one object behind both versions').toBe(alpha.metadata.uid);
  });
});
