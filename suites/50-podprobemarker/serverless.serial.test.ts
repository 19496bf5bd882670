/**
 * The serverless protocol (1.8, gate EnablePodProbeMarkerOnServerless; spec §6.3). At pod creation
 * the probes that have a podConditionType, from every PodProbeMarker matching the pod, are written
 * to the pod's annotations (kruise.io/podprobe, and kruise.io/podprobemarker-list with the
 * contributing names sorted) for the platform to run; duplicates by podConditionType or by
 * container/name are dropped, the first kept. When the platform reports a result as a pod
 * condition on a pod of a node labelled type=virtual-kubelet, the markerPolicy of that state is
 * applied; unlike the node-agent path (spec §6.2) it only adds or overwrites keys.
 *
 * The test plays the serverless platform: it adds a node labelled type=virtual-kubelet and sets
 * the pod conditions itself. Serial: it creates a cluster-scoped Node.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Obj, POD, PODPROBEMARKER, createObject, waitForOne } from '../lib/api.ts';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import { IMAGE_V1 } from '../lib/workloads.ts';
import { type AnnotatedProbe, PPM_LIST_ANNOTATION, PROBE_ANNOTATION, VIRTUAL_KUBELET, addNode, pinnedPod, removeNode, renderMarks, reportCondition, runPod } from './fixtures.ts';

const NODE = 'kc-virtual-kubelet';
const HEALTHY = 'game.kruise.io/healthy';
const READY = 'game.kruise.io/ready';

type Probe = Record<string, unknown>;
const exec = (tag: string) => ({ exec: { command: ['/bin/sh', '-c', `echo ${tag}`] } });
const marker = (name: string, app: string, probes: Probe[]) => ({ metadata: { name }, spec: { selector: { matchLabels: { app } }, probes } });

/** Every PodProbeMarker of the file; created first, so that admission sees all of them. */
const MARKERS = [
  // Created before `alpha`: the list annotation is sorted by name, not by age.
  marker('zeta', 'multi', [{ name: 'alive', containerName: 'main', probe: exec('zeta-alive'), podConditionType: 'game.kruise.io/alive', markerPolicy: [{ state: 'Succeeded', labels: { alive: 'true' } }] }]),
  marker('alpha', 'multi', [
    { name: 'warm', containerName: 'main', probe: { ...exec('alpha-warm'), periodSeconds: 3 }, podConditionType: 'game.kruise.io/warm' },
    { name: 'marks-only', containerName: 'main', probe: exec('alpha-marks'), markerPolicy: [{ state: 'Succeeded', labels: { marked: 'true' } }] },
    { name: 'sidecar', containerName: 'log-agent', probe: exec('alpha-sidecar'), podConditionType: 'game.kruise.io/log-agent' },
    { name: 'init', containerName: 'setup', probe: exec('alpha-init'), podConditionType: 'game.kruise.io/setup' },
    { name: 'absent', containerName: 'no-such-container', probe: exec('alpha-absent'), podConditionType: 'game.kruise.io/absent' },
  ]),
  // dup-a and dup-b collide: same container/name (healthy), and the same condition (game.kruise.io/dup).
  marker('dup-a', 'dup', [{ name: 'healthy', containerName: 'main', probe: exec('dup-a-healthy'), podConditionType: 'game.kruise.io/dup' }]),
  marker('dup-b', 'dup', [
    { name: 'healthy', containerName: 'main', probe: exec('dup-b-healthy'), podConditionType: 'game.kruise.io/other' },
    { name: 'second', containerName: 'main', probe: exec('dup-b-second'), podConditionType: 'game.kruise.io/dup' },
  ]),
  // Matches pods, but has no probe with a podConditionType: nothing for the platform to run.
  marker('marks', 'marks', [{ name: 'marks-only', containerName: 'main', probe: exec('marks'), markerPolicy: [{ state: 'Succeeded', labels: { marked: 'true' } }] }]),
  marker('game', 'game', [
    {
      name: 'healthy',
      containerName: 'main',
      probe: exec('game-healthy'),
      podConditionType: HEALTHY,
      markerPolicy: [
        { state: 'Succeeded', labels: { 'game.kruise.io/healthy': 'true' }, annotations: { 'game.kruise.io/last-good': 'yes' } },
        { state: 'Failed', labels: { 'game.kruise.io/healthy': 'false' }, annotations: { 'game.kruise.io/last-bad': 'yes' } },
      ],
    },
    { name: 'ready', containerName: 'main', probe: exec('game-ready'), podConditionType: READY, markerPolicy: [{ state: 'Succeeded', labels: { 'game.kruise.io/ready': 'true' } }] },
  ]),
];

function annotated(pod: V1Pod): AnnotatedProbe[] {
  return JSON.parse(pod.metadata?.annotations?.[PROBE_ANNOTATION] ?? '[]') as AnnotatedProbe[];
}

