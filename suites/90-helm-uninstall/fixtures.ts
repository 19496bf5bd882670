/**
 * Shared pieces of the Helm pre-delete suites (spec §8.1): the kinds whose objects make the hook
 * refuse an uninstall, a wait until none of them exists anywhere (the hook's lists are
 * cluster-wide, and other suites' namespaces may still be terminating), the objects of kinds
 * that must not block, and the check program's verdict as the assertions read it.
 */
import { expect } from 'vitest';
import { rawGet } from '../../harness/kube/client.ts';
import { describeCheckRun, type CheckRun } from '../../harness/hook-check/plan.ts';
import type { ResolvedPreDeleteCheckSpec } from '../../harness/hook-check/spec.ts';
import { ASTS, ASTS_V1ALPHA1, CLONESET, type Obj, type Resource, waitForAll } from '../lib/api.ts';
import { kube, runEnv } from '../lib/context.ts';
import { container, IMAGE_V1 } from '../lib/workloads.ts';

export const ADVANCED_DAEMONSET: Resource = { group: 'apps.kruise.io', version: 'v1alpha1', plural: 'daemonsets', kind: 'DaemonSet', namespaced: true };

/** What OpenKruise's hook lists (cmd/helm_hook): any object of these blocks the uninstall. */
export const BLOCKING: readonly Resource[] = [CLONESET, ASTS_V1ALPHA1, ASTS, ADVANCED_DAEMONSET];

/** How the kinds are named in a hook's output: "CloneSet", "clonesets", "Advanced StatefulSets". */
export const NAMES = {
  CloneSet: /clone ?sets?/i,
  StatefulSet: /stateful ?sets?/i,
  DaemonSet: /daemon ?sets?/i,
} as const;
export type BlockingKind = keyof typeof NAMES;

/** Whether the apiserver serves a resource (discovery of its group/version). */
export async function served(r: Resource): Promise<boolean> {
  try {
    const list = JSON.parse(await rawGet(kube().kc, `/apis/${r.group}/${r.version}`)) as { resources?: Array<{ name: string }> };
    return (list.resources ?? []).some((x) => x.name === r.plural);
  } catch (err) {
    if (/HTTP 404/.test((err as Error).message)) return false;
    throw err;
  }
}

const renderLeft = (r: Resource) => (items: Obj[]) =>
  items
    .map((o) => `  ${r.kind} ${r.group}/${r.version} ${o.metadata.namespace}/${o.metadata.name}${o.metadata.deletionTimestamp ? ` (deleting since ${o.metadata.deletionTimestamp}, finalizers ${JSON.stringify(o.metadata.finalizers ?? [])})` : ''}`)
    .join('\n') || '  (none)';

/**
 * Wait (watching each served blocking resource, cluster-wide) until no blocking object exists in
 * any namespace; a timeout lists what remains.
 */
export async function waitUntilNothingBlocks(timeoutMs: number, why: string): Promise<void> {
  for (const r of BLOCKING) {
    if (!(await served(r))) continue;
    await waitForAll(r, undefined, undefined, (items) => items.length === 0, {
      timeoutMs,
      describe: `no ${r.kind} (${r.group}/${r.version}) left in any namespace, ${why}`,
      render: renderLeft(r),
    });
  }
}

/** The descriptor's pre-delete check program, as the runner resolved it. */
export function checkSpec(): ResolvedPreDeleteCheckSpec {
  const impl = runEnv().implementation;
  if (!impl.preDeleteCheck) {
    throw new Error(`implementation ${impl.name} claims Helm.PreDeleteCheck, but its descriptor has no preDeleteCheck (the hook program, its RBAC rules, and whether it reads the in-cluster config): add one, or do not claim the feature`);
  }
  return impl.preDeleteCheck;
}

/** A verdict that came from the objects, not from a check that could not be made. */
function expectRan(r: CheckRun, what: string): void {
  expect(r.timedOut, `${what}: the check program must finish\n${describeCheckRun(r)}`).toBe(false);
  expect(r.output, `${what}: the check program must have been able to list (no RBAC refusal, no crash)\n${describeCheckRun(r)}`).not.toMatch(/forbidden|unauthorized|panic:|could not be made/i);
}

export function expectPasses(r: CheckRun, what: string): void {
  expectRan(r, what);
  expect(r.exitCode, `${what}: the check must pass (exit 0)\n${describeCheckRun(r)}`).toBe(0);
}

/** Blocked: non-zero, naming `kind` and no other blocking kind (none other exists). */
export function expectBlocked(r: CheckRun, kind: BlockingKind, what: string): void {
  expectRan(r, what);
  expect(r.exitCode, `${what}: the check must refuse (exit non-zero)\n${describeCheckRun(r)}`).not.toBe(0);
  expect(r.output, `${what}: the refusal must name the ${kind}s that block it\n${describeCheckRun(r)}`).toMatch(NAMES[kind]);
  for (const [other, re] of Object.entries(NAMES)) {
    if (other !== kind) expect(r.output, `${what}: only ${kind}s exist, yet the refusal names ${other}s\n${describeCheckRun(r)}`).not.toMatch(re);
  }
}

/** An Advanced DaemonSet whose pods fit no node, so it runs nothing. */
export function advancedDaemonSet(name: string): Record<string, unknown> {
  return {
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [container()], nodeSelector: { 'kruise-conformance.io/no-such-node': 'true' } } },
    },
  };
}

/** Objects of apps.kruise.io kinds the hook does not check, and of apps/v1. */
export const nonBlocking = {
  sidecarSet: (name: string, namespace: string) => ({
    metadata: { name },
    spec: { namespace, selector: { matchLabels: { app: name } }, containers: [{ name: 'sidecar', image: IMAGE_V1 }] },
  }),
  workloadSpread: (name: string, deployment: string) => ({
    metadata: { name },
    spec: { targetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: deployment }, subsets: [{ name: 'only', maxReplicas: 1 }] },
  }),
  podProbeMarker: (name: string) => ({
    metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      probes: [{ name: 'healthy', containerName: 'main', probe: { exec: { command: ['/bin/sh', '-c', 'true'] } }, podConditionType: 'game.kruise.io/healthy' }],
    },
  }),
  podTemplate: (app: string) => ({ metadata: { labels: { app } }, spec: { containers: [container()] } }),
};
