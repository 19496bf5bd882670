/**
 * WorkloadSpread admission (spec §4.3): every invalid spec is rejected and the message names the
 * field. Dry-run creates; the conflict and immutability cases use a real object.
 */
import { it } from 'vitest';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { cloneSet } from '../lib/workloads.ts';
import { workloadSpread, zoneSubset } from './fixtures.ts';

describeFeature('WorkloadSpread.Validation', 'invalid WorkloadSpreads are rejected at admission', () => {
  const ns = useNamespace('ws-valid');
  const dry = (body: Record<string, unknown>) => () => createObject(WORKLOADSPREAD, ns.name, body, { dryRun: true });

  it('rejects a WorkloadSpread without subsets', async () => {
    await expectRejected(dry(workloadSpread('no-subsets', 'app', [])), 'subsets', 'empty subsets');
  });

  it('rejects duplicate subset names', async () => {
    await expectRejected(dry(workloadSpread('dup', 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('a', 'zone-b', 1)])), /subsets|name/, 'two subsets named "a"');
  });

  it('rejects a targetRef kind that is not a supported workload', async () => {
    const body = workloadSpread('bad-kind', 'app', [zoneSubset('a', 'zone-a', 1)]);
    (body.spec as { targetRef: Record<string, string> }).targetRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app' };
    await expectRejected(dry(body), 'targetRef', 'targetRef to a ConfigMap');
  });

  it('rejects maxReplicas percentages that sum to more than 100%', async () => {
    await expectRejected(dry(workloadSpread('over', 'app', [zoneSubset('a', 'zone-a', '60%'), zoneSubset('b', 'zone-b', '50%')])), 'maxReplicas', 'percentages summing to 110%');
  });

  it('rejects subsets mixing integer and percent maxReplicas', async () => {
    await expectRejected(dry(workloadSpread('mixed', 'app', [zoneSubset('a', 'zone-a', 2), zoneSubset('b', 'zone-b', '50%')])), 'maxReplicas', 'int and percent maxReplicas');
  });

  it('rejects a negative maxReplicas', async () => {
    await expectRejected(dry(workloadSpread('neg', 'app', [zoneSubset('a', 'zone-a', -1)])), 'maxReplicas', 'maxReplicas -1');
  });

  it('rejects an Adaptive schedule whose last subset has maxReplicas', async () => {
    const body = workloadSpread('adaptive', 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('b', 'zone-b', 1)]);
    (body.spec as Record<string, unknown>).scheduleStrategy = { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 30 } };
    await expectRejected(dry(body), 'maxReplicas', 'Adaptive with a limited last subset');
  });

  it('rejects an invalid targetFilter selector', async () => {
    const body = workloadSpread('filter', 'app', [zoneSubset('a', 'zone-a', 1)]);
    (body.spec as Record<string, unknown>).targetFilter = { selector: { matchExpressions: [{ key: 'role', operator: 'Bogus', values: ['x'] }] } };
    await expectRejected(dry(body), /targetFilter|selector|operator/, 'targetFilter selector with operator Bogus');
  });

  it('rejects a second WorkloadSpread for the same workload, and a change of targetRef', async () => {
    await createObject(CLONESET, ns.name, cloneSet('target', { replicas: 0 }));
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('first', 'target', [zoneSubset('a', 'zone-a', 1)]));
    await expectRejected(dry(workloadSpread('second', 'target', [zoneSubset('a', 'zone-a', 1)])), 'targetRef', 'a second WorkloadSpread targeting the same CloneSet');
    await expectRejected(
      () => patchObject(WORKLOADSPREAD, ns.name, 'first', { spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'other' } } }),
      'targetRef',
      'changing targetRef.name',
    );
  });
});
