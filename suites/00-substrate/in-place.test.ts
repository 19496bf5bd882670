import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { useNamespace } from './fixture.ts';
import { condition, container, isReady, podSummary, simplePod, waitForPod } from './pods.ts';

const f = useNamespace('substrate-inplace');
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

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

  it('applies a resize through pods/resize: status follows spec, restartCount unchanged, resize condition comes and goes', async () => {
    await f.core.createNamespacedPod({ namespace: f.ns, body: simplePod('vpa', {}, { resources }) });
    const before = await waitForPod(f, 'vpa', isReady, 'Ready');
    expect(container(before)?.resources, 'a running pod reports its resources, as a resize-capable kubelet does').toEqual(resources);
    expect(container(before)?.allocatedResources).toEqual(resources.requests);

    const want = { requests: { cpu: '150m', memory: '96Mi' }, limits: { cpu: '300m', memory: '128Mi' } };
    const resized = await f.core.patchNamespacedPodResize({ name: 'vpa', namespace: f.ns, body: { spec: { containers: [{ name: 'app', resources: want }] } } }, strategic);
    expect(resized.metadata?.generation, 'a resize bumps the generation').toBeGreaterThan(before?.metadata?.generation ?? 0);

    let sawInProgress = false;
    const after = await waitForPod(
      f,
      'vpa',
      (p) => {
        if (condition(p, 'PodResizeInProgress')) sawInProgress = true;
        return isDeepStrictEqual(container(p)?.resources, want) && !condition(p, 'PodResizeInProgress');
      },
      'status resources to equal the resized spec with no resize in progress',
    );
    expect(sawInProgress, 'PodResizeInProgress was observed while the resize ran').toBe(true);
    expect(container(after)?.restartCount, podSummary(after)).toBe(0);
    expect(container(after)?.allocatedResources).toEqual(want.requests);
    expect(after?.metadata?.uid).toBe(before?.metadata?.uid);
    expect(after?.status?.observedGeneration, 'status.observedGeneration follows metadata.generation').toBe(after?.metadata?.generation);
    expect(isReady(after)).toBe(true);
  });

  it('restarts a container on resize when its resizePolicy says RestartContainer for that resource', async () => {
    const pod: V1Pod = simplePod('vpa-restart', {}, { resources, resizePolicy: [{ resourceName: 'memory', restartPolicy: 'RestartContainer' }, { resourceName: 'cpu', restartPolicy: 'NotRequired' }] });
    await f.core.createNamespacedPod({ namespace: f.ns, body: pod });
    await waitForPod(f, 'vpa-restart', isReady, 'Ready');

    const cpuOnly = { ...resources, requests: { ...resources.requests, cpu: '150m' } };
    await f.core.patchNamespacedPodResize({ name: 'vpa-restart', namespace: f.ns, body: { spec: { containers: [{ name: 'app', resources: cpuOnly }] } } }, strategic);
    const afterCpu = await waitForPod(f, 'vpa-restart', (p) => container(p)?.resources?.requests?.cpu === '150m' && !condition(p, 'PodResizeInProgress'), 'cpu resize applied');
    expect(container(afterCpu)?.restartCount, 'cpu is NotRequired: no restart').toBe(0);

    const memory = { ...cpuOnly, requests: { ...cpuOnly.requests, memory: '100Mi' } };
    await f.core.patchNamespacedPodResize({ name: 'vpa-restart', namespace: f.ns, body: { spec: { containers: [{ name: 'app', resources: memory }] } } }, strategic);
    const afterMem = await waitForPod(f, 'vpa-restart', (p) => container(p)?.resources?.requests?.memory === '100Mi' && !condition(p, 'PodResizeInProgress'), 'memory resize applied');
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
