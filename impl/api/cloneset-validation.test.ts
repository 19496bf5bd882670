import { describe, expect, it } from 'vitest';
import type { CloneSet } from './cloneset.ts';
import { NO_PODS, validateCloneSet } from './cloneset-validation.ts';
import { cloneSet, edited, expectErrors, ownedPod, podsContext, type Want } from './test/fixtures.ts';

const spec = (cs: CloneSet) => cs.spec;
const us = (cs: CloneSet) => (cs.spec.updateStrategy ??= {});
const podSpec = (cs: CloneSet) => cs.spec.template.spec as NonNullable<CloneSet['spec']['template']['spec']>;

describe('validateCloneSet on create (spec §2.3)', () => {
  it.each<[string, (cs: CloneSet) => void, Want[]]>([
    ['a defaulted minimal CloneSet is valid', () => {}, []],
    ['metadata.name must be a DNS-1123 subdomain', (cs) => void (cs.metadata = { ...cs.metadata, name: 'Demo_1' }), [['metadata.name', 'RFC 1123 subdomain']]],
    ['replicas must be >= 0', (cs) => void (spec(cs).replicas = -1), [['spec.replicas', 'Invalid value: -1: must be greater than or equal to 0']]],
    ['replicas 0 with maxUnavailable 0 and maxSurge 0 is allowed', (cs) => Object.assign(spec(cs), { replicas: 0, updateStrategy: { ...us(cs), maxUnavailable: 0, maxSurge: 0 } }), []],
    [
      'selector is required (and then nothing matches the template labels)',
      (cs) => void delete (spec(cs) as Partial<CloneSet['spec']>).selector,
      [['spec.selector', 'Required value'], ['spec.template.metadata.labels', '`selector` does not match template `labels`']],
    ],
    ['an empty selector is invalid', (cs) => void (spec(cs).selector = {}), [['spec.selector', 'empty selector is invalid for cloneset']]],
    [
      'a selector operator must be valid',
      (cs) => void (spec(cs).selector = { matchExpressions: [{ key: 'app', operator: 'Near', values: ['demo'] }] }),
      [['spec.selector.matchExpressions[0].operator', 'not a valid selector operator'], ['spec.selector', 'is not a valid label selector operator']],
    ],
    [
      'In needs values',
      (cs) => void (spec(cs).selector = { matchExpressions: [{ key: 'app', operator: 'In' }] }),
      [['spec.selector.matchExpressions[0].values', 'Required value'], ['spec.selector', "values set can't be empty"]],
    ],
    [
      'selector label keys must be qualified names',
      (cs) => void (spec(cs).selector = { matchLabels: { 'bad key': 'demo' } }),
      [['spec.selector.matchLabels', 'name part must consist of'], ['spec.selector', 'invalid label']],
    ],
    ['selector must match the template labels', (cs) => void (spec(cs).selector = { matchLabels: { app: 'other' } }), [['spec.template.metadata.labels', '`selector` does not match template `labels`']]],
    ['a matchExpressions selector that matches is valid', (cs) => void (spec(cs).selector = { matchExpressions: [{ key: 'app', operator: 'In', values: ['demo', 'x'] }] }), []],
    ['restartPolicy Never is not supported', (cs) => void (podSpec(cs).restartPolicy = 'Never'), [['spec.template.spec.restartPolicy', 'Unsupported value: "Never": supported values: "Always"']]],
    ['restartPolicy OnFailure is not supported', (cs) => void (podSpec(cs).restartPolicy = 'OnFailure'), [['spec.template.spec.restartPolicy', 'supported values: "Always"']]],
    ['activeDeadlineSeconds is forbidden', (cs) => void (podSpec(cs).activeDeadlineSeconds = 60), [['spec.template.spec.activeDeadlineSeconds', 'Forbidden: activeDeadlineSeconds in cloneset is not Supported']]],
    ['the template needs containers', (cs) => void (podSpec(cs).containers = []), [['spec.template.spec.containers', 'Required value']]],
    ['a container needs an image', (cs) => void (podSpec(cs).containers = [{ name: 'main' }]), [['spec.template.spec.containers[0].image', 'Required value']]],
    [
      'container names are unique',
      (cs) => void (podSpec(cs).containers = [{ name: 'a', image: 'x' }, { name: 'a', image: 'y' }]),
      [['spec.template.spec.containers[1].name', 'Duplicate value: "a"']],
    ],
    ['container names are DNS labels', (cs) => void (podSpec(cs).containers = [{ name: 'Main', image: 'x' }]), [['spec.template.spec.containers[0].name', 'RFC 1123 label']]],
    ['container ports are 1..65535', (cs) => void (podSpec(cs).containers = [{ name: 'a', image: 'x', ports: [{ containerPort: 70000 }] }]), [['spec.template.spec.containers[0].ports[0].containerPort', 'between 1 and 65535']]],
    [
      'a container may mount a volumeClaimTemplate by name',
      (cs) => {
        spec(cs).volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
        podSpec(cs).containers = [{ name: 'a', image: 'x', volumeMounts: [{ name: 'data', mountPath: '/data' }] }];
      },
      [],
    ],
    [
      'a mount of an undeclared volume is not found',
      (cs) => void (podSpec(cs).containers = [{ name: 'a', image: 'x', volumeMounts: [{ name: 'nope', mountPath: '/d' }] }]),
      [['spec.template.spec.containers[0].volumeMounts[0].name', 'Not found: "nope"']],
    ],
    ['template labels must be valid', (cs) => Object.assign(cs.spec.template.metadata ?? {}, { labels: { app: 'demo', x: 'bad value!' } }), [['spec.template.labels', 'a valid label must be']]],
    ['updateStrategy.type must be known', (cs) => void (us(cs).type = 'Rolling' as never), [['spec.updateStrategy.type', "must be 'ReCreate', InPlaceIfPossible or 'InPlaceOnly'"]]],
    ['partition must be an int or a percent', (cs) => void (us(cs).partition = '50'), [['spec.updateStrategy.partition', 'failed getValueFromIntOrPercent for partition']]],
    ['partition must be >= 0', (cs) => void (us(cs).partition = -1), [['spec.updateStrategy.partition', 'must be greater than or equal to 0']]],
    ['a fractional partition percent is accepted', (cs) => void (us(cs).partition = '12.5%'), []],
    ['partition above replicas is accepted', (cs) => void (us(cs).partition = 10), []],
    [
      'priorityStrategy takes weight or order, not both',
      (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: 10, matchSelector: { matchLabels: { a: 'b' } } }], orderPriority: [{ orderedKey: 'k' }] }),
      [['spec.updateStrategy.priorityStrategy', 'only one of weightPriority and orderPriority can be used']],
    ],
    ['weight above 100 is rejected', (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: 101, matchSelector: { matchLabels: { a: 'b' } } }] }), [['spec.updateStrategy.priorityStrategy', 'weight must be valid number']]],
    ['negative weight is rejected', (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: -1, matchSelector: { matchLabels: { a: 'b' } } }] }), [['spec.updateStrategy.priorityStrategy', 'weight must be valid number']]],
    ['weight 0 is accepted', (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: 0, matchSelector: { matchLabels: { a: 'b' } } }] }), []],
    ['a weight term needs a selector', (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: 5, matchSelector: {} }] }), [['spec.updateStrategy.priorityStrategy', 'selector can not be empty']]],
    [
      'a weight term selector must be valid',
      (cs) => void (us(cs).priorityStrategy = { weightPriority: [{ weight: 5, matchSelector: { matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] } }] }),
      [['spec.updateStrategy.priorityStrategy', 'invalid selector']],
    ],
    ['an order term needs a key', (cs) => void (us(cs).priorityStrategy = { orderPriority: [{ orderedKey: '' }] }), [['spec.updateStrategy.priorityStrategy', 'order key can not be empty']]],
    ['a scatter term needs a key', (cs) => void (us(cs).scatterStrategy = [{ key: '', value: 'a' }]), [['spec.updateStrategy.scatterStrategy', 'key should not be empty']]],
    [
      'scatter terms are unique key=value pairs',
      (cs) => void (us(cs).scatterStrategy = [{ key: 'zone', value: 'a' }, { key: 'zone', value: 'a' }]),
      [['spec.updateStrategy.scatterStrategy', 'duplicated key=zone value=a']],
    ],
    ['one key with two values is fine', (cs) => void (us(cs).scatterStrategy = [{ key: 'zone', value: 'a' }, { key: 'zone', value: 'b' }]), []],
    [
      'maxUnavailable must parse',
      (cs) => Object.assign(us(cs), { maxUnavailable: 'abc', maxSurge: 1 }),
      [['spec.updateStrategy.maxUnavailable', 'failed getValueFromIntOrPercent for maxUnavailable']],
    ],
    ['maxUnavailable percents are integers', (cs) => Object.assign(us(cs), { maxUnavailable: '12.5%', maxSurge: 1 }), [['spec.updateStrategy.maxUnavailable', 'failed getValueFromIntOrPercent']]],
    ['a maxUnavailable string without % reads as a percent', (cs) => void (us(cs).maxUnavailable = '5'), []],
    ['maxSurge must parse', (cs) => void (us(cs).maxSurge = 'x%'), [['spec.updateStrategy.maxSurge', 'failed getValueFromIntOrPercent for maxSurge']]],
    [
      'InPlaceOnly cannot surge',
      (cs) => Object.assign(us(cs), { type: 'InPlaceOnly', maxSurge: 1 }),
      [['spec.updateStrategy.maxSurge', 'Invalid value: "1": can not use maxSurge with strategy type InPlaceOnly']],
    ],
    ['InPlaceOnly with a percent surge that rounds up to 1 is rejected', (cs) => Object.assign(us(cs), { type: 'InPlaceOnly', maxSurge: '10%' }), [['spec.updateStrategy.maxSurge', 'can not use maxSurge']]],
    ['InPlaceOnly with maxSurge "0%" is fine', (cs) => Object.assign(us(cs), { type: 'InPlaceOnly', maxSurge: '0%' }), []],
    ['InPlaceIfPossible may surge', (cs) => Object.assign(us(cs), { type: 'InPlaceIfPossible', maxSurge: 1 }), []],
    [
      'maxUnavailable and maxSurge cannot both round below 1',
      (cs) => Object.assign(us(cs), { maxUnavailable: 0, maxSurge: 0 }),
      [['spec.updateStrategy.maxUnavailable', 'Invalid value: 0: maxUnavailable and maxSurge should not both be less than 1']],
    ],
    ['"0%" and "0%" are both below 1', (cs) => Object.assign(us(cs), { maxUnavailable: '0%', maxSurge: '0%' }), [['spec.updateStrategy.maxUnavailable', 'should not both be less than 1']]],
    ['a small percent rounds up to 1 and passes', (cs) => Object.assign(us(cs), { maxUnavailable: '1%', maxSurge: 0 }), []],
    ['maxUnavailable 0 with maxSurge 1 passes', (cs) => Object.assign(us(cs), { maxUnavailable: 0, maxSurge: 1 }), []],
  ])('%s', async (_name, edit, want) => {
    expectErrors(await validateCloneSet(cloneSet(edit), undefined, NO_PODS), want);
  });

  it('leaves scaleStrategy.maxUnavailable unchecked', async () => {
    const cs = cloneSet((c) => void (c.spec.scaleStrategy = { maxUnavailable: 'garbage' }));
    expectErrors(await validateCloneSet(cs, undefined, NO_PODS), []);
  });

  it('reads an unset maxUnavailable as 0, like Go', async () => {
    const cs = cloneSet();
    delete cs.spec.updateStrategy?.maxUnavailable;
    delete cs.spec.updateStrategy?.maxSurge;
    expectErrors(await validateCloneSet(cs, undefined, NO_PODS), [['spec.updateStrategy.maxUnavailable', 'Invalid value: null: maxUnavailable and maxSurge']]);
  });
});

