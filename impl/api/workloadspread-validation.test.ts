import { describe, expect, it } from 'vitest';
import type { WorkloadSpread, WorkloadSpreadSubset } from './workloadspread.ts';
import { validateWorkloadSpread, type WorkloadSpreadValidationContext } from './workloadspread-validation.ts';

const zone = (name: string, maxReplicas?: number | string, extra: Partial<WorkloadSpreadSubset> = {}): WorkloadSpreadSubset => ({
  name,
  requiredNodeSelectorTerm: { matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'In', values: [name] }] },
  ...(maxReplicas === undefined ? {} : { maxReplicas }),
  ...extra,
});

function ws(subsets: WorkloadSpreadSubset[], spec: Partial<WorkloadSpread['spec']> = {}, name = 'ws'): WorkloadSpread {
  return { metadata: { name, namespace: 'ns' }, spec: { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'app' }, subsets, ...spec } };
}

const ctx: WorkloadSpreadValidationContext = { whitelist: [{ group: 'kubeflow.org', kind: 'TFJob' }], others: [] };
const messages = (w: WorkloadSpread, c: Partial<WorkloadSpreadValidationContext> = {}, old?: WorkloadSpread) => validateWorkloadSpread(w, old, { ...ctx, ...c }).map((e) => e.message);

describe('validateWorkloadSpread', () => {
  it('accepts int, percent and unlimited subsets laid out as OpenKruise allows', () => {
    expect(messages(ws([zone('a', 3), zone('b', 3)]))).toEqual([]);
    expect(messages(ws([zone('a', '40%'), zone('b', '60%')]))).toEqual([]);
    expect(messages(ws([zone('a', '40%'), zone('b')]))).toEqual([]);
    expect(messages(ws([zone('a', 2), zone('b')], { scheduleStrategy: { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 30 } } }))).toEqual([]);
  });

  it.each<[string, WorkloadSpread, RegExp]>([
    ['no subsets', ws([]), /^spec\.subsets: Required value: subsets number must >= 1/],
    ['empty subset name', ws([zone('', 1)]), /^spec\.subsets\[0\]\.name: Invalid value: ""/],
    ['duplicate names', ws([zone('a', 1), zone('a', 1)]), /^spec\.subsets\[1\]\.name: .*duplicated subset name a/],
    ['mixed types', ws([zone('a', 1), zone('b', '50%')]), /^spec\.subsets\[1\]\.maxReplicas: .*must be the same/],
    ['negative', ws([zone('a', -1)]), /^spec\.subsets\[0\]\.maxReplicas: .*not valid for subset/],
    ['fractional percent', ws([zone('a', '12.5%'), zone('b')]), /^spec\.subsets\[0\]\.maxReplicas: .*not valid for subset/],
    ['percent over 100', ws([zone('a', '60%'), zone('b', '50%')]), /^spec\.subsets\[1\]\.maxReplicas: .*exceeds 100%/],
    ['percent under 100 with a limited last subset', ws([zone('a', '30%'), zone('b', '30%')]), /^spec\.subsets\[0\]\.maxReplicas: .*must equal 100%/],
    ['StatefulSet with percent', ws([zone('a', '50%'), zone('b')], { targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 's' } }), /must be Int for StatefulSet/],
    ['Adaptive with a limited last subset', ws([zone('a', 1), zone('b', 1)], { scheduleStrategy: { type: 'Adaptive', adaptive: {} } }), /^spec\.scheduleStrategy\.adaptive: .*last subset's maxReplicas/],
    ['adaptive without type Adaptive', ws([zone('a', 1), zone('b')], { scheduleStrategy: { type: 'Fixed', adaptive: {} } }), /^spec\.scheduleStrategy\.type: .*must be adaptive/],
    ['rescheduleCriticalSeconds above (300-5)/(n-1)', ws([zone('a', 1), zone('b', 1), zone('c')], { scheduleStrategy: { type: 'Adaptive', adaptive: { rescheduleCriticalSeconds: 148 } } }), /rescheduleCriticalSeconds > 147 is not permitted/],
    ['bad targetFilter selector', ws([zone('a', 1)], { targetFilter: { selector: { matchExpressions: [{ key: 'role', operator: 'Bogus', values: ['x'] }] } } }), /^spec\.targetFilter: Invalid value/],
    ['ConfigMap target', ws([zone('a', 1)], { targetRef: { apiVersion: 'v1', kind: 'ConfigMap', name: 'c' } }), /^spec\.targetRef: .*GroupKind is not permitted/],
    ['CloneSet in the wrong group', ws([zone('a', 1)], { targetRef: { apiVersion: 'apps/v1', kind: 'CloneSet', name: 'c' } }), /not valid for CloneSet/],
    ['empty targetRef', ws([zone('a', 1)], { targetRef: { apiVersion: '', kind: 'CloneSet', name: 'c' } }), /empty TargetReference/],
    ['bad node operator', ws([{ name: 'a', requiredNodeSelectorTerm: { matchExpressions: [{ key: 'k', operator: 'Near' }] } }]), /requiredNodeSelectorTerm\.matchExpressions\[0\]\.operator/],
    ['bad preferred weight', ws([{ name: 'a', preferredNodeSelectorTerms: [{ weight: 0, preference: {} }] }]), /preferredSchedulingTerms\[0\]\.weight/],
    ['Exists toleration with value', ws([{ name: 'a', tolerations: [{ key: 'k', operator: 'Exists', value: 'v' }] }]), /tolerations\[0\]\.operator: .*must be empty/],
  ])('rejects %s', (_name, w, re) => {
    const got = messages(w);
    expect(got.some((m) => re.test(m)), got.join('\n')).toBe(true);
  });

  it('accepts a whitelisted custom kind', () => {
    expect(messages(ws([zone('a', 1)], { targetRef: { apiVersion: 'kubeflow.org/v1', kind: 'TFJob', name: 't' } }))).toEqual([]);
  });

  it('checks the patch against the workload template', () => {
    const template = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } };
    const ok = ws([zone('a', 1, { patch: { metadata: { labels: { zone: 'a' } } } })]);
    expect(messages(ok, { workloadTemplate: template })).toEqual([]);
    const bad = ws([zone('a', 1, { patch: { spec: { containers: [{ name: 'main', image: '' }] } } })]);
    expect(messages(bad, { workloadTemplate: template }).join('\n')).toMatch(/spec\.subsets\[0\]\.patch\.spec\.containers\[0\]\.image: Required value/);
    expect(messages(bad)).toEqual([]);
  });

  it('rejects a second WorkloadSpread of the same target (version ignored) and a targetRef change', () => {
    const first = ws([zone('a', 1)], {}, 'first');
    const second = ws([zone('a', 1)], { targetRef: { apiVersion: 'apps.kruise.io/v1beta1', kind: 'CloneSet', name: 'app' } }, 'second');
    expect(messages(second, { others: [first] }).join('\n')).toMatch(/spec\.targetRef: .*in conflict with other WorkloadSpread first/);
    expect(messages(first, { others: [first] })).toEqual([]);
    const moved = ws([zone('a', 1)], { targetRef: { apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'other' } }, 'first');
    expect(messages(moved, {}, first).join('\n')).toMatch(/change TargetReference is not permitted/);
  });
});
