import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, inject, it } from 'vitest';
import { useNamespace } from './fixture.ts';
import { apiFailure, condition, container, isReady, podSummary, resizeInProgress, resizePod, simplePod, waitForPod } from './pods.ts';

const f = useNamespace('substrate-inplace');
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const resizePodThroughSubresource = (name: string, want: typeof resources) =>
  f.core.patchNamespacedPodResize({ name, namespace: f.ns, body: { spec: { containers: [{ name: 'app', resources: want }] } } }, strategic);

const resources = { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } };

describe('in-place changes of a running pod', () => {
  it('restarts only the changed container on an image change, keeping UID, IP and node', async () => {
    await f.core.createNamespacedPod({
      namespace: f.ns,
      body: { metadata: { name: 'img' }, spec: { containers: [{ name: 'app', image: 'registry.example/app:v1' }, { name: 'side', image: 'registry.example/side:v1' }] } },
    });
    const before = await waitForPod(f, 'img', isReady, 'Ready');
    const oldImageID = container(before)?.imageID;

    await f.core.patchNamespacedPod({ name: 'img', namespace: f.ns, body: { spec: { containers: [{ name: 'app', image: 'registry.example/app:v2' }] } } }, strategic);

    // Record every state the pod passes through until it is Ready on the new image.
    const timeline: string[] = [];
    let sawNotReady = false;
    const after = await waitForPod(
      f,
      'img',
      (p) => {
        timeline.push(`${container(p)?.image} ready=${container(p)?.ready} restarts=${container(p)?.restartCount} Ready=${condition(p, 'Ready')?.status}`);
        if (container(p)?.image === 'registry.example/app:v2' && container(p)?.ready === false) sawNotReady = true;
        return container(p)?.image === 'registry.example/app:v2' && isReady(p);
      },
      'Ready again on image app:v2',
    );
    expect(sawNotReady, `the restarted container was briefly not ready; timeline:\n${timeline.join('\n')}`).toBe(true);
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.status?.podIP).toBe(before?.status?.podIP);
    expect(after?.spec?.nodeName).toBe(before?.spec?.nodeName);
    expect(container(after)?.restartCount).toBe(1);
    expect(container(after)?.imageID).not.toBe(oldImageID);
    expect(container(after)?.lastState?.terminated, 'the old container terminated').toBeDefined();
    expect(container(after, 'side')?.restartCount, 'the unchanged container did not restart').toBe(0);
  });

  it('applies a resize (pods/resize from 1.32, a plain update before): status follows spec, restartCount unchanged, in-progress mark comes and goes', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('vpa', {}, { resources }) });
    const before = await waitForPod(f, 'vpa', isReady, 'Ready');
    expect(container(before)?.resources, 'a running pod reports its resources, as a resize-capable kubelet does').toEqual(resources);
    expect(container(before)?.allocatedResources).toEqual(resources.requests);

    const want = { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    const resized = await resizePod(f, 'vpa', [{ name: 'app', resources: want }]);
    if (inject('podResizeSubresource')) {
      expect(resized.metadata?.generation, 'a resize bumps the generation').toBeGreaterThan(before?.metadata?.generation ?? 0);
    } else {
      expect(resized.status?.resize, 'before 1.33 the apiserver marks a change of requests Proposed').toBe('Proposed');
    }

    let sawInProgress = false;
    const after = await waitForPod(
      f,
      'vpa',
      (p) => {
        if (resizeInProgress(p)) sawInProgress = true;
        return isDeepStrictEqual(container(p)?.resources, want) && !resizeInProgress(p) && !p?.status?.resize;
      },
      'status resources to equal the resized spec with no resize in progress',
    );
    expect(sawInProgress, 'a resize in progress (PodResizeInProgress, or status.resize InProgress before 1.33) was observed while it ran').toBe(true);
    expect(container(after)?.restartCount, podSummary(after)).toBe(0);
    expect(container(after)?.allocatedResources).toEqual(want.requests);
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    if (inject('podResizeSubresource')) {
      expect(after?.status?.observedGeneration, 'status.observedGeneration follows metadata.generation').toBe(after?.metadata?.generation);
    }
    expect(isReady(after)).toBe(true);
  });

  it('takes a cpu change by a plain pod update only where the release has no pods/resize', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('plain', {}, { resources }) });
    const before = await waitForPod(f, 'plain', isReady, 'Ready');
    // A full update (PUT), as OpenKruise 1.8 writes in-place changes.
    const changed = structuredClone(before!);
    const want = { ...resources, requests: { ...resources.requests, cpu: '150m' }, limits: { ...resources.limits, cpu: '300m' } };
    changed.spec!.containers[0]!.resources = want;
    let outcome: { accepted: true; pod: V1Pod } | { accepted: false; code?: number; message: string };
    try {
      outcome = { accepted: true, pod: await f.core.replaceNamespacedPod({ name: 'plain', namespace: f.ns, body: changed }) };
    } catch (err) {
      outcome = { accepted: false, ...apiFailure(err) };
    }

    if (inject('podResizeSubresource')) {
      // 1.32+: resources change only through pods/resize; a plain update is refused at validation.
      expect(outcome.accepted, `${inject('kubernetesVersion')} refuses resources in a plain update`).toBe(false);
      if (!outcome.accepted) {
        expect(outcome.code).toBe(422);
        expect(outcome.message).toMatch(/spec: Forbidden: pod updates may not change fields/);
      }
      return;
    }
    expect(outcome.accepted, `${inject('kubernetesVersion')} with InPlacePodVerticalScaling takes resources in a plain update: ${outcome.accepted ? '' : outcome.message}`).toBe(true);
    if (outcome.accepted) expect(outcome.pod.status?.resize, 'the apiserver marks the change Proposed').toBe('Proposed');
    let sawInProgress = false;
    const after = await waitForPod(
      f,
      'plain',
      (p) => {
        if (p?.status?.resize === 'InProgress') sawInProgress = true;
        return isDeepStrictEqual(container(p)?.resources, want) && !p?.status?.resize;
      },
      'status resources to follow the updated spec and status.resize to clear',
    );
    expect(sawInProgress, 'status.resize went through InProgress').toBe(true);
    expect(
      { uid: after?.metadata?.uid, restartCount: container(after)?.restartCount, allocated: container(after)?.allocatedResources, ready: isReady(after) },
      podSummary(after),
    ).toEqual({ uid: before?.metadata?.uid, restartCount: 0, allocated: want.requests, ready: true });
    // And pods/resize does not exist here.
    const viaSubresource = await resizePodThroughSubresource('plain', resources).then(
      () => undefined,
      (err: unknown) => apiFailure(err).code,
    );
    expect(viaSubresource, 'pods/resize is not served before 1.32').toBe(404);
  });

  it('restarts a container on resize when its resizePolicy says RestartContainer for that resource', async () => {
    const pod: V1Pod = simplePod('vpa-restart', {}, { resources, resizePolicy: [{ resourceName: 'memory', restartPolicy: 'RestartContainer' }, { resourceName: 'cpu', restartPolicy: 'NotRequired' }] });
    await f.core.createNamespacedPod({ namespace: f.ns, body: pod });
    await waitForPod(f, 'vpa-restart', isReady, 'Ready');

    const cpuOnly = { ...resources, requests: { ...resources.requests, cpu: '150m' } };
    await resizePod(f, 'vpa-restart', [{ name: 'app', resources: cpuOnly }]);
    const afterCpu = await waitForPod(f, 'vpa-restart', (p) => container(p)?.resources?.requests?.cpu === '150m' && !resizeInProgress(p), 'cpu resize applied');
    expect(container(afterCpu)?.restartCount, 'cpu is NotRequired: no restart').toBe(0);

    const memory = { ...cpuOnly, requests: { ...cpuOnly.requests, memory: '100Mi' } };
    await resizePod(f, 'vpa-restart', [{ name: 'app', resources: memory }]);
    const afterMem = await waitForPod(f, 'vpa-restart', (p) => container(p)?.resources?.requests?.memory === '100Mi' && !resizeInProgress(p), 'memory resize applied');
    expect(container(afterMem)?.restartCount, 'memory is RestartContainer: one restart').toBe(1);
  });

  it('deletes a pod after its grace period, shortened, with the deletion visible first', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('bye') });
    await waitForPod(f, 'bye', isReady, 'Ready');
    const started = performance.now();
    await f.core.deleteNamespacedPod({ name: 'bye', namespace: f.ns });
    let sawTerminating = false;
    await waitForPod(
      f,
      'bye',
      (p) => {
        if (p?.metadata?.deletionTimestamp && !isReady(p)) sawTerminating = true;
        return p === undefined;
      },
      'gone after graceful deletion',
      15_000,
    );
    const elapsed = performance.now() - started;
    expect(sawTerminating, 'the pod was seen terminating and not ready before it went').toBe(true);
    expect(elapsed, 'ms until gone (30 s grace shortened to 1 s)').toBeGreaterThanOrEqual(900);
    expect(elapsed).toBeLessThan(10_000);
  });
});
