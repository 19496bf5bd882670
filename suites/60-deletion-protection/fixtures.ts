/**
 * Shared checks of the deletion-protection suites (spec §7). A refused delete must be an admission
 * rejection with HTTP 403 whose message is OpenKruise's: "forbidden by ResourcesProtectionDeletion
 * for policy.kruise.io/delete-protection=<value>", followed for Cascading by what still holds the
 * object ("and replicas 2>0", "and active pods 1>0", ...). A refused object must still be there,
 * not being deleted; an allowed delete must really start (the object is gone or terminating).
 */
import { type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'vitest';
import { rawGet } from '../../harness/kube/client.ts';
import { httpCode, serverMessage } from '../lib/api.ts';
import { kube } from '../lib/context.ts';

export const PROTECTION = 'policy.kruise.io/delete-protection';
export type Protection = 'Always' | 'Cascading';

/** OpenKruise's refusal text for a value, and for Cascading the reason the object is held. */
export function refusalText(value: Protection, because?: string): string {
  return `forbidden by ResourcesProtectionDeletion for ${PROTECTION}=${value}${because ? ` and ${because}` : ''}`;
}

/** The object's manifest with the protection label (merged into any labels it has). */
export function protectedBy<T extends object>(body: T, value: string): T {
  const metadata = (body as { metadata?: { labels?: Record<string, string> } }).metadata;
  return { ...body, metadata: { ...metadata, labels: { ...metadata?.labels, [PROTECTION]: value } } };
}

/** A merge patch that removes the protection label. */
export const UNPROTECT = { metadata: { labels: { [PROTECTION]: null } } };

/** The delete must be refused with 403 and OpenKruise's message; returns the message. */
export async function expectDeleteRefused(del: () => Promise<unknown>, value: Protection, because: string | undefined, what: string): Promise<string> {
  const want = refusalText(value, because);
  let accepted: unknown;
  try {
    accepted = await del();
  } catch (err) {
    const code = httpCode(err);
    const message = serverMessage(err);
    expect(code, `${what}: expected HTTP 403 naming "${want}"; got HTTP ${code}: ${message}`).toBe(403);
    expect(message, `${what}: the refusal must say why, as OpenKruise writes it`).toContain(want);
    return message;
  }
  return expect.fail(`${what}: expected the delete to be refused with "${want}", but it was accepted: ${(JSON.stringify(accepted) ?? '(the client returned no body)').slice(0, 400)}`);
}

/** The delete must be accepted (any admission refusal fails with the server's message). */
export async function expectDeleteAllowed(del: () => Promise<unknown>, what: string): Promise<void> {
  try {
    await del();
  } catch (err) {
    expect.fail(`${what}: expected the delete to be accepted; got HTTP ${httpCode(err)}: ${serverMessage(err)}`);
  }
}

interface MaybeDeleted {
  metadata?: { deletionTimestamp?: unknown };
}

/** After a refused delete the object is still there and not terminating. */
export async function expectSurvived(read: () => Promise<MaybeDeleted>, what: string): Promise<void> {
  let obj: MaybeDeleted;
  try {
    obj = await read();
  } catch (err) {
    return expect.fail(`${what} must survive the refused delete; reading it gave HTTP ${httpCode(err)}: ${serverMessage(err)}`);
  }
  expect(obj.metadata?.deletionTimestamp, `${what} must survive the refused delete, not be terminating`).toBeUndefined();
}

/** After an accepted delete the object is gone (404) or terminating (finalizers, namespace contents). */
export async function expectDeletedOrTerminating(read: () => Promise<MaybeDeleted>, what: string): Promise<void> {
  try {
    const obj = await read();
    expect(obj.metadata?.deletionTimestamp, `${what} was accepted for deletion, so it must be terminating or gone`).toBeDefined();
  } catch (err) {
    expect(httpCode(err), `${what}: reading it after the delete gave HTTP ${httpCode(err)}: ${serverMessage(err)}`).toBe(404);
  }
}

/** Whether the cluster serves a resource (discovery of its group version); 404 = not served. */
export async function isServed(kc: KubeConfig, groupVersion: string, plural: string): Promise<boolean> {
  try {
    const list = JSON.parse(await rawGet(kc, `/apis/${groupVersion}`)) as { resources?: { name: string }[] };
    return (list.resources ?? []).some((r) => r.name === plural);
  } catch (err) {
    if (/HTTP 404/.test((err as Error).message)) return false;
    throw err;
  }
}

/**
 * Removes the protection label from every workload of a namespace that still carries it, so a test
 * that failed half-way cannot leave an object that blocks the namespace's own clean-up.
 */
export async function unprotectAll(namespace: string): Promise<void> {
  const { apps, custom } = kube();
  const labelSelector = PROTECTION;
  const patch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const names = (items: { metadata?: { name?: string } }[]) => items.map((o) => o.metadata?.name ?? '');
  const quietly = async (fn: () => Promise<unknown>) => fn().catch(() => undefined);
  for (const name of names((await apps.listNamespacedDeployment({ namespace, labelSelector })).items)) await quietly(() => apps.patchNamespacedDeployment({ namespace, name, body: UNPROTECT }, patch));
  for (const name of names((await apps.listNamespacedReplicaSet({ namespace, labelSelector })).items)) await quietly(() => apps.patchNamespacedReplicaSet({ namespace, name, body: UNPROTECT }, patch));
  for (const name of names((await apps.listNamespacedStatefulSet({ namespace, labelSelector })).items)) await quietly(() => apps.patchNamespacedStatefulSet({ namespace, name, body: UNPROTECT }, patch));
  for (const [plural, version] of [['clonesets', 'v1alpha1'], ['statefulsets', 'v1beta1']] as const) {
    const list = (await custom.listNamespacedCustomObject({ group: 'apps.kruise.io', version, namespace, plural, labelSelector }).catch(() => ({ items: [] }))) as { items: { metadata?: { name?: string } }[] };
    for (const name of names(list.items)) await quietly(() => custom.patchNamespacedCustomObject({ group: 'apps.kruise.io', version, namespace, plural, name, body: UNPROTECT }, patch));
  }
}