/** One comparable line per annotated probe: name, container, condition and the echo tag of its command. */
function summary(probes: AnnotatedProbe[]): string[] {
  return probes.map((p) => `${p.containerName}/${p.name} ${p.podConditionType ?? '-'} ${(p.probe?.exec?.command ?? []).join(' ').replace('/bin/sh -c echo ', '')}`).sort();
}

describeFeature('PodProbeMarker.Serverless', 'probes for serverless pods travel through pod annotations and conditions', () => {
  // Registered before the namespace so that it runs after the namespace (and its pods) are gone.
  afterAll(async () => {
    await removeNode(NODE);
  });
  const ns = useNamespace('ppm-serverless');

  beforeAll(async () => {
    await addNode(NODE, VIRTUAL_KUBELET);
    for (const m of MARKERS) await createObject(PODPROBEMARKER, ns.name, m);
    // Each one reconciled once: the implementation has seen them all before any pod is created.
    for (const m of MARKERS) {
      await waitForOne<Obj & { status?: { observedGeneration?: number } }>(PODPROBEMARKER, ns.name, m.metadata.name, (o) => o?.status?.observedGeneration === o?.metadata.generation, {
        timeoutMs: timeouts().statusSync,
        describe: `PodProbeMarker ${m.metadata.name} observed (status.observedGeneration = generation)`,
        namespace: ns.name,
      });
    }
  });

  const create = (pod: V1Pod) => kube().core.createNamespacedPod({ namespace: ns.name, body: pod });

  it('writes only probes with a podConditionType on a container the pod runs, without markerPolicy, and lists the contributing PodProbeMarkers sorted', async () => {
    const pod = await create(
      pinnedPod('multi-0', { app: 'multi' }, NODE, {
        initContainers: [
          { name: 'setup', image: IMAGE_V1 },
          { name: 'log-agent', image: IMAGE_V1, restartPolicy: 'Always' },
        ],
      }),
    );
    const probes = annotated(pod);
    const annotations = pod.metadata?.annotations ?? {};
    // The restartable init container (a sidecar) counts as a container; the plain init container,
    // a missing container and a probe without podConditionType do not.
    expect(summary(probes), `${PROBE_ANNOTATION}: ${annotations[PROBE_ANNOTATION]}`).toEqual([
      'log-agent/sidecar game.kruise.io/log-agent alpha-sidecar',
      'main/alive game.kruise.io/alive zeta-alive',
      'main/warm game.kruise.io/warm alpha-warm',
    ]);
    expect(probes.filter((p) => p.markerPolicy !== undefined), 'markerPolicy is not part of the annotation').toEqual([]);
    expect(probes.find((p) => p.name === 'warm')?.probe, 'the probe is carried whole').toMatchObject({ ...exec('alpha-warm'), periodSeconds: 3 });
    expect(annotations[PPM_LIST_ANNOTATION], PPM_LIST_ANNOTATION).toBe('alpha,zeta');
  });

  it('drops duplicates by podConditionType and by container/name, keeping the first', async () => {
    const pod = await create(pinnedPod('dup-0', { app: 'dup' }, NODE));
    const got = { probes: summary(annotated(pod)), list: pod.metadata?.annotations?.[PPM_LIST_ANNOTATION] };
    // Which PodProbeMarker comes first is the implementation's order; either way, what is kept
    // is consistent: dup-a first keeps its probe and drops both of dup-b's (one shares the
    // container/name, the other the condition); dup-b first keeps both of its and drops dup-a's.
    const aFirst = { probes: ['main/healthy game.kruise.io/dup dup-a-healthy'], list: 'dup-a' };
    const bFirst = { probes: ['main/healthy game.kruise.io/other dup-b-healthy', 'main/second game.kruise.io/dup dup-b-second'], list: 'dup-b' };
    expect([aFirst, bFirst], `probes and list of dup-0: got ${JSON.stringify(got)}; expected either dup-a first ${JSON.stringify(aFirst)} or dup-b first ${JSON.stringify(bFirst)}`).toContainEqual(got);
  });

  it('writes no annotation on a pod that no PodProbeMarker with a podConditionType matches', async () => {
    for (const [name, app] of [
      ['lonely-0', 'lonely'],
      ['marks-0', 'marks'],
    ] as const) {
      const pod = await create(pinnedPod(name, { app }, NODE));
      const annotations = pod.metadata?.annotations ?? {};
      expect({ probes: annotations[PROBE_ANNOTATION], list: annotations[PPM_LIST_ANNOTATION] }, `annotations of ${name} (app=${app})`).toEqual({ probes: undefined, list: undefined });
    }
  });

  it('marks the pod from reported conditions: adds or overwrites the state\'s marks, keeps the other state\'s, and ignores probes whose condition is missing', async () => {
    const pod = await runPod(ns.name, pinnedPod('game-0', { app: 'game' }, NODE));
    expect(summary(annotated(pod)), PROBE_ANNOTATION).toEqual(['main/healthy game.kruise.io/healthy game-healthy', 'main/ready game.kruise.io/ready game-ready']);
    expect(pod.metadata?.annotations?.[PPM_LIST_ANNOTATION], PPM_LIST_ANNOTATION).toBe('game');
    const waitPod = (predicate: (p: V1Pod | undefined) => boolean, describe: string) =>
      waitForOne<V1Pod & Obj>(POD, ns.name, 'game-0', predicate, { timeoutMs: timeouts().statusSync, describe, namespace: ns.name, render: renderMarks([HEALTHY, READY]) });

    await reportCondition(ns.name, 'game-0', HEALTHY, 'True');
    const succeeded = await waitPod(
      (p) => p?.metadata?.labels?.['game.kruise.io/healthy'] === 'true' && p.metadata.annotations?.['game.kruise.io/last-good'] === 'yes',
      'the Succeeded marks: label game.kruise.io/healthy=true, annotation game.kruise.io/last-good=yes',
    );
    // Marked in the same pass that found no game.kruise.io/ready condition.
    expect(succeeded!.metadata!.labels?.['game.kruise.io/ready'], `no condition ${READY}, no mark: ${renderMarks([HEALTHY, READY])([succeeded as V1Pod & Obj])}`).toBeUndefined();

    await reportCondition(ns.name, 'game-0', HEALTHY, 'False');
    const failed = await waitPod(
      (p) => p?.metadata?.labels?.['game.kruise.io/healthy'] === 'false' && p.metadata.annotations?.['game.kruise.io/last-bad'] === 'yes',
      'the Failed marks: label game.kruise.io/healthy=false, annotation game.kruise.io/last-bad=yes',
    );
    expect(failed!.metadata!.annotations?.['game.kruise.io/last-good'], `the Succeeded annotation stays: ${renderMarks([HEALTHY, READY])([failed as V1Pod & Obj])}`).toBe('yes');
  });

  // A marker created after its pod: the pod is never annotated, but it is marked from its conditions.
  const LATE = 'game.kruise.io/late';
  const lateMarker = marker('late', 'late', [
    { name: 'late', containerName: 'main', probe: exec('late'), podConditionType: LATE, markerPolicy: [{ state: 'Succeeded', labels: { 'game.kruise.io/late': 'true' }, annotations: { 'game.kruise.io/late-seen': 'yes' } }] },
  ]);

  it('annotates pods only at creation: a pod that existed before the PodProbeMarker is not annotated when it is updated, a pod created after is', async () => {
    await runPod(ns.name, pinnedPod('early-0', { app: 'late' }, NODE));
    // Reported before the marker exists; the next test shows it is acted on once the marker comes.
    await reportCondition(ns.name, 'early-0', LATE, 'True');
    await createObject(PODPROBEMARKER, ns.name, lateMarker);
    await waitForOne<Obj & { status?: { observedGeneration?: number } }>(PODPROBEMARKER, ns.name, 'late', (o) => o?.status?.observedGeneration === o?.metadata.generation, {
      timeoutMs: timeouts().statusSync,
      describe: 'PodProbeMarker late observed (status.observedGeneration = generation)',
      namespace: ns.name,
    });
    const updated = await kube().core.patchNamespacedPod(
      { name: 'early-0', namespace: ns.name, body: { metadata: { labels: { touched: 'true' } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    const annotations = updated.metadata?.annotations ?? {};
    expect({ probes: annotations[PROBE_ANNOTATION], list: annotations[PPM_LIST_ANNOTATION] }, 'annotations of early-0 after an update').toEqual({ probes: undefined, list: undefined });

    const later = await create(pinnedPod('late-0', { app: 'late' }, NODE));
    expect(summary(annotated(later)), `${PROBE_ANNOTATION} of late-0, created after the marker`).toEqual(['main/late game.kruise.io/late late']);
    expect(later.metadata?.annotations?.[PPM_LIST_ANNOTATION], PPM_LIST_ANNOTATION).toBe('late');
  });

  it('marks a pod from a condition reported before its PodProbeMarker was created, though the pod carries no probe annotation', async () => {
    const marked = await waitForOne<V1Pod & Obj>(
      POD,
      ns.name,
      'early-0',
      (p) => p?.metadata?.labels?.['game.kruise.io/late'] === 'true' && p.metadata.annotations?.['game.kruise.io/late-seen'] === 'yes',
      { timeoutMs: timeouts().statusSync, describe: `the Succeeded marks of ${LATE}=True on early-0: label game.kruise.io/late=true, annotation game.kruise.io/late-seen=yes`, namespace: ns.name, render: renderMarks([LATE]) },
    );
    expect(marked!.metadata!.annotations?.[PROBE_ANNOTATION], 'still no probe annotation').toBeUndefined();
  });
});
