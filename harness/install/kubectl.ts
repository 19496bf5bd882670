import { execa } from 'execa';
import { toolPath } from '../tools/resolve.ts';

/** kubectl with an explicit kubeconfig, always: never the user's default context. */
export async function kubectl(kubeconfig: string, args: string[], opts: { input?: string; signal?: AbortSignal } = {}): Promise<string> {
  const r = await execa(toolPath('kubectl'), [`--kubeconfig=${kubeconfig}`, ...args], { input: opts.input, cancelSignal: opts.signal, reject: false });
  if (r.exitCode !== 0) throw new Error(`kubectl ${args.join(' ')} failed: ${(r.stderr || r.stdout).trim().split('\n').slice(0, 6).join('\n')}`);
  return r.stdout;
}

/** Apply manifests server-side and wait for any CRDs among them to be Established. */
export async function applyManifests(kubeconfig: string, files: string[], signal?: AbortSignal): Promise<void> {
  if (files.length === 0) return;
  await kubectl(kubeconfig, ['apply', '--server-side', '--force-conflicts', ...files.flatMap((f) => ['-f', f])], { signal });
  const crds = await kubectl(kubeconfig, ['get', ...files.flatMap((f) => ['-f', f]), '-o', 'jsonpath={range .items[?(@.kind=="CustomResourceDefinition")]}{.metadata.name}{"\\n"}{end}'], { signal }).catch(() => '');
  const names = crds.split('\n').filter(Boolean);
  if (names.length > 0) await kubectl(kubeconfig, ['wait', '--for=condition=Established', '--timeout=60s', ...names.map((n) => `crd/${n}`)], { signal });
}
