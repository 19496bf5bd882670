import { describe, expect, it } from 'vitest';
import type { StatefulSet } from './statefulset.ts';
import { parseOrdinalRange, pickDefaultStorageClass, validateStatefulSet } from './statefulset-validation.ts';
import { classesPort, edited, expectErrors, statefulSet, storageClass, type Want } from './test/fixtures.ts';

const ru = (s: StatefulSet) => {
  s.spec.updateStrategy ??= {};
  return (s.spec.updateStrategy.rollingUpdate ??= {});
};
const podSpec = (s: StatefulSet) => s.spec.template.spec as NonNullable<StatefulSet['spec']['template']['spec']>;
const withGate = (s: StatefulSet) => void (s.spec.template.spec = { ...podSpec(s), readinessGates: [{ conditionType: 'InPlaceUpdateReady' }] });

describe('validateStatefulSet on create (spec §3.3)', () => {
  it.each<[string, (s: StatefulSet) => void, Want[]]>([
    ['a defaulted minimal StatefulSet is valid', () => {}, []],
    ['metadata.name must be a DNS-1123 subdomain', (s) => void (s.metadata = { ...s.metadata, name: 'Web!' }), [['metadata.name', 'RFC 1123 subdomain']]],
    ['podManagementPolicy must be known', (s) => void (s.spec.podManagementPolicy = 'Random' as never), [['spec.podManagementPolicy', "must be 'OrderedReady' or 'Parallel'"]]],
    ['int and range reserveOrdinals are valid', (s) => void (s.spec.reserveOrdinals = [1, '3-5', '7-7']), []],
    [
      'a reserveOrdinals string must be a range',
      (s) => void (s.spec.reserveOrdinals = [1, '3']),
      [['spec.reserveOrdinals[1]', '1 th reserve ordinal is not a valid range: 3'], ['spec.reserveOrdinals[1]', 'is invalid: 3, err = invalid range 3']],
    ],
    ['a reserveOrdinals range must be numeric', (s) => void (s.spec.reserveOrdinals = ['a-b']), [['spec.reserveOrdinals[0]', 'not a valid range: a-b'], ['spec.reserveOrdinals[0]', 'strconv.Atoi: parsing "a": invalid syntax']]],
    ['a reserveOrdinals range must not be reversed', (s) => void (s.spec.reserveOrdinals = ['5-3']), [['spec.reserveOrdinals[0]', 'is invalid: 5-3, err = invalid range 5-3']]],
    ['a reserveOrdinals int must be >= 0', (s) => void (s.spec.reserveOrdinals = [-1]), [['spec.reserveOrdinals[0]', '0 th reserve ordinal is negative: -1']]],
    ['scale maxUnavailable 2 needs Parallel', (s) => void (s.spec.scaleStrategy = { maxUnavailable: 2 }), [['spec.scaleStrategy.maxUnavailable', 'can only work with Parallel PodManagementPolicyType']]],
    ['scale maxUnavailable "100%" needs Parallel too', (s) => void (s.spec.scaleStrategy = { maxUnavailable: '100%' }), [['spec.scaleStrategy.maxUnavailable', 'can only work with Parallel']]],
    ['scale maxUnavailable 1 works with OrderedReady', (s) => void (s.spec.scaleStrategy = { maxUnavailable: 1 }), []],
    ['scale maxUnavailable 2 with Parallel', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: 2 } }), []],
    ['scale maxUnavailable "50%" with Parallel', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: '50%' } }), []],
    ['scale maxUnavailable 0 is below 1', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: 0 } }), [['spec.scaleStrategy.maxUnavailable', 'should not be less than 1']]],
    ['scale maxUnavailable "0%" is below 1', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: '0%' } }), [['spec.scaleStrategy.maxUnavailable', 'should not be less than 1']]],
    [
      'scale maxUnavailable must be an int or "<int>%"',
      (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: 'abc' } }),
      [['spec.scaleStrategy.maxUnavailable', 'a valid percent string must be'], ['spec.scaleStrategy.maxUnavailable', 'getValueFromIntOrPercent error']],
    ],
    [
      'scale maxUnavailable must be >= 0',
      (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', scaleStrategy: { maxUnavailable: -1 } }),
      [['spec.scaleStrategy.maxUnavailable', 'must be greater than or equal to 0'], ['spec.scaleStrategy.maxUnavailable', 'should not be less than 1']],
    ],
    ['updateStrategy.type must be known', (s) => void (s.spec.updateStrategy = { type: 'Bogus' as never }), [['spec.updateStrategy.type', "must be 'RollingUpdate' or 'OnDelete'"]]],
    ['OnDelete takes no rollingUpdate', (s) => void (s.spec.updateStrategy = { type: 'OnDelete', rollingUpdate: { partition: 1 } }), [['spec.updateStrategy.rollingUpdate', "only allowed for updateStrategy 'RollingUpdate'"]]],
    ['OnDelete alone is valid', (s) => void (s.spec.updateStrategy = { type: 'OnDelete' }), []],
    ['partition must be >= 0', (s) => void (ru(s).partition = -1), [['spec.updateStrategy.rollingUpdate.partition', 'must be greater than or equal to 0']]],
    ['partition above replicas is fine', (s) => void (ru(s).partition = 10), []],
    ['minReadySeconds must be <= 300', (s) => void (ru(s).minReadySeconds = 301), [['spec.updateStrategy.rollingUpdate.minReadySeconds', 'Invalid value: 301: must be no more than 300 seconds']]],
    ['minReadySeconds 300 is the maximum', (s) => void (ru(s).minReadySeconds = 300), []],
    ['minReadySeconds must be >= 0', (s) => void (ru(s).minReadySeconds = -1), [['spec.updateStrategy.rollingUpdate.minReadySeconds', 'must be greater than or equal to 0']]],
    ['rolling maxUnavailable 2 needs Parallel', (s) => void (ru(s).maxUnavailable = 2), [['spec.updateStrategy.rollingUpdate.maxUnavailable', 'can only work with Parallel PodManagementPolicyType']]],
    ['rolling maxUnavailable "30%" with Parallel', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { ...ru(s), maxUnavailable: '30%' } } }), []],
    ['rolling maxUnavailable 0 is below 1', (s) => Object.assign(s.spec, { podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { ...ru(s), maxUnavailable: 0 } } }), [['spec.updateStrategy.rollingUpdate.maxUnavailable', 'should not be less than 1']]],
    ['podUpdatePolicy must be known', (s) => void (ru(s).podUpdatePolicy = 'Rolling' as never), [['spec.updateStrategy.rollingUpdate.podUpdatePolicy', "must be 'ReCreate', InPlaceIfPossible or 'InPlaceOnly'"]]],
    [
      'InPlaceIfPossible needs the InPlaceUpdateReady readiness gate',
      (s) => void (ru(s).podUpdatePolicy = 'InPlaceIfPossible'),
      [['spec.template.spec.readinessGates', 'must contains InPlaceUpdateReady when podUpdatePolicy is InPlaceIfPossible']],
    ],
    ['InPlaceOnly needs the gate too', (s) => void (ru(s).podUpdatePolicy = 'InPlaceOnly'), [['spec.template.spec.readinessGates', 'when podUpdatePolicy is InPlaceOnly']]],
    ['InPlaceIfPossible with the gate is valid', (s) => {
      ru(s).podUpdatePolicy = 'InPlaceIfPossible';
      withGate(s);
    }, []],
    [
      'unorderedUpdate needs Parallel',
      (s) => void (ru(s).unorderedUpdate = { priorityStrategy: { orderPriority: [{ orderedKey: 'k' }] } }),
      [['spec.updateStrategy.rollingUpdate.unorderedUpdate', 'unorderedUpdate can only work with Parallel PodManagementPolicyType']],
    ],
    [
      'unorderedUpdate priorities are validated',
      (s) => {
        s.spec.podManagementPolicy = 'Parallel';
        ru(s).unorderedUpdate = { priorityStrategy: { orderPriority: [{ orderedKey: '' }] } };
      },
      [['spec.updateStrategy.rollingUpdate.unorderedUpdate.priorityStrategy', 'order key can not be empty']],
    ],
    ['unorderedUpdate with Parallel is valid', (s) => {
      s.spec.podManagementPolicy = 'Parallel';
      ru(s).unorderedUpdate = { priorityStrategy: { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { a: 'b' } } }] } };
    }, []],
    ['retention whenDeleted must be Retain or Delete', (s) => void (s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Keep' as never, whenScaled: 'Delete' }), [['spec.persistentVolumeClaimRetentionPolicy.whenDeleted', 'Unsupported value: "Keep"']]],
    ['replicas must be >= 0', (s) => void (s.spec.replicas = -2), [['spec.replicas', 'must be greater than or equal to 0']]],
    [
      'selector is required',
      (s) => void delete (s.spec as Partial<StatefulSet['spec']>).selector,
      [['spec.selector', 'Required value'], ['spec.template.metadata.labels', '`selector` does not match template `labels`']],
    ],
    ['an empty selector is invalid', (s) => void (s.spec.selector = {}), [['spec.selector', 'empty selector is invalid for statefulset']]],
    ['selector must match the template labels', (s) => void (s.spec.selector = { matchLabels: { app: 'api' } }), [['spec.template.metadata.labels', '`selector` does not match template `labels`']]],
    ['restartPolicy must be Always', (s) => void (podSpec(s).restartPolicy = 'Never'), [['spec.template.spec.restartPolicy', 'supported values: "Always"']]],
    ['activeDeadlineSeconds is forbidden', (s) => void (podSpec(s).activeDeadlineSeconds = 5), [['spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in StatefulSet is not Supported']]],
    ['the pod spec itself is not validated (as ValidatePodTemplateSpecForStatefulSet)', (s) => void (podSpec(s).containers = [{ name: 'NoImage' }]), []],
  ])('%s', async (_name, edit, want) => {
    expectErrors(await validateStatefulSet(statefulSet(edit), undefined), want);
  });

  it('rejects an empty retention policy value', async () => {
    const s = statefulSet(() => {}, {});
    s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete' };
    expectErrors(await validateStatefulSet(s, undefined), [['spec.persistentVolumeClaimRetentionPolicy.whenScaled', 'Unsupported value: "": supported values: "Retain", "Delete"']]);
  });

  it('requires podManagementPolicy, updateStrategy.type, maxUnavailable and podUpdatePolicy when not defaulted', async () => {
    const s = statefulSet();
    delete s.spec.podManagementPolicy;
    delete s.spec.updateStrategy?.rollingUpdate?.maxUnavailable;
    delete s.spec.updateStrategy?.rollingUpdate?.podUpdatePolicy;
    expectErrors(await validateStatefulSet(s, undefined), [
      ['spec.podManagementPolicy', 'Required value'],
      ['spec.updateStrategy.rollingUpdate.maxUnavailable', 'Required value'],
      ['spec.updateStrategy.rollingUpdate.podUpdatePolicy', 'Required value'],
    ]);
    const noType = statefulSet((x) => void (x.spec.updateStrategy = {}));
    delete noType.spec.updateStrategy?.type;
    delete noType.spec.updateStrategy?.rollingUpdate;
    expectErrors(await validateStatefulSet(noType, undefined), [['spec.updateStrategy', 'Required value']]);
  });
});

