/**
 * Defaulting of Advanced DaemonSets at admission (OpenKruise v1.8.3 SetDefaultsDaemonSet, the
 * same for v1alpha1 in v1.9): dry-run creates show what the mutating webhook stores. The
 * deprecated rollingUpdateType Surging is converted to Standard with the surge numbers it used to
 * imply, and explicit values are kept.
 */
import { expect, it } from 'vitest';
import { ADVANCED_DAEMONSET, createObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import type { AdvancedDaemonSet } from '../lib/kinds.ts';
import { type DaemonSetOptions, daemonSetWith, rollingUpdate } from './fixtures.ts';

describeFeature('DaemonSet.Defaults', 'Advanced DaemonSet defaults', () => {
  const ns = useNamespace('ads-defaults');
  const stored = (name: string, opts: DaemonSetOptions) => createObject<AdvancedDaemonSet>(ADVANCED_DAEMONSET, ns.name, daemonSetWith(name, opts), { dryRun: true });

  it('an empty updateStrategy becomes RollingUpdate / Standard with maxUnavailable 1 and maxSurge 0; revisionHistoryLimit 10, burstReplicas 250', async () => {
    const ds = await stored('bare', {});
    expect(ds.spec.updateStrategy, 'spec.updateStrategy as stored').toEqual({ type: 'RollingUpdate', rollingUpdate: { rollingUpdateType: 'Standard', maxUnavailable: 1, maxSurge: 0 } });
    expect({ revisionHistoryLimit: ds.spec.revisionHistoryLimit, burstReplicas: ds.spec.burstReplicas }, 'spec defaults').toEqual({ revisionHistoryLimit: 10, burstReplicas: 250 });
  });

  it('the deprecated Surging type is stored as Standard with maxSurge 1 and maxUnavailable 0', async () => {
    const ds = await stored('surging', { updateStrategy: rollingUpdate({ rollingUpdateType: 'Surging' }) });
    expect(ds.spec.updateStrategy?.rollingUpdate, 'spec.updateStrategy.rollingUpdate as stored').toEqual({ rollingUpdateType: 'Standard', maxSurge: 1, maxUnavailable: 0 });
  });

  it('explicit values are kept: InPlaceIfPossible with maxUnavailable 50%, partition 2, paused, revisionHistoryLimit 3', async () => {
    const ds = await stored('explicit', { revisionHistoryLimit: 3, updateStrategy: rollingUpdate({ rollingUpdateType: 'InPlaceIfPossible', maxUnavailable: '50%', partition: 2, paused: true }) });
    const ru = ds.spec.updateStrategy?.rollingUpdate;
    expect({ type: ds.spec.updateStrategy?.type, rollingUpdateType: ru?.rollingUpdateType, maxUnavailable: ru?.maxUnavailable, partition: ru?.partition, paused: ru?.paused, revisionHistoryLimit: ds.spec.revisionHistoryLimit }, 'explicit values as stored').toEqual({
      type: 'RollingUpdate',
      rollingUpdateType: 'InPlaceIfPossible',
      maxUnavailable: '50%',
      partition: 2,
      paused: true,
      revisionHistoryLimit: 3,
    });
    expect(ru?.maxSurge ?? 0, 'maxSurge is not set to a non-zero value when maxUnavailable is given').toBe(0);
  });
});
