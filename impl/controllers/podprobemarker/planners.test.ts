import { describe, expect, it } from 'vitest';
import type { NodePodProbe } from '../../api/podprobemarker.ts';
import { planProbeResults, planServerlessMarks, podWithConditions, podWithMarks } from './marks.ts';
import { matchedPods } from './matching.ts';
import { resolveProbe, withLivePods, withMarkerProbes, withoutMarkerProbes } from './node-probes.ts';
import { planProbeAnnotations } from './serverless.ts';
import { execProbe, marker, node, pod } from './test-builders.ts';

type Spec = NonNullable<NodePodProbe['spec']>;
const names = (spec: Spec | undefined) => (spec?.podProbes ?? []).map((e) => `${e.namespace}/${e.name}: ${(e.probes ?? []).map((p) => p.name).join(',')}`);

describe('matchedPods', () => {
  const nodes = { a: node('a'), vk: node('vk', { virtual: true }) };
  const byName = (n: string) => nodes[n as keyof typeof nodes];
  it.each([
    ['a selected, Initialized pod on an agent node is normal', pod('p', 'a'), ['p'], []],
    ['on a virtual-kubelet node it is serverless', pod('p', 'vk'), [], ['p']],
    ['not Initialized: skipped', pod('p', 'a', { initialized: false }), [], []],
    ['terminating: skipped', pod('p', 'a', { deleting: true }), [], []],
    ['on a node that does not exist: skipped', pod('p', 'gone'), [], []],
    ['not selected: skipped', pod('p', 'a', { app: 'other' }), [], []],
    ['another namespace: skipped', pod('p', 'a', { namespace: 'other' }), [], []],
  ])('%s', (_what, p, normal, serverless) => {
    const got = matchedPods(marker('m', [execProbe('h')]), [p], byName);
    expect({ normal: got.normal.map((x) => x.metadata?.name), serverless: got.serverless.map((x) => x.metadata?.name) }).toEqual({ normal, serverless });
  });

  it('an empty selector matches nothing', () => {
    const m = marker('m', [execProbe('h')]);
    m.spec!.selector = {};
    expect(matchedPods(m, [pod('p', 'a')], byName).normal).toEqual([]);
  });
});

describe('NodePodProbe spec planners', () => {
  const m = marker('m', [execProbe('h'), execProbe('port', { probe: { tcpSocket: { port: 'http' } } })]);
  it('adds an entry per pod with <marker>#<probe> and the named port resolved', () => {
    const spec = withMarkerProbes(undefined, m, [pod('p', 'a')])!;
    expect(spec.podProbes).toEqual([
      {
        name: 'p',
        namespace: 'ns',
        uid: 'uid-p',
        IP: '10.0.0.1',
        probes: [
          { name: 'm#h', containerName: 'main', probe: { exec: { command: ['/bin/sh', '-c', 'h'] } } },
          { name: 'm#port', containerName: 'main', probe: { tcpSocket: { port: 8080 } } },
        ],
      },
    ]);
    expect(withMarkerProbes(spec, m, [pod('p', 'a')]), 'written again: no change').toBeUndefined();
  });

  it('updates changed probes in place, drops the marker\'s removed ones and keeps other markers\'', () => {
    const other = marker('o', [execProbe('x')]);
    let spec = withMarkerProbes(withMarkerProbes(undefined, m, [pod('p', 'a')]), other, [pod('p', 'a')]);
    expect(names(spec)).toEqual(['ns/p: m#h,m#port,o#x']);
    const changed = marker('m', [execProbe('h', { probe: { exec: { command: ['new'] } } })]);
    spec = withMarkerProbes(spec, changed, [pod('p', 'a')]);
    expect(names(spec)).toEqual(['ns/p: m#h,o#x']);
    expect(spec!.podProbes![0]!.probes![0]!.probe.exec?.command).toEqual(['new']);
  });

  it('leaves out a probe whose named port the container lacks', () => {
    expect(resolveProbe(execProbe('x', { probe: { tcpSocket: { port: 'grpc' } } }), pod('p', 'a'))).toBeUndefined();
    expect(resolveProbe(execProbe('x', { probe: { tcpSocket: { port: 9090 } } }), pod('p', 'a'))).toEqual({ tcpSocket: { port: 9090 } });
  });

  it('removes a marker\'s probes from its namespace only, and entries left empty', () => {
    let spec = withMarkerProbes(undefined, m, [pod('p', 'a'), pod('q', 'a', { namespace: 'other' })]);
    spec = withMarkerProbes(spec, marker('mx', [execProbe('y')]), [pod('p', 'a')]);
    expect(names(withoutMarkerProbes(spec, 'ns', 'm'))).toEqual(['ns/p: mx#y', 'other/q: m#h,m#port']);
    expect(names(withoutMarkerProbes(withoutMarkerProbes(spec, 'ns', 'm'), 'ns', 'mx'))).toEqual(['other/q: m#h,m#port']);
    expect(withoutMarkerProbes(spec, 'ns', 'none')).toBeUndefined();
  });

  it('prunes entries of pods that are gone', () => {
    const spec = withMarkerProbes(undefined, m, [pod('p', 'a'), pod('q', 'a')]);
    expect(names(withLivePods(spec, (e) => e.name === 'q'))).toEqual(['ns/q: m#h,m#port']);
    expect(withLivePods(spec, () => true)).toBeUndefined();
  });
});

