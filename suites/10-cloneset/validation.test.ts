/**
 * CloneSet admission (spec digest §2.3, §13 "CloneSet negative cases", Appendix A.2): every
 * invalid spec is rejected and the message names the field. Create-time rules use dry-run
 * creates; update-time rules use a real CloneSet. A few valid edge cases (fractional percent
 * partition, weight 0, partition above replicas, a container mounting a volumeClaimTemplate)
 * are checked to be accepted, so a validator that rejects too much fails too.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLONESET, createObject, patchObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { kube, timeouts } from '../lib/context.ts';
import type { CloneSet, CloneSetSpec } from '../lib/kinds.ts';
import { IMAGE_V1, cloneSetSettled, container, podsOf, waitForCloneSet, waitForReadyPods } from '../lib/workloads.ts';
import { type CloneSetOptions, cloneSetWith, jsonPatchCloneSet, patchPod } from './fixtures.ts';

type UpdateStrategy = NonNullable<CloneSetSpec['updateStrategy']>;

describeFeature('CloneSet.Validation', 'invalid CloneSets are rejected at admission with the field named', () => {
  const ns = useNamespace('cs-valid');
  const dry = (body: Record<string, unknown>) => () => createObject<CloneSet>(CLONESET, ns.name, body, { dryRun: true });
  const withSpec = (name: string, opts: CloneSetOptions) => cloneSetWith(name, opts);
  const strategy = (name: string, updateStrategy: UpdateStrategy, replicas = 3) => withSpec(name, { replicas, updateStrategy });
  const accepted = async (body: Record<string, unknown>, what: string) => {
    const cs = await dry(body)().catch((err: unknown) => expect.fail(`${what} must be accepted; the server said: ${String((err as { body?: unknown }).body ?? err)}`));
    expect(cs.metadata.name, `${what}: accepted`).toBe((body.metadata as { name: string }).name);
  };

  // -- metadata and replicas ------------------------------------------------------------------

  it('rejects a name that is not a DNS-1123 subdomain', async () => {
    await expectRejected(dry(withSpec('Bad_Name', {})), 'metadata.name', 'name Bad_Name');
  });

  it('rejects negative replicas', async () => {
    await expectRejected(dry(withSpec('neg', { replicas: -1 })), 'spec.replicas', 'replicas -1');
  });

  // -- selector and template ------------------------------------------------------------------

  it('rejects a CloneSet without a selector', async () => {
    const body = withSpec('nosel', {});
    delete (body.spec as Record<string, unknown>).selector;
    await expectRejected(dry(body), 'spec.selector', 'no selector');
  });

  it('rejects an empty selector', async () => {
    await expectRejected(dry(withSpec('emptysel', { selector: {} })), 'spec.selector', 'selector {}');
  });

  it('rejects a selector with an invalid operator', async () => {
    await expectRejected(dry(withSpec('badop', { selector: { matchLabels: { app: 'badop' }, matchExpressions: [{ key: 'tier', operator: 'Near', values: ['a'] }] } })), 'spec.selector', 'operator Near');
  });

  it('rejects a selector that does not match the template labels', async () => {
    await expectRejected(dry(withSpec('mismatch', { selector: { matchLabels: { app: 'other' } } })), 'spec.template.metadata.labels', 'selector app=other, template app=mismatch');
  });

  it('rejects an invalid pod template (container name not a DNS label)', async () => {
    await expectRejected(dry(withSpec('badctr', { main: { name: 'Main_Container' } })), 'spec.template.spec.containers[0].name', 'container name Main_Container');
  });

  it('rejects a volumeMount of a volume that is neither in the template nor a volumeClaimTemplate', async () => {
    await expectRejected(dry(withSpec('nomount', { main: { volumeMounts: [{ name: 'data', mountPath: '/data' }] } })), 'spec.template.spec.containers[0].volumeMounts[0].name', 'mount of undeclared volume data');
  });

  it('accepts a volumeMount naming a volumeClaimTemplate', async () => {
    const vct = { metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    await accepted(withSpec('vctmount', { main: { volumeMounts: [{ name: 'data', mountPath: '/data' }] }, volumeClaimTemplates: [vct] }), 'a container mounting volumeClaimTemplate data');
  });

  it('rejects restartPolicy Never', async () => {
    const body = withSpec('never', {});
    ((body.spec as { template: { spec: Record<string, unknown> } }).template.spec).restartPolicy = 'Never';
    await expectRejected(dry(body), 'spec.template.spec.restartPolicy', 'restartPolicy Never');
  });

  it('rejects activeDeadlineSeconds', async () => {
    const body = withSpec('deadline', {});
    ((body.spec as { template: { spec: Record<string, unknown> } }).template.spec).activeDeadlineSeconds = 60;
    await expectRejected(dry(body), 'spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds 60');
  });

  // -- updateStrategy -------------------------------------------------------------------------

  it('rejects an unknown updateStrategy.type', async () => {
    await expectRejected(dry(strategy('type', { type: 'RollingUpdate' as UpdateStrategy['type'] })), 'spec.updateStrategy.type', 'type RollingUpdate');
  });

  it('rejects a partition that is not an int or a percent', async () => {
    await expectRejected(dry(strategy('partstr', { partition: 'half' })), 'spec.updateStrategy.partition', 'partition "half"');
  });

  it('rejects a negative partition', async () => {
    await expectRejected(dry(strategy('partneg', { partition: -1 })), 'spec.updateStrategy.partition', 'partition -1');
  });

  it('accepts a fractional percent partition and a partition above replicas', async () => {
    await accepted(strategy('partfrac', { partition: '12.5%' }), 'partition "12.5%"');
    await accepted(strategy('partbig', { partition: 10 }), 'partition 10 with replicas 3 (clamped at run time)');
  });

  it('rejects a maxUnavailable that is not an int or a percent', async () => {
    await expectRejected(dry(strategy('mustr', { maxUnavailable: 'one' })), 'spec.updateStrategy.maxUnavailable', 'maxUnavailable "one"');
  });

  it('rejects a maxSurge that is not an int or a percent', async () => {
    await expectRejected(dry(strategy('msstr', { maxSurge: 'one' })), 'spec.updateStrategy.maxSurge', 'maxSurge "one"');
  });

  it('rejects maxUnavailable 0 with maxSurge 0 when replicas > 0', async () => {
    await expectRejected(dry(strategy('zero', { maxUnavailable: 0, maxSurge: 0 })), 'spec.updateStrategy.maxUnavailable', 'maxUnavailable 0 and maxSurge 0');
  });

  it('rejects maxUnavailable "0%" with maxSurge "0%" when replicas > 0', async () => {
    await expectRejected(dry(strategy('zeropct', { maxUnavailable: '0%', maxSurge: '0%' })), 'spec.updateStrategy.maxUnavailable', 'maxUnavailable 0% and maxSurge 0%');
  });

  it('accepts maxUnavailable 0 with maxSurge 0 when replicas is 0, and maxUnavailable 0 with maxSurge 1', async () => {
    await accepted(strategy('zerorep', { maxUnavailable: 0, maxSurge: 0 }, 0), 'maxUnavailable 0, maxSurge 0, replicas 0');
    await accepted(strategy('surgeonly', { maxUnavailable: 0, maxSurge: 1 }), 'maxUnavailable 0, maxSurge 1');
  });

  it('rejects a priorityStrategy with both weightPriority and orderPriority', async () => {
    const priorityStrategy = { weightPriority: [{ weight: 50, matchSelector: { matchLabels: { a: 'b' } } }], orderPriority: [{ orderedKey: 'order' }] };
    await expectRejected(dry(strategy('both', { priorityStrategy })), 'spec.updateStrategy.priorityStrategy', 'weight and order priority together');
  });

  it('rejects a weightPriority weight above 100', async () => {
    await expectRejected(dry(strategy('w101', { priorityStrategy: { weightPriority: [{ weight: 101, matchSelector: { matchLabels: { a: 'b' } } }] } })), 'spec.updateStrategy.priorityStrategy', 'weight 101');
  });

  it('rejects a negative weightPriority weight', async () => {
    await expectRejected(dry(strategy('wneg', { priorityStrategy: { weightPriority: [{ weight: -1, matchSelector: { matchLabels: { a: 'b' } } }] } })), 'spec.updateStrategy.priorityStrategy', 'weight -1');
  });

  it('rejects a weightPriority term with an empty matchSelector', async () => {
    await expectRejected(dry(strategy('wsel', { priorityStrategy: { weightPriority: [{ weight: 10, matchSelector: {} }] } })), 'spec.updateStrategy.priorityStrategy', 'empty matchSelector');
  });

  it('rejects an orderPriority term with an empty orderedKey', async () => {
    await expectRejected(dry(strategy('okey', { priorityStrategy: { orderPriority: [{ orderedKey: '' }] } })), 'spec.updateStrategy.priorityStrategy', 'empty orderedKey');
  });

  it('accepts weight 0 (the code bounds are 0..100)', async () => {
    await accepted(strategy('w0', { priorityStrategy: { weightPriority: [{ weight: 0, matchSelector: { matchLabels: { a: 'b' } } }] } }), 'weight 0');
  });

  it('rejects a scatterStrategy term with an empty key', async () => {
    await expectRejected(dry(strategy('scatkey', { scatterStrategy: [{ key: '', value: 'x' }] })), 'spec.updateStrategy.scatterStrategy', 'scatter key ""');
  });

  it('rejects a scatterStrategy with a duplicated key and value', async () => {
    await expectRejected(dry(strategy('scatdup', { scatterStrategy: [{ key: 'zone', value: 'a' }, { key: 'zone', value: 'a' }] })), 'spec.updateStrategy.scatterStrategy', 'scatter zone=a twice');
  });

  // -- scaleStrategy.podsToDelete at create ---------------------------------------------------

  it('rejects duplicated names in podsToDelete', async () => {
    await expectRejected(dry(withSpec('dups', { scaleStrategy: { podsToDelete: ['p-1', 'p-1'] } })), 'spec.scaleStrategy.podsToDelete', 'podsToDelete [p-1, p-1]');
  });

  it('rejects a podsToDelete name that is not an existing pod', async () => {
    await expectRejected(dry(withSpec('nopod', { scaleStrategy: { podsToDelete: ['no-such-pod'] } })), 'spec.scaleStrategy.podsToDelete', 'podsToDelete [no-such-pod]');
  });

  it('rejects a podsToDelete name of a pod no CloneSet owns', async () => {
    const { core } = kube();
    await core.createNamespacedPod({ namespace: ns.name, body: { metadata: { name: 'bare', labels: { app: 'orphan' } }, spec: { containers: [container({ image: IMAGE_V1 })] } } });
    await expectRejected(dry(withSpec('orphan', { scaleStrategy: { podsToDelete: ['bare'] } })), 'spec.scaleStrategy.podsToDelete', 'podsToDelete [bare] (a pod without owner)');
  });
});

/**
 * Update-time rules (spec §2.3 "Update-only", rule 6 for podsToDelete): a real CloneSet with two
 * pods, a second one whose pod it must not be allowed to name, and a pod kept terminating by a
 * finalizer the test removes afterwards.
 */
