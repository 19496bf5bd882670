/**
 * WorkloadSpread admission (spec §4.3): every invalid spec is rejected and the message names the
 * field and the rule, in OpenKruise's words (pkg/webhook/workloadspread/validating ›
 * validateWorkloadSpreadSpec, validateWorkloadSpreadSubsets, validateWorkloadSpreadConflict,
 * validateWorkloadSpreadTargetRefUpdate): a path alone is not enough, since several rules share
 * one (five of them report at spec.subsets[i].maxReplicas). The value in "Invalid value: …" is
 * matched with .*, as Go and the reference render it differently. Dry-run creates; the conflict
 * and immutability cases use a real object.
 */
import { it } from 'vitest';
import { CLONESET, WORKLOADSPREAD, createObject, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { cloneSet } from '../lib/workloads.ts';
import { plainSubset, workloadSpread, zoneSubset } from './fixtures.ts';

describeFeature('WorkloadSpread.Validation', 'invalid WorkloadSpreads are rejected at admission', () => {
  const ns = useNamespace('ws-valid');
  const dry = (body: Record<string, unknown>) => () => createObject(WORKLOADSPREAD, ns.name, body, { dryRun: true });

  it('rejects a WorkloadSpread without subsets', async () => {
    await expectRejected(dry(workloadSpread('no-subsets', 'app', [])), /spec\.subsets: Required value: subsets number must >= 1/, 'empty subsets');
  });

  it('rejects duplicate subset names', async () => {
    await expectRejected(dry(workloadSpread('dup', 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('a', 'zone-b', 1)])), /spec\.subsets\[1\]\.name: Invalid value: .*duplicated subset name a/, 'two subsets named "a"');
  });

  it('rejects a targetRef kind that is not a supported workload', async () => {
    const body = workloadSpread('bad-kind', 'app', [zoneSubset('a', 'zone-a', 1)]);
    (body.spec as { targetRef: Record<string, string> }).targetRef = { apiVersion: 'v1', kind: 'ConfigMap', name: 'app' };
    await expectRejected(dry(body), /spec\.targetRef: Invalid value: .*TargetReference's GroupKind is not permitted/, 'targetRef to a ConfigMap');
  });

  it('rejects maxReplicas percentages that sum to more than 100%', async () => {
    await expectRejected(dry(workloadSpread('over', 'app', [zoneSubset('a', 'zone-a', '60%'), zoneSubset('b', 'zone-b', '50%')])), /spec\.subsets\[1\]\.maxReplicas: Invalid value: .*the sum of all subset's maxReplicas exceeds 100% is no permitted/, 'percentages summing to 110%');
  });

  it('rejects subsets mixing integer and percent maxReplicas', async () => {
    await expectRejected(dry(workloadSpread('mixed', 'app', [zoneSubset('a', 'zone-a', 2), zoneSubset('b', 'zone-b', '50%')])), /spec\.subsets\[1\]\.maxReplicas: Invalid value: .*the maxReplicas type of all subsets must be the same/, 'int and percent maxReplicas');
  });

  it('rejects a negative maxReplicas', async () => {
    await expectRejected(dry(workloadSpread('neg', 'app', [zoneSubset('a', 'zone-a', -1)])), /spec\.subsets\[0\]\.maxReplicas: Invalid value: .*maxReplicas is not valid for subset/, 'maxReplicas -1');
  });

  it('rejects an Adaptive schedule whose last subset has maxReplicas', async () => {
    const body = workloadSpread('adaptive', 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('b', 'zone-b', 1)]);
    (body.spec as Record<string, unknown>).scheduleStrategy = { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 30 } };
    await expectRejected(dry(body), /spec\.scheduleStrategy\.adaptive: Invalid value: .*the last subset's maxReplicas must be not specified when using adaptive scheduleStrategy/, 'Adaptive with a limited last subset');
  });

  it('rejects an invalid targetFilter selector', async () => {
    const body = workloadSpread('filter', 'app', [zoneSubset('a', 'zone-a', 1)]);
    (body.spec as Record<string, unknown>).targetFilter = { selector: { matchExpressions: [{ key: 'role', operator: 'Bogus', values: ['x'] }] } };
    await expectRejected(dry(body), /spec\.targetFilter: Invalid value: .*"Bogus" is not a valid label selector operator/, 'targetFilter selector with operator Bogus');
  });

  it('rejects percent maxReplicas on a StatefulSet target (it takes integers only)', async () => {
    const body = workloadSpread('sts-pct', { apiVersion: 'apps.kruise.io/v1beta1', kind: 'StatefulSet', name: 'app' }, [plainSubset('a', '50%'), plainSubset('b', undefined)]);
    await expectRejected(dry(body), /spec\.subsets\[0\]\.maxReplicas: Invalid value: .*the maxReplicas type must be Int for StatefulSet/, 'maxReplicas 50% for an Advanced StatefulSet');
  });

  it('rejects percentages below 100% when the last subset is limited, and accepts them when it is not', async () => {
    await expectRejected(dry(workloadSpread('under', 'app', [zoneSubset('a', 'zone-a', '30%'), zoneSubset('b', 'zone-b', '30%')])), /spec\.subsets\[0\]\.maxReplicas: Invalid value: .*maxReplicas sum of all subsets must equal 100% when type is specified as percent/, '30% + 30% with a limited last subset');
    await dry(workloadSpread('under-ok', 'app', [zoneSubset('a', 'zone-a', '30%'), zoneSubset('b', 'zone-b', '30%'), zoneSubset('c', 'zone-c', undefined)]))();
  });

  it('rejects rescheduleCriticalSeconds above (300 - 5) / (subsets - 1): 148 of 3 subsets, while 147 is accepted', async () => {
    const adaptive = (name: string, seconds: number) =>
      workloadSpread(name, 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('b', 'zone-b', 1), zoneSubset('c', 'zone-c', undefined)], { scheduleStrategy: { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: seconds } } });
    await expectRejected(dry(adaptive('too-long', 148)), /spec\.scheduleStrategy\.adaptive\.rescheduleCriticalSeconds: Invalid value: .*rescheduleCriticalSeconds > 147 is not permitted/, 'rescheduleCriticalSeconds 148 with 3 subsets');
    await dry(adaptive('longest', 147))();
  });

  it('rejects scheduleStrategy.adaptive without type Adaptive', async () => {
    const body = workloadSpread('fixed-adaptive', 'app', [zoneSubset('a', 'zone-a', 1), zoneSubset('b', 'zone-b', undefined)], { scheduleStrategy: { type: 'Fixed', adaptive: { rescheduleCriticalSeconds: 10 } } });
    await expectRejected(dry(body), /spec\.scheduleStrategy\.type: Invalid value: .*the scheduleStrategy's type must be adaptive when using adaptive scheduleStrategy/, 'adaptive settings with type Fixed');
  });

  it('rejects a subset patch that makes the existing target\'s pod spec invalid', async () => {
    await createObject(CLONESET, ns.name, cloneSet('patched', { replicas: 0 }));
    const body = workloadSpread('bad-patch', 'patched', [zoneSubset('a', 'zone-a', 1, { patch: { spec: { containers: [{ name: 'main', image: '' }] } } })]);
    await expectRejected(dry(body), /spec\.subsets\[0\]\.patch\.(spec\.)?containers\[0\]\.image: Required value/, 'a patch blanking the container image');
    await dry(workloadSpread('good-patch', 'patched', [zoneSubset('a', 'zone-a', 1, { patch: { metadata: { labels: { x: 'y' } } } })]))();
  });

  it('rejects a second WorkloadSpread for the same workload, and a change of targetRef', async () => {
    await createObject(CLONESET, ns.name, cloneSet('target', { replicas: 0 }));
    await createObject(WORKLOADSPREAD, ns.name, workloadSpread('first', 'target', [zoneSubset('a', 'zone-a', 1)]));
    await expectRejected(dry(workloadSpread('second', 'target', [zoneSubset('a', 'zone-a', 1)])), /spec\.targetRef: Invalid value: .*ws\.spec\.targetRef is in conflict with other WorkloadSpread first/, 'a second WorkloadSpread targeting the same CloneSet');
    await expectRejected(
      () => patchObject(WORKLOADSPREAD, ns.name, 'first', { spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'other' } } }),
      /spec\.targetRef: Invalid value: .*change TargetReference is not permitted for WorkloadSpread/,
      'changing targetRef.name',
    );
  });
});
