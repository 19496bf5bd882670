// Readiness of the CRD conversion webhook: the apiserver picks up a CRD's new conversion settings
// a moment after the update, so before the manager reports ready it makes the apiserver convert
// (a server-side dry-run create of a SidecarSet at v1beta1, stored as v1alpha1) until our server
// has answered a ConversionReview.
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { GROUP, SIDECARSET, V1BETA1 } from '../api/group.ts';
import type { Logger } from '../runtime/logger.ts';

export const CONVERSION_PROBE_NAME = 'kruise-ref-conversion-probe';

export function probeSidecarSetV1beta1(): object {
  return {
    apiVersion: `${GROUP}/${V1BETA1}`,
    kind: SIDECARSET.kind,
    metadata: { name: CONVERSION_PROBE_NAME },
    spec: {
      selector: { matchLabels: { app: CONVERSION_PROBE_NAME } },
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': CONVERSION_PROBE_NAME } },
      containers: [{ name: 'probe', image: 'probe' }],
    },
  };
}

/** Resolves once `served()` grows past its value at the call; throws after timeoutMs. */
export async function waitUntilConversionServed(kc: KubeConfig, served: () => number, timeoutMs: number, logger: Logger): Promise<void> {
  const custom = kc.makeApiClient(CustomObjectsApi);
  const before = served();
  const deadline = Date.now() + timeoutMs;
  let last = 'no attempt';
  let delay = 100;
  while (Date.now() < deadline) {
    // The create is not awaited before looking: conversion comes first, and the admission webhooks
    // after it may wait for the manager's caches, which start after the webhook server.
    let settled = false;
    const attempt = custom
      .createClusterCustomObject({ group: GROUP, version: V1BETA1, plural: SIDECARSET.plural, body: probeSidecarSetV1beta1(), dryRun: 'All' })
      .then(
        () => void (last = 'the dry-run create succeeded without a ConversionReview reaching us (conversion not in effect yet)'),
        (err: unknown) => void (last = (err as { message?: string }).message ?? String(err)),
      )
      .finally(() => (settled = true));
    while (!settled && served() === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    if (served() > before) {
      logger.info('apiserver calls the conversion webhook', { probe: 'dry-run SidecarSet create at v1beta1' });
      return;
    }
    await attempt;
    await new Promise((r) => setTimeout(r, delay));
    delay = Math.min(delay * 2, 1000);
  }
  throw new Error(`conversion webhook not called by the apiserver after ${timeoutMs} ms; last probe result: ${last}`);
}