describe('planProbeResults', () => {
  const m = marker('m', [
    execProbe('h', {
      markerPolicy: [
        { state: 'Succeeded', labels: { healthy: 'true', serving: 'true' }, annotations: { result: 'ok' } },
        { state: 'Failed', labels: { healthy: 'false' } },
      ],
    }),
    execProbe('port', { podConditionType: undefined, markerPolicy: [{ state: 'Succeeded', labels: { open: 'true' } }] }),
  ]);
  const lookup = (n: string) => (n === 'm' ? m : undefined);
  const plan = (states: [string, 'Succeeded' | 'Failed'][]) =>
    planProbeResults({ name: 'p', namespace: 'ns', uid: 'u', probeStates: states.map(([name, state]) => ({ name, state, message: `${name}: ${state}` })) }, lookup);

  it.each<[string, [string, 'Succeeded' | 'Failed'][], Record<string, unknown>]>([
    ['Succeeded: condition True, its marks set, the Failed keys deleted', [['m#h', 'Succeeded']], { cond: ['game.kruise.io/h=True'], labels: { healthy: 'true', serving: 'true' }, annotations: { result: 'ok' } }],
    ['Failed: condition False, the Succeeded keys deleted, the Failed marks set', [['m#h', 'Failed']], { cond: ['game.kruise.io/h=False'], labels: { healthy: 'false', serving: null }, annotations: { result: null } }],
    ['only a Succeeded policy, Failed: its keys deleted, no condition', [['m#port', 'Failed']], { cond: [], labels: { open: null }, annotations: {} }],
    ['a state of a marker that is gone: nothing', [['gone#h', 'Succeeded']], { cond: [], labels: {}, annotations: {} }],
  ])('%s', (_what, states, want) => {
    const p = plan(states);
    expect({ cond: p.conditions.map((c) => `${c.type}=${c.status}`), labels: Object.fromEntries(p.labels), annotations: Object.fromEntries(p.annotations) }).toEqual(want);
  });

  it('carries the message, and applying is idempotent', () => {
    const p = plan([['m#h', 'Succeeded']]);
    expect(p.conditions[0]?.message).toBe('m#h: Succeeded');
    const first = podWithConditions(pod('p', 'a'), p.conditions)!;
    expect(podWithConditions(first, p.conditions)).toBeUndefined();
    const marked = podWithMarks(pod('p', 'a'), p.labels, p.annotations)!;
    expect(marked.metadata?.labels).toEqual({ app: 'game', healthy: 'true', serving: 'true' });
    expect(podWithMarks(marked, p.labels, p.annotations)).toBeUndefined();
  });
});

describe('planServerlessMarks', () => {
  const m = marker('m', [
    execProbe('h', { markerPolicy: [{ state: 'Succeeded', labels: { healthy: 'true' } }, { state: 'Failed', labels: { healthy: 'false' }, annotations: { bad: 'yes' } }] }),
    execProbe('r', { markerPolicy: [{ state: 'Succeeded', labels: { ready: 'true' } }] }),
    execProbe('nomarks'),
  ]);
  const withConds = (conds: [string, 'True' | 'False'][]) => {
    const p = pod('p', 'vk');
    p.status!.conditions!.push(...conds.map(([type, status]) => ({ type, status })));
    return p;
  };
  it.each<[string, [string, 'True' | 'False'][], Record<string, unknown>]>([
    ['True sets the Succeeded marks', [['game.kruise.io/h', 'True']], { labels: { healthy: 'true' }, annotations: {} }],
    ['False sets the Failed marks and deletes nothing', [['game.kruise.io/h', 'False']], { labels: { healthy: 'false' }, annotations: { bad: 'yes' } }],
    ['a missing condition does nothing', [], { labels: {}, annotations: {} }],
  ])('%s', (_what, conds, want) => {
    const got = planServerlessMarks(withConds(conds), m);
    expect({ labels: Object.fromEntries(got.labels), annotations: Object.fromEntries(got.annotations) }).toEqual(want);
  });
});

describe('planProbeAnnotations', () => {
  const p = pod('p', '');
  p.spec!.initContainers = [
    { name: 'setup', image: 'x' },
    { name: 'sidecar', image: 'x', restartPolicy: 'Always' },
  ];
  it('keeps probes with a condition on a running container, without markerPolicy, first one of duplicates, markers sorted', () => {
    const got = planProbeAnnotations(p, [
      marker('b', [execProbe('one', { markerPolicy: [{ state: 'Succeeded', labels: { a: 'b' } }] }), execProbe('side', { containerName: 'sidecar' }), execProbe('init', { containerName: 'setup' })]),
      marker('a', [execProbe('one', { podConditionType: 'other' }), execProbe('two', { podConditionType: 'game.kruise.io/one' }), execProbe('nocond', { podConditionType: '' })]),
    ]);
    expect(got?.probes.map((x) => `${x.containerName}/${x.name} ${x.podConditionType}`)).toEqual(['main/one game.kruise.io/one', 'sidecar/side game.kruise.io/side']);
    expect(got?.probes.some((x) => 'markerPolicy' in x)).toBe(false);
    expect(got?.markers).toEqual(['b']);
  });
  it('nothing when no probe applies', () => {
    expect(planProbeAnnotations(p, [marker('m', [execProbe('x', { podConditionType: undefined })])])).toBeUndefined();
    expect(planProbeAnnotations(p, [marker('m', [execProbe('x')], 'other')])).toBeUndefined();
  });
});
