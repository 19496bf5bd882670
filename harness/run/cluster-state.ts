/**
 * What the cluster looked like when a run failed, kept in `<report-dir>/cluster-state/` before the
 * implementation is uninstalled and the cluster removed: nodes and their conditions, CSINodes (which
 * CSI drivers each kubelet has registered), every pod, recent events, and the logs of the pods of
 * the implementation's namespace and of the substrate's own add-ons (CSI). Without it a failure that
 * depends on cluster state (a driver a kubelet lost, a manager that restarted) leaves nothing to read.
 * Best effort: each capture that fails writes its error instead, and none can fail the run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { kubectl } from '../install/kubectl.ts';

/** Namespaces the substrate installs add-ons into (clusters/kind/csi, clusters/csi). */
export const SUBSTRATE_NAMESPACES = ['kruise-conformance-csi', 'csi-hostpath'] as const;

export interface CaptureTarget {
  kubeconfig: string;
  reportDir: string;
  /** Namespaces whose pods' logs (current and previous container) are kept. */
  logNamespaces: readonly string[];
  log: (line: string) => void;
  /** The provider's own log export (kind: node journals), into <dir>/nodes. */
  exportLogs?: (dir: string) => Promise<void>;
}

/** The commands captured, file name → kubectl arguments. Exported for the unit test. */
export function stateCommands(): Array<[file: string, args: string[]]> {
  return [
    ['nodes.txt', ['get', 'nodes', '-o', 'wide', '--show-labels']],
    ['nodes.yaml', ['get', 'nodes', '-o', 'yaml']],
    ['csinodes.yaml', ['get', 'csinodes', '-o', 'yaml']],
    ['pods.txt', ['get', 'pods', '-A', '-o', 'wide']],
    ['events.txt', ['get', 'events', '-A', '--sort-by=.lastTimestamp']],
    ['pvcs.txt', ['get', 'pvc,pv', '-A', '-o', 'wide']],
  ];
}

export async function captureClusterState(t: CaptureTarget): Promise<string> {
  const dir = join(t.reportDir, 'cluster-state');
  mkdirSync(dir, { recursive: true });
  const keep = async (file: string, args: string[]) => {
    const out = await kubectl(t.kubeconfig, args).catch((e: unknown) => `capture failed: ${(e as Error).message}\n`);
    writeFileSync(join(dir, file), out);
  };
  for (const [file, args] of stateCommands()) await keep(file, args);
  for (const ns of t.logNamespaces) {
    const names = (await kubectl(t.kubeconfig, ['get', 'pods', '-n', ns, '-o', 'name']).catch(() => '')).split('\n').filter(Boolean);
    for (const pod of names) {
      const base = `logs-${ns}-${pod.replace(/^pod\//, '')}`;
      await keep(`${base}.log`, ['logs', '-n', ns, pod, '--all-containers', '--prefix', '--tail=2000']);
      await keep(`${base}.previous.log`, ['logs', '-n', ns, pod, '--all-containers', '--prefix', '--previous', '--tail=2000']);
    }
  }
  if (t.exportLogs) await t.exportLogs(join(dir, 'nodes')).catch((e: unknown) => writeFileSync(join(dir, 'nodes-export-failed.txt'), `${(e as Error).message}\n`));
  t.log(`cluster state at failure kept in ${dir}`);
  return dir;
}
