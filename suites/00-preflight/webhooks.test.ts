/**
 * Preflight: the admission webhooks answer. A dry-run create sends the object through defaulting
 * and validation without persisting anything.
 */
import { expect, it } from 'vitest';
import { CLONESET, createObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { cloneSet } from '../lib/workloads.ts';

describeFeature('Preflight.Webhooks', 'admission webhooks answer', () => {
  const ns = useNamespace('preflight');

  it('a CloneSet created without an update strategy comes back defaulted (mutating webhook)', async () => {
    const body = cloneSet('defaulted', { replicas: 2 });
    const created = await createObject<CloneSet>(CLONESET, ns.name, body, { dryRun: true });
    expect(created.spec.updateStrategy?.type, `spec.updateStrategy.type after defaulting; object: ${JSON.stringify(created.spec)}`).toBe('ReCreate');
  });

  it('a CloneSet with maxSurge and InPlaceOnly is rejected (validating webhook)', async () => {
    await expectRejected(
      () => createObject(CLONESET, ns.name, cloneSet('invalid', { updateStrategy: { type: 'InPlaceOnly', maxSurge: 1 } }), { dryRun: true }),
      'maxSurge',
      'CloneSet with updateStrategy.type InPlaceOnly and maxSurge 1',
    );
  });
});