describe('validateCloneSet: scaleStrategy.podsToDelete', () => {
  const withPods = (names: string[]) => cloneSet((cs) => void (cs.spec.scaleStrategy = { podsToDelete: names }));

  it.each<[string, string[], Parameters<typeof podsContext>[0], Want[]]>([
    ['an owned, running pod may be listed', ['demo-a'], { 'demo-a': ownedPod('demo-a') }, []],
    ['duplicates are rejected', ['demo-a', 'demo-a'], { 'demo-a': ownedPod('demo-a') }, [['spec.scaleStrategy.podsToDelete', 'duplicated items [demo-a]']]],
    ['a missing pod is rejected', ['ghost'], {}, [['spec.scaleStrategy.podsToDelete', 'find pod ghost failed: pods "ghost" not found']]],
    [
      'a terminating pod is rejected',
      ['demo-a'],
      { 'demo-a': ownedPod('demo-a', undefined, { deletionTimestamp: new Date('2024-01-01T00:00:00Z') }) },
      [['spec.scaleStrategy.podsToDelete', 'find pod demo-a already terminating']],
    ],
    ['a pod of another owner is rejected', ['other-a'], { 'other-a': ownedPod('other-a', 'another-uid') }, [['spec.scaleStrategy.podsToDelete', 'find pod other-a owner is not this CloneSet']]],
    [
      'a pod without a controller is rejected',
      ['bare'],
      { bare: { metadata: { name: 'bare', ownerReferences: [{ apiVersion: 'apps.kruise.io/v1alpha1', kind: 'CloneSet', name: 'demo', uid: 'x' }] } } },
      [['spec.scaleStrategy.podsToDelete', 'owner is not this CloneSet']],
    ],
  ])('%s', async (_name, names, pods, want) => {
    expectErrors(await validateCloneSet(withPods(names), undefined, podsContext(pods)), want);
  });

  it('checks only names added by the update (old names may be gone)', async () => {
    const old = withPods(['gone']);
    const cur = edited(old, (cs) => void (cs.spec.scaleStrategy = { podsToDelete: ['gone', 'demo-b'] }));
    expectErrors(await validateCloneSet(cur, old, podsContext({ 'demo-b': ownedPod('demo-b') })), []);
    const bad = edited(old, (cs) => void (cs.spec.scaleStrategy = { podsToDelete: ['gone', 'ghost'] }));
    expectErrors(await validateCloneSet(bad, old, podsContext({})), [['spec.scaleStrategy.podsToDelete', 'find pod ghost failed']]);
  });

  it('reports a failing lookup as an invalid value', async () => {
    const ctx = { getPod: async () => Promise.reject(new Error('apiserver unavailable')) };
    expectErrors(await validateCloneSet(withPods(['demo-a']), undefined, ctx), [['spec.scaleStrategy.podsToDelete', 'find pod demo-a failed: apiserver unavailable']]);
  });
});