describe('validateStatefulSet on update', () => {
  const base = statefulSet();
  it.each<[string, StatefulSet, StatefulSet, Want[]]>([
    ['mutable fields may change', base, edited(base, (s) => {
      s.spec.replicas = 5;
      s.spec.reserveOrdinals = [0];
      s.spec.ordinals = { start: 2 };
      s.spec.revisionHistoryLimit = 1;
      s.spec.lifecycle = { preNormal: { labelsHandler: { ok: 'true' } } };
      s.spec.scaleStrategy = { maxUnavailable: 1 };
      s.spec.persistentVolumeClaimRetentionPolicy = { whenDeleted: 'Delete', whenScaled: 'Delete' };
      s.spec.updateStrategy = { type: 'RollingUpdate', rollingUpdate: { ...ru(s), partition: 2, paused: true } };
      podSpec(s).containers[0]!.image = 'nginx:1.26';
      s.spec.volumeClaimTemplates = [];
      s.spec.volumeClaimUpdateStrategy = { type: 'OnPodRollingUpdate' };
    }), []],
    ['serviceName is immutable', base, edited(base, (s) => void (s.spec.serviceName = 'other')), [['spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template'"]]],
    ['podManagementPolicy is immutable', base, edited(base, (s) => void (s.spec.podManagementPolicy = 'Parallel')), [['spec', 'are forbidden']]],
    ['selector is immutable', base, edited(base, (s) => {
      s.spec.selector = { matchLabels: { app: 'web', v: '2' } };
      s.spec.template.metadata = { labels: { app: 'web', v: '2' } };
    }), [['spec', 'are forbidden']]],
    ['spec errors and immutability are reported together', base, edited(base, (s) => {
      s.spec.serviceName = 'other';
      s.spec.replicas = -1;
    }), [['spec', 'are forbidden'], ['spec.replicas', 'must be greater than or equal to 0']]],
  ])('%s', async (_name, old, cur, want) => {
    expectErrors(await validateStatefulSet(cur, old), want);
  });

  describe('InPlaceOnly', () => {
    const inPlace = statefulSet((s) => {
      ru(s).podUpdatePolicy = 'InPlaceOnly';
      withGate(s);
    });
    it.each<[string, (s: StatefulSet) => void, Want[]]>([
      ['an image change is allowed', (s) => void (podSpec(s).containers[0]!.image = 'nginx:1.26'), []],
      [
        'an env change is rejected',
        (s) => void (podSpec(s).containers[0]!.env = [{ name: 'A', value: 'b' }]),
        [['spec.template.spec', 'invalid template modified with InPlaceOnly strategy: add /containers/0/env, currently only image update is allowed for InPlaceOnly']],
      ],
      ['the unanchored path rule also admits imagePullPolicy (OpenKruise quirk)', (s) => void (podSpec(s).containers[0]!.imagePullPolicy = 'IfNotPresent'), []],
      ['a template label change is allowed', (s) => void (s.spec.template.metadata = { labels: { app: 'web', v: '2' } }), []],
    ])('%s', async (_name, edit, want) => {
      expectErrors(await validateStatefulSet(edited(inPlace, edit), inPlace), want);
    });
  });
});

describe('validateStatefulSet: volumeClaimTemplates under StatefulSetAutoResizePVCGate (spec §3.3, §13.2)', () => {
  const classes = classesPort([
    storageClass('expandable', true, { isDefault: true, created: '2024-01-01T00:00:00Z' }),
    storageClass('fixed', false),
    storageClass('unset', undefined),
  ]);
  const gate = { autoResizePVC: true, storageClasses: classes };
  const onRolling = (scName?: string) =>
    statefulSet(
      (s) => {
        s.spec.volumeClaimUpdateStrategy = { type: 'OnPodRollingUpdate' };
        if (scName !== undefined) s.spec.volumeClaimTemplates![0]!.spec!.storageClassName = scName;
      },
      { autoResizePVC: true },
    );
  const vct = (s: StatefulSet) => s.spec.volumeClaimTemplates![0]!;
  const resize = (size: string) => (s: StatefulSet) => void (vct(s).spec!.resources = { requests: { storage: size } });

  it.each<[string, StatefulSet, (s: StatefulSet) => void, Want[]]>([
    ['expanding on a class that allows expansion', onRolling('expandable'), resize('2Gi'), []],
    [
      'expanding on a class with allowVolumeExpansion: false',
      onRolling('fixed'),
      resize('2Gi'),
      [['spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'Forbidden: storage class fixed does not support volume expansion']],
    ],
    ['allowVolumeExpansion unset passes the webhook', onRolling('unset'), resize('2Gi'), []],
    ['a missing named class is rejected', onRolling('nope'), resize('2Gi'), [['spec.volumeClaimTemplates[data].spec.storageClassName', 'Invalid value: "nope": can not get sc']]],
    ['shrinking is not rejected', onRolling('expandable'), resize('512Mi'), []],
    ['any size change counts, so shrinking on a fixed class is rejected', onRolling('fixed'), resize('512Mi'), [['spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'does not support volume expansion']]],
    ['an equal quantity in other units is no resize', onRolling('fixed'), resize('1024Mi'), []],
    [
      'a limits change is a resize',
      onRolling('fixed'),
      (s) => void (vct(s).spec!.resources = { requests: { storage: '1Gi' }, limits: { storage: '3Gi' } }),
      [['spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'does not support volume expansion']],
    ],
    ['no class: the default class decides (expandable)', onRolling(), resize('2Gi'), []],
    ['changing the storage class is rejected', onRolling('expandable'), (s) => void (vct(s).spec!.storageClassName = 'fixed'), [['spec.volumeClaimTemplates[data]', 'volumeClaimTemplate can not be modified when OnRollingUpdate']]],
    ['changing access modes is rejected', onRolling(), (s) => void (vct(s).spec!.accessModes = ['ReadWriteMany']), [['spec.volumeClaimTemplates[data]', 'can not be modified when OnRollingUpdate']]],
    [
      'adding a template is rejected',
      onRolling(),
      (s) => void s.spec.volumeClaimTemplates!.push({ metadata: { name: 'logs' }, spec: { accessModes: ['ReadWriteOnce'] } }),
      [['spec.volumeClaimTemplates', 'volumeClaimTemplate can not be added or deleted when OnRollingUpdate']],
    ],
    ['renaming a template is rejected', onRolling(), (s) => void (vct(s).metadata = { name: 'data2' }), [['spec.volumeClaimTemplates[data2].name', 'volumeClaimTemplate name can not be modified']]],
    ['a label-only change is fine', onRolling('fixed'), (s) => void (vct(s).metadata = { name: 'data', labels: { a: 'b' } }), []],
  ])('%s', async (_name, old, edit, want) => {
    expectErrors(await validateStatefulSet(edited(old, edit), old, gate), want);
  });

  it('picks the newest default class', async () => {
    const older = storageClass('old-default', false, { isDefault: true, created: '2023-01-01T00:00:00Z' });
    const newer = storageClass('new-default', true, { isDefault: true, created: '2024-06-01T00:00:00Z' });
    expect(pickDefaultStorageClass([older, newer])?.metadata?.name).toBe('new-default');
    expect(pickDefaultStorageClass([storageClass('x', true)])).toBeUndefined();
    const old = onRolling();
    const bigger = edited(old, resize('5Gi'));
    expectErrors(await validateStatefulSet(bigger, old, { autoResizePVC: true, storageClasses: classesPort([older, newer]) }), []);
    const reversed = [storageClass('old-default', true, { isDefault: true, created: '2023-01-01T00:00:00Z' }), storageClass('new-default', false, { isDefault: true, created: '2024-06-01T00:00:00Z' })];
    expectErrors(await validateStatefulSet(bigger, old, { autoResizePVC: true, storageClasses: classesPort(reversed) }), [
      ['spec.volumeClaimTemplates[data].spec.resources.requests.storage', 'storage class new-default does not support volume expansion'],
    ]);
  });

  it('skips the class check without a default class, and reports a failed list', async () => {
    const old = onRolling();
    const bigger = edited(old, resize('5Gi'));
    expectErrors(await validateStatefulSet(bigger, old, { autoResizePVC: true, storageClasses: classesPort([storageClass('fixed', false)]) }), []);
    expectErrors(await validateStatefulSet(bigger, old, { autoResizePVC: true, storageClasses: classesPort([], { list: true }) }), [
      ['spec.volumeClaimTemplates[data].spec.storageClassName', 'can not list storage class'],
    ]);
  });

  it('has no VCT rules with the gate off or with OnDelete', async () => {
    const old = onRolling('fixed');
    const renamed = edited(old, (s) => void (vct(s).metadata = { name: 'other' }));
    expectErrors(await validateStatefulSet(renamed, old, { autoResizePVC: false, storageClasses: classes }), []);
    const onDelete = statefulSet((s) => void (s.spec.volumeClaimTemplates![0]!.spec!.storageClassName = 'fixed'), { autoResizePVC: true });
    expect(onDelete.spec.volumeClaimUpdateStrategy?.type).toBe('OnDelete');
    expectErrors(await validateStatefulSet(edited(onDelete, resize('9Gi')), onDelete, gate), []);
  });

  it('checks VCTs only after the spec passed', async () => {
    const old = onRolling('fixed');
    const cur = edited(old, (s) => {
      resize('2Gi')(s);
      s.spec.replicas = -1;
    });
    expectErrors(await validateStatefulSet(cur, old, gate), [['spec.replicas', 'must be greater than or equal to 0']]);
  });
});

describe('parseOrdinalRange', () => {
  it.each<[string, ReturnType<typeof parseOrdinalRange>]>([
    ['1-3', { start: 1, end: 3 }],
    ['4-4', { start: 4, end: 4 }],
    ['3-1', { error: 'invalid range 3-1' }],
    ['3', { error: 'invalid range 3' }],
    ['1-2-3', { error: 'invalid range 1-2-3' }],
    ['a-2', { error: 'strconv.Atoi: parsing "a": invalid syntax' }],
  ])('%s', (input, want) => {
    expect(parseOrdinalRange(input)).toEqual(want);
  });
});