describeFeature('CloneSet.Validation', 'invalid updates of a CloneSet are rejected with the field named', () => {
  const ns = useNamespace('cs-valid-upd');
  const HOLD = 'kruise-conformance.io/hold';
  let own: V1Pod[] = [];
  let other: V1Pod[] = [];

  beforeAll(async () => {
    await createObject(CLONESET, ns.name, cloneSetWith('target', { replicas: 2 }));
    await createObject(CLONESET, ns.name, cloneSetWith('other', { replicas: 1 }));
    await waitForCloneSet(ns.name, 'target', cloneSetSettled(2), '2 pods Ready', timeouts().podsReady);
    own = await waitForReadyPods(ns.name, podsOf('target'), 2);
    other = await waitForReadyPods(ns.name, podsOf('other'), 1);
  });

  afterAll(async () => {
    // Let the namespace go: drop the finalizer that kept a pod terminating.
    for (const p of own) await patchPod(ns.name, p.metadata!.name!, { metadata: { finalizers: null } }).catch(() => undefined);
  });

  it('rejects a change of the selector', async () => {
    const msg = await expectRejected(
      () => patchObject(CLONESET, ns.name, 'target', { spec: { selector: { matchLabels: { app: 'target', tier: 'x' } }, template: { metadata: { labels: { app: 'target', tier: 'x' } } } } }),
      'spec',
      'selector app=target -> app=target,tier=x',
    );
    expect(msg, 'the rejection says the field may not change').toMatch(/forbidden|immutable/i);
  });

  it('rejects an update to maxUnavailable 0 with maxSurge 0', async () => {
    await expectRejected(() => patchObject(CLONESET, ns.name, 'target', { spec: { updateStrategy: { maxUnavailable: 0, maxSurge: 0 } } }), 'spec.updateStrategy.maxUnavailable', 'update to maxUnavailable 0, maxSurge 0');
  });

  it('rejects an update to restartPolicy OnFailure', async () => {
    await expectRejected(() => jsonPatchCloneSet(ns.name, 'target', [{ op: 'add', path: '/spec/template/spec/restartPolicy', value: 'OnFailure' }]), 'spec.template.spec.restartPolicy', 'update to restartPolicy OnFailure');
  });

  it('rejects podsToDelete naming a pod of another CloneSet', async () => {
    const name = other[0]!.metadata!.name!;
    await expectRejected(() => patchObject(CLONESET, ns.name, 'target', { spec: { scaleStrategy: { podsToDelete: [name] } } }), 'spec.scaleStrategy.podsToDelete', `podsToDelete [${name}] owned by CloneSet other`);
  });

  it('rejects podsToDelete naming a pod that does not exist', async () => {
    await expectRejected(() => patchObject(CLONESET, ns.name, 'target', { spec: { scaleStrategy: { podsToDelete: ['target-gone'] } } }), 'spec.scaleStrategy.podsToDelete', 'podsToDelete [target-gone]');
  });

  it('rejects podsToDelete naming a terminating pod', async () => {
    const { core } = kube();
    const pod = own[0]!.metadata!.name!;
    // A finalizer keeps the pod terminating for as long as the test needs.
    await patchPod(ns.name, pod, { metadata: { finalizers: [HOLD] } });
    await core.deleteNamespacedPod({ namespace: ns.name, name: pod });
    const msg = await expectRejected(() => patchObject(CLONESET, ns.name, 'target', { spec: { scaleStrategy: { podsToDelete: [pod] } } }), 'spec.scaleStrategy.podsToDelete', `podsToDelete [${pod}] while it terminates`);
    expect(msg, 'the rejection says the pod is terminating').toMatch(/terminat|being deleted|deletion/i);
  });
});
