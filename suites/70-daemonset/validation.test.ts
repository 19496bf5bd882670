/**
 * Advanced DaemonSet admission (OpenKruise v1.8.3 pkg/webhook/daemonset/validating): every
 * invalid spec is rejected and the message names the field. All through dry-run creates; two
 * valid edge cases (OnDelete without rollingUpdate, maxUnavailable 0 with maxSurge 100%) must be
 * accepted, so a validator that rejects too much fails too.
 *
 * Field paths: OpenKruise names rollingUpdateType and partition by a path with "rollingUpdate"
 * twice (spec.updateStrategy.rollingUpdate.rollingUpdate.type / .partition: the path of the
 * parent is extended with the child "rollingUpdate" once more). The patterns accept that and the
 * field's own JSON path (spec.updateStrategy.rollingUpdate.rollingUpdateType / .partition).
 */
import { expect, it } from 'vitest';
import { ADVANCED_DAEMONSET, createObject } from '../lib/api.ts';
import { expectRejected } from '../lib/admission.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import type { AdvancedDaemonSet } from '../lib/kinds.ts';
import { type DaemonSetOptions, type RollingUpdate, daemonSetWith, rollingUpdate } from './fixtures.ts';

type Body = Record<string, unknown> & { metadata: Record<string, unknown>; spec: Record<string, unknown> & { template: { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> } } };

describeFeature('DaemonSet.Validation', 'invalid Advanced DaemonSets are rejected at admission with the field named', () => {
  const ns = useNamespace('ads-valid');
  const dry = (body: Record<string, unknown>) => () => createObject<AdvancedDaemonSet>(ADVANCED_DAEMONSET, ns.name, body, { dryRun: true });
  const body = (name: string, opts: DaemonSetOptions = {}) => daemonSetWith(name, opts) as Body;
  const ru = (name: string, r: RollingUpdate) => body(name, { updateStrategy: rollingUpdate(r) });
  const accepted = async (b: Record<string, unknown>, what: string) => {
    const ds = await dry(b)().catch((err: unknown) => expect.fail(`${what} must be accepted; the server said: ${String((err as { body?: unknown }).body ?? err)}`));
    expect(ds.metadata.name, `${what}: accepted`).toBe((b.metadata as { name: string }).name);
  };

  it('rejects a name that is not a DNS-1123 subdomain', async () => {
    await expectRejected(dry(body('Bad_Name')), 'metadata.name', 'name Bad_Name');
  });

  it('rejects a DaemonSet without a selector, and an empty selector', async () => {
    const none = body('nosel');
    delete none.spec.selector;
    await expectRejected(dry(none), 'spec.selector', 'no selector');
    const empty = body('emptysel');
    empty.spec.selector = {};
    await expectRejected(dry(empty), 'spec.selector', 'selector {}');
  });

  it('rejects a selector that does not match the template labels', async () => {
    const b = body('mismatch');
    b.spec.selector = { matchLabels: { app: 'other' } };
    await expectRejected(dry(b), 'spec.template.metadata.labels', 'selector app=other, template app=mismatch');
  });

  it('rejects a template restartPolicy other than Always', async () => {
    const b = body('restart');
    b.spec.template.spec.restartPolicy = 'OnFailure';
    await expectRejected(dry(b), 'spec.template.spec.restartPolicy', 'restartPolicy OnFailure');
  });

  it('rejects activeDeadlineSeconds in the template', async () => {
    const b = body('deadline');
    b.spec.template.spec.activeDeadlineSeconds = 30;
    await expectRejected(dry(b), 'spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds 30');
  });

  it('rejects an invalid pod template (a container without an image)', async () => {
    await expectRejected(dry(body('noimage', { main: { image: '' } })), /spec\.template\.spec\.containers\[0\]\.image/, 'container main with image ""');
  });

  it('rejects negative minReadySeconds and revisionHistoryLimit', async () => {
    await expectRejected(dry(body('minready', { minReadySeconds: -1 })), 'spec.minReadySeconds', 'minReadySeconds -1');
    await expectRejected(dry(body('history', { revisionHistoryLimit: -1 })), 'spec.revisionHistoryLimit', 'revisionHistoryLimit -1');
  });

  it('rejects an unknown updateStrategy type', async () => {
    await expectRejected(dry(body('strategy', { updateStrategy: { type: 'Bogus' as 'OnDelete' } })), 'spec.updateStrategy', 'updateStrategy.type Bogus');
  });

  it('rejects maxUnavailable 0 with maxSurge 0', async () => {
    await expectRejected(dry(ru('zero', { maxUnavailable: 0, maxSurge: 0 })), 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'maxUnavailable 0 and maxSurge 0');
  });

  it('rejects maxSurge together with a non-zero maxUnavailable', async () => {
    await expectRejected(dry(ru('both', { maxUnavailable: 1, maxSurge: 1 })), 'spec.updateStrategy.rollingUpdate.maxSurge', 'maxUnavailable 1 and maxSurge 1');
  });

  it('rejects maxUnavailable above 100% and a negative maxSurge', async () => {
    await expectRejected(dry(ru('over', { maxUnavailable: '120%' })), 'spec.updateStrategy.rollingUpdate.maxUnavailable', 'maxUnavailable 120%');
    await expectRejected(dry(ru('negsurge', { maxUnavailable: 0, maxSurge: -1 })), 'spec.updateStrategy.rollingUpdate.maxSurge', 'maxSurge -1');
  });

  it('rejects maxSurge with rollingUpdateType InPlaceIfPossible', async () => {
    await expectRejected(dry(ru('inplacesurge', { rollingUpdateType: 'InPlaceIfPossible', maxUnavailable: 0, maxSurge: 1 })), 'spec.updateStrategy.rollingUpdate.maxSurge', 'InPlaceIfPossible with maxSurge 1');
  });

  it('rejects an unknown rollingUpdateType', async () => {
    await expectRejected(dry(ru('ru-type', { rollingUpdateType: 'Bogus' as 'Standard' })), /spec\.updateStrategy\.rollingUpdate\.(rollingUpdate\.type|rollingUpdateType)/, 'rollingUpdateType Bogus');
  });

  it('rejects a negative partition', async () => {
    await expectRejected(dry(ru('partition', { maxUnavailable: 1, partition: -1 })), /spec\.updateStrategy\.rollingUpdate\.(rollingUpdate\.)?partition/, 'partition -1');
  });

  it('rejects an inPlaceUpdate lifecycle hook (only preDelete is supported)', async () => {
    await expectRejected(dry(body('hook', { lifecycle: { inPlaceUpdate: { labelsHandler: { hold: 'true' } } } })), 'spec.lifecycle.inPlaceUpdate', 'lifecycle.inPlaceUpdate');
  });

  it('accepts OnDelete without rollingUpdate, and maxUnavailable 0 with maxSurge 100%', async () => {
    await accepted(body('ondelete', { updateStrategy: { type: 'OnDelete' } }), 'OnDelete without rollingUpdate');
    await accepted(ru('allsurge', { maxUnavailable: 0, maxSurge: '100%' }), 'maxUnavailable 0 with maxSurge 100%');
  });
});
