// Pod readiness controller: a pod that declares the KruisePodReady readiness gate but has no
// KruisePodReady condition yet gets KruisePodReady=True, so the gate does not hold it unready
// forever. Workload controllers flip the condition to False around in-place updates and lifecycle
// hooks; this controller only fills in a missing one and never overwrites an existing value.
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';
import { CONDITION_KRUISE_POD_READY } from '../../api/constants.ts';
import { isConflict, isNotFound, splitKey, watch, type Controller, type ControllerFactory, type Manager } from '../../runtime/index.ts';

/** Condition type and readiness-gate name shared with the workload controllers. */
export const KRUISE_POD_READY = CONDITION_KRUISE_POD_READY;

const PODS = '/api/v1/pods';

export function hasKruiseReadinessGate(pod: V1Pod): boolean {
  return (pod.spec?.readinessGates ?? []).some((g) => g.conditionType === KRUISE_POD_READY);
}

export function kruiseReadyCondition(pod: V1Pod): V1PodCondition | undefined {
  return (pod.status?.conditions ?? []).find((c) => c.type === KRUISE_POD_READY);
}

/** needsCondition is the whole decision: gate declared, condition absent, pod not terminating. */
export function needsCondition(pod: V1Pod): boolean {
  return !pod.metadata?.deletionTimestamp && hasKruiseReadinessGate(pod) && kruiseReadyCondition(pod) === undefined;
}

/** withReadyCondition returns a copy of the pod with KruisePodReady=True appended. */
export function withReadyCondition(pod: V1Pod, now: Date): V1Pod {
  const condition: V1PodCondition = { type: KRUISE_POD_READY, status: 'True', lastTransitionTime: now };
  return { ...pod, status: { ...pod.status, conditions: [...(pod.status?.conditions ?? []), condition] } };
}

export function podReadinessController(mgr: Manager, now: () => Date = () => new Date()): Controller {
  const pods = mgr.informer<V1Pod>(PODS);
  const log = mgr.logger.child('pod-readiness');
  return {
    name: 'pod-readiness-controller',
    concurrency: 3,
    watches: [
      watch<V1Pod>(PODS, (ev) => (ev.type !== 'delete' && needsCondition(ev.object) ? `${ev.object.metadata?.namespace}/${ev.object.metadata?.name}` : undefined)),
    ],
    async reconcile(key) {
      const { namespace, name } = splitKey(key);
      const pod = pods.get(namespace, name);
      if (!pod || !needsCondition(pod)) return;
      try {
        // Replace (not patch) so the write carries resourceVersion: if anyone set the condition
        // meanwhile, the conflict sends us back to a fresher cache instead of overwriting it.
        await mgr.core.replaceNamespacedPodStatus({ name, namespace: namespace ?? '', body: withReadyCondition(pod, now()) });
        log.debug('set KruisePodReady=True', { pod: key });
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) return { requeue: true };
        throw err;
      }
    },
  };
}

export const podReadinessControllerFactory: ControllerFactory = (mgr) => podReadinessController(mgr);
