/**
 * CloneSet defaulting at admission (spec digest §2.2, §13 "Suggested black-box checks",
 * Appendix B.1; OpenKruise e2e "scales in normal cases" checks type and maxUnavailable after
 * create): replicas 1, revisionHistoryLimit 10, updateStrategy {ReCreate, partition 0,
 * maxUnavailable "20%", maxSurge 0}, inPlaceUpdateStrategy {} for the in-place types, and pod
 * defaults on the template on create and on template updates.
 */
import { expect, it } from 'vitest';
import { CLONESET, createObject, getObject } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import type { CloneSet } from '../lib/kinds.ts';
import { IMAGE_V2 } from '../lib/workloads.ts';
import { cloneSetWith, jsonPatchCloneSet } from './fixtures.ts';

describeFeature('CloneSet.Defaults', 'defaults filled in at admission', () => {
  const ns = useNamespace('cs-defaults');
  const dryCreate = (body: Record<string, unknown>) => createObject<CloneSet>(CLONESET, ns.name, body, { dryRun: true });

  it('a CloneSet created with only selector and template gets replicas 1, revisionHistoryLimit 10 and the ReCreate strategy defaults', async () => {
    const body = cloneSetWith('bare');
    delete (body.spec as Record<string, unknown>).replicas;
    await createObject(CLONESET, ns.name, body);
    // Read it back: defaults must be persisted, not only returned by the create call.
    const cs = await getObject<CloneSet>(CLONESET, ns.name, 'bare');
    expect({ replicas: cs.spec.replicas, revisionHistoryLimit: cs.spec.revisionHistoryLimit }, 'spec after create').toEqual({ replicas: 1, revisionHistoryLimit: 10 });
    expect(cs.spec.updateStrategy, 'spec.updateStrategy after create (no inPlaceUpdateStrategy for ReCreate)').toEqual({ type: 'ReCreate', partition: 0, maxUnavailable: '20%', maxSurge: 0 });
  });

  for (const type of ['InPlaceIfPossible', 'InPlaceOnly'] as const) {
    it(`updateStrategy.type ${type} also gets inPlaceUpdateStrategy {}`, async () => {
      const cs = await dryCreate(cloneSetWith(`inplace-${type.toLowerCase()}`, { replicas: 2, updateStrategy: { type } }));
      expect(cs.spec.updateStrategy, `spec.updateStrategy of a dry-run create with type ${type}`).toEqual({ type, partition: 0, maxUnavailable: '20%', maxSurge: 0, inPlaceUpdateStrategy: {} });
    });
  }

  it('explicit values are kept as given (int-or-string kinds included)', async () => {
    const given = { type: 'InPlaceIfPossible' as const, partition: '40%', maxUnavailable: 2, maxSurge: '20%', paused: true, inPlaceUpdateStrategy: { gracePeriodSeconds: 5 } };
    const cs = await dryCreate(cloneSetWith('explicit', { replicas: 0, revisionHistoryLimit: 3, minReadySeconds: 4, updateStrategy: given }));
    expect({ replicas: cs.spec.replicas, revisionHistoryLimit: cs.spec.revisionHistoryLimit, minReadySeconds: cs.spec.minReadySeconds }, 'scalar spec fields').toEqual({
      replicas: 0,
      revisionHistoryLimit: 3,
      minReadySeconds: 4,
    });
    expect(cs.spec.updateStrategy, 'spec.updateStrategy').toEqual(given);
  });

  // OpenKruise defaults a template container's imagePullPolicy to Always whatever the tag (so an
  // in-place image update re-pulls), unlike the upstream pod default (IfNotPresent for a tag).
  it('the pod template gets the pod defaults on create, with imagePullPolicy Always', async () => {
    const cs = await dryCreate(cloneSetWith('podspec'));
    const spec = cs.spec.template.spec!;
    const main = spec.containers[0]!;
    expect(
      {
        restartPolicy: spec.restartPolicy,
        dnsPolicy: spec.dnsPolicy,
        terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
        schedulerName: spec.schedulerName,
        securityContext: spec.securityContext,
        imagePullPolicy: main.imagePullPolicy,
        terminationMessagePath: main.terminationMessagePath,
        terminationMessagePolicy: main.terminationMessagePolicy,
      },
      `defaulted template of ${JSON.stringify(cs.spec.template)}`,
    ).toEqual({
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      terminationGracePeriodSeconds: 30,
      schedulerName: 'default-scheduler',
      securityContext: {},
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
      terminationMessagePolicy: 'File',
    });
  });

  it('an update that changes the template gets the pod defaults again', async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('reupdate', { replicas: 0 }));
    // Replace the whole container with one that has no defaulted fields, as a client would.
    const updated = await jsonPatchCloneSet(ns.name, 'reupdate', [
      { op: 'replace', path: '/spec/template/spec/containers', value: [{ name: 'main', image: IMAGE_V2, resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '128Mi' } } }] },
    ]);
    const main = updated.spec.template.spec!.containers[0]!;
    expect({ image: main.image, imagePullPolicy: main.imagePullPolicy, terminationMessagePath: main.terminationMessagePath }, `container after the update: ${JSON.stringify(main)}`).toEqual({
      image: IMAGE_V2,
      imagePullPolicy: 'Always',
      terminationMessagePath: '/dev/termination-log',
    });
  });
});