describe('validateCloneSet on update', () => {
  const base = cloneSet();
  it.each<[string, CloneSet, CloneSet, Want[]]>([
    ['replicas, template, strategies, minReadySeconds, lifecycle, history and VCTs may change', base, edited(base, (cs) => {
      cs.spec.replicas = 7;
      cs.spec.minReadySeconds = 5;
      cs.spec.revisionHistoryLimit = 3;
      cs.spec.lifecycle = { preDelete: { finalizersHandler: ['x/y'] } };
      cs.spec.updateStrategy = { ...cs.spec.updateStrategy, paused: true, partition: 2 };
      cs.spec.scaleStrategy = { disablePVCReuse: true };
      (cs.spec.template.spec as { containers: { image?: string }[] }).containers[0]!.image = 'nginx:1.26';
      cs.spec.volumeClaimTemplates = [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }];
    }), []],
    [
      'the selector is immutable',
      base,
      edited(base, (cs) => {
        cs.spec.selector = { matchLabels: { app: 'demo', tier: 'x' } };
        cs.spec.template.metadata = { labels: { app: 'demo', tier: 'x' } };
      }),
      [['spec', "updates to cloneset spec for fields other than 'replicas', 'template'"]],
    ],
    ['an unknown spec field is immutable too', base, edited(base, (cs) => void ((cs.spec as unknown as Record<string, unknown>).extra = 1)), [['spec', 'are forbidden']]],
    ['an empty matchLabels map equals an absent one', edited(base, (cs) => void (cs.spec.selector = { matchLabels: { app: 'demo' }, matchExpressions: [] })), base, []],
  ])('%s', async (_name, old, cur, want) => {
    expectErrors(await validateCloneSet(cur, old, NO_PODS), want);
  });

  describe('InPlaceOnly allows only image replacements in template.spec', () => {
    const inPlace = cloneSet((cs) => void (cs.spec.updateStrategy = { type: 'InPlaceOnly' }));
    const change = (f: (c: { name: string; image?: string; env?: unknown[]; command?: string[]; resources?: object }[], cs: CloneSet) => void) =>
      edited(inPlace, (cs) => f((cs.spec.template.spec as { containers: { name: string }[] }).containers, cs));
    it.each<[string, CloneSet, CloneSet, Want[]]>([
      ['an image change', inPlace, change((c) => void (c[0]!.image = 'nginx:1.26')), []],
      ['a template label change', inPlace, change((_c, cs) => void (cs.spec.template.metadata = { labels: { app: 'demo', v: '2' } })), []],
      ['adding env', inPlace, change((c) => void (c[0]!.env = [{ name: 'A', value: '1' }])), [['spec', 'only allowed to update images in spec for InPlaceOnly, but found add /containers/0/env']]],
      ['a resources change', inPlace, change((c) => void (c[0]!.resources = { requests: { cpu: '1' } })), [['spec', 'but found']]],
      ['adding a container', inPlace, change((c) => void c.push({ name: 'side', image: 'busybox' })), [['spec', 'found add /containers/1']]],
      ['a command change on ReCreate is fine', cloneSet(), edited(cloneSet(), (cs) => void ((cs.spec.template.spec as { containers: { command?: string[] }[] }).containers[0]!.command = ['sh'])), []],
      [
        'the new strategy decides: switching to InPlaceOnly with a command change',
        cloneSet(),
        edited(cloneSet(), (cs) => {
          cs.spec.updateStrategy = { ...cs.spec.updateStrategy, type: 'InPlaceOnly', maxSurge: 0 };
          (cs.spec.template.spec as { containers: { command?: string[] }[] }).containers[0]!.command = ['sh'];
        }),
        [['spec', 'found add /containers/0/command']],
      ],
    ])('%s', async (_name, old, cur, want) => {
      expectErrors(await validateCloneSet(cur, old, NO_PODS), want);
    });
  });

  it('runs the create rules on the new object too', async () => {
    const cur = edited(base, (cs) => void (cs.spec.updateStrategy = { ...cs.spec.updateStrategy, type: 'InPlaceOnly', maxSurge: 2 }));
    const errs = await validateCloneSet(cur, base, NO_PODS);
    expectErrors(errs, [['spec.updateStrategy.maxSurge', 'can not use maxSurge with strategy type InPlaceOnly']]);
    expect(errs).toHaveLength(1);
  });
});
