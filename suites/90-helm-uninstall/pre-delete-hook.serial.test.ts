/**
 * The last phase: the chart's pre-delete hook (spec §8.1) blocks `helm uninstall` while CloneSets
 * exist, keeping the CRDs (and so every custom resource) in place; once they are gone, uninstall
 * goes through. It uninstalls the implementation, so it runs last and alone. Needs a Helm install
 * (the descriptor's install type) and real containers for the hook Job (RealKubelet).
 */
import { execa } from 'execa';
import { expect, it } from 'vitest';
import { toolPath } from '../../harness/tools/resolve.ts';
import { CLONESET, createObject, deleteObject, getObject, httpCode, waitForAll } from '../lib/api.ts';
import { describeFeature, useNamespace } from '../lib/conformance.ts';
import { runEnv, timeouts } from '../lib/context.ts';
import { cloneSet } from '../lib/workloads.ts';

describeFeature('Helm.PreDeleteHook', 'helm uninstall is blocked while workloads exist', () => {
  const ns = useNamespace('helm-hook');

  it('refuses to uninstall with a CloneSet present, keeps it, and uninstalls once it is deleted', async () => {
    const env = runEnv();
    const install = env.implementation.install;
    expect(install?.type, `the implementation must be installed from its Helm chart for this test (descriptor install type: ${install?.type})`).toBe('helm');
    const helm = (args: string[]) => execa(toolPath('helm'), [...args, `--kubeconfig=${env.kubeconfig}`, '--namespace', install!.namespace!], { reject: false });

    await createObject(CLONESET, ns.name, cloneSet('keep-me', { replicas: 0 }));
    const blocked = await helm(['uninstall', install!.release!, '--wait', '--timeout', `${Math.round(timeouts().rolloutComplete / 1000)}s`]);
    expect(blocked.exitCode, `helm uninstall must fail while a CloneSet exists; helm said:\n${blocked.stderr || blocked.stdout}`).not.toBe(0);
    expect(blocked.stderr + blocked.stdout, 'helm names the failed pre-delete hook').toMatch(/pre-delete/);
    const still = await getObject(CLONESET, ns.name, 'keep-me');
    expect(still.metadata.deletionTimestamp, 'the CloneSet survives the refused uninstall').toBeUndefined();

    await deleteObject(CLONESET, ns.name, 'keep-me');
    await waitForAll(CLONESET, ns.name, undefined, (items) => items.length === 0, { timeoutMs: timeouts().statusSync, describe: 'the CloneSet to be gone', namespace: ns.name });
    const done = await helm(['uninstall', install!.release!, '--wait', '--timeout', `${Math.round(timeouts().rolloutComplete / 1000)}s`]);
    expect(done.exitCode, `helm uninstall after the CloneSet is gone; helm said:\n${done.stderr || done.stdout}`).toBe(0);
    const crdGone = await getObject(CLONESET, ns.name, 'anything').then(
      () => false,
      (e: unknown) => httpCode(e) === 404,
    );
    expect(crdGone, 'after uninstall the CloneSet API answers 404').toBe(true);
  });
});
