import { execa } from 'execa';
import { ProviderError } from '../provider.ts';

/** The container engines kind can run its nodes in. */
export type EngineName = 'docker' | 'podman';
export const ENGINES: readonly EngineName[] = ['docker', 'podman'];

export interface CommandResult {
  exitCode?: number;
  stdout: string;
  stderr: string;
  /** Set when the command did not run to an exit code: not installed, or no answer in time. */
  failure?: 'missing' | 'timeout';
}

/** Runs a short command with a deadline; injected so the checks are tested without an engine. */
export type CommandRunner = (file: string, args: string[], timeoutMs: number) => Promise<CommandResult>;

export const execaRunner: CommandRunner = async (file, args, timeoutMs) => {
  const r = await execa(file, args, { reject: false, timeout: timeoutMs, stdin: 'ignore', forceKillAfterDelay: 200 });
  const failure = (r as { code?: string }).code === 'ENOENT' ? 'missing' : r.timedOut ? 'timeout' : undefined;
  return { exitCode: r.exitCode, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), failure };
};

/**
 * Deadlines of the probes. Both engines are asked at once, so a machine without a working engine
 * is told so within about a second even when a daemon hangs. The image lookups come only after an
 * engine answered; podman reads its storage for them, which on a loaded 2-core machine took over
 * a second (measured: 0.4-0.7 s idle, over 1 s with a load average of 15), so they get longer.
 */
export const ENGINE_PROBE_TIMEOUT_MS = 1000;
export const IMAGE_PROBE_TIMEOUT_MS = 5000;

/** Why a probe failed, in a few words: the engine's own last stderr line where it gave one. */
export function probeFailure(name: string, r: CommandResult, timeoutMs: number): string {
  if (r.failure === 'missing') return `${name} is not installed`;
  if (r.failure === 'timeout') return `${name} did not answer within ${(timeoutMs / 1000).toFixed(1)} s`;
  const line = r.stderr.trim().split('\n').filter(Boolean).at(-1)?.trim();
  return `${name}: ${line || `exit code ${r.exitCode}`}`;
}

/** Environment for kind and its node provider: podman needs kind's opt-in variable. */
export function kindEnv(engine: EngineName): Record<string, string> {
  return engine === 'podman' ? { KIND_EXPERIMENTAL_PROVIDER: 'podman' } : {};
}

/**
 * Every engine whose daemon answers, docker first. Throws one ProviderError naming why each
 * failed when none does. Runs nothing that changes state.
 */
export async function findContainerEngines(run: CommandRunner = execaRunner): Promise<EngineName[]> {
  // docker: its daemon's version (`info` fails without a daemon). podman has no daemon: `version`
  // answers in milliseconds, where `info` reads the storage and took over a second under load.
  const probe: Record<EngineName, string[]> = { docker: ['info', '--format', '{{.ServerVersion}}'], podman: ['version', '--format', '{{.Client.Version}}'] };
  const answers = await Promise.all(ENGINES.map((e) => run(e, probe[e], ENGINE_PROBE_TIMEOUT_MS)));
  const found = ENGINES.filter((_, i) => answers[i]!.exitCode === 0 && !answers[i]!.failure);
  if (found.length > 0) return found;
  throw new ProviderError(
    `the kind provider needs a running container engine, and none answers (${ENGINES.map((e, i) => probeFailure(e, answers[i]!, ENGINE_PROBE_TIMEOUT_MS)).join('; ')})`,
    'run `make kind-image` as root (it installs and configures rootful podman with clusters/kind/node-image/setup-podman.sh and builds the node image), or start the Docker daemon, or use --provider local, which needs no containers',
  );
}

/** The engine kind will use: docker when its daemon answers, else podman. */
export async function findContainerEngine(run: CommandRunner = execaRunner): Promise<EngineName> {
  return (await findContainerEngines(run))[0]!;
}

/** Whether the engine holds the image; a probe that fails to answer is an error, not a "no". */
export async function hasImage(engine: EngineName, image: string, run: CommandRunner = execaRunner): Promise<boolean> {
  const r = await run(engine, ['image', 'inspect', '--format', '{{.Id}}', image], IMAGE_PROBE_TIMEOUT_MS);
  if (r.failure) throw new ProviderError(`cannot look up the kind node image ${image}: ${probeFailure(engine, r, IMAGE_PROBE_TIMEOUT_MS)}`, `check that \`${engine} images\` answers`);
  return r.exitCode === 0;
}

/**
 * kind never pulls the node image itself on a machine that cannot reach the registry, and a pull
 * would stall `kind create` for minutes: require the image to be present before creating anything.
 */
export async function requireNodeImage(engine: EngineName, image: string, kubernetesVersion: string, run: CommandRunner = execaRunner): Promise<void> {
  const r = await run(engine, ['image', 'inspect', '--format', '{{.Id}}', image], IMAGE_PROBE_TIMEOUT_MS);
  if (r.exitCode === 0 && !r.failure) return;
  const why = r.failure ? probeFailure(engine, r, IMAGE_PROBE_TIMEOUT_MS) : `${engine} has no image ${image}`;
  throw new ProviderError(
    `the kind node image ${image} is not present locally (${why})`,
    `\`${engine} pull ${image}\` where the registry is reachable, or build the Kubernetes ${kubernetesVersion} node image here with \`make kind-image\` (pinned release only) and leave --image out, or pass --image <a local node image, fully qualified>`,
  );
}

/** kind's node container names for a cluster of the harness's shape (1 control plane, `workers` workers). */
export function kindNodeNames(cluster: string, workers: number): string[] {
  return [`${cluster}-control-plane`, ...Array.from({ length: workers }, (_, i) => `${cluster}-worker${i === 0 ? '' : i + 1}`)];
}

/**
 * podman only: the /var volumes kind made for these nodes (each labelled `<node>=true`) that are
 * still there. `kind delete` removes the volumes of the containers it finds; a node whose
 * container never started (an interrupted create) or was removed leaves its volume behind.
 */
export async function removeNodeVolumes(engine: EngineName, nodes: readonly string[], run: CommandRunner = execaRunner): Promise<string[]> {
  if (engine !== 'podman') return [];
  const removed: string[] = [];
  for (const node of nodes) {
    const ls = await run('podman', ['volume', 'ls', '-q', '--filter', `label=${node}`], 10_000);
    const names = ls.exitCode === 0 ? ls.stdout.split('\n').map((l) => l.trim()).filter(Boolean) : [];
    for (const v of names) {
      const rm = await run('podman', ['volume', 'rm', '-f', v], 20_000);
      if (rm.exitCode === 0) removed.push(v);
    }
  }
  return removed;
}
