import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { TOOL_GROUPS, type ToolBinary, type ToolGroup } from './catalog.ts';
import { groupCacheDir, isGroupComplete, wrapperModuleDir } from './cache.ts';

export type ToolSource = 'build' | 'download';

export interface GroupResult {
  group: ToolGroup['id'];
  version: string;
  dir: string;
  /** cached: found complete, nothing done; built / downloaded: made now. */
  outcome: 'cached' | 'built' | 'downloaded';
  ms: number;
}

export interface InstallOptions {
  groups?: readonly ToolGroup['id'][];
  source?: ToolSource;
  log?: (line: string) => void;
  signal?: AbortSignal;
}

/** The groups an install covers: those named, or else every group that is not on demand. */
export function groupsToInstall(ids?: readonly ToolGroup['id'][]): ToolGroup[] {
  return TOOL_GROUPS.filter((g) => (ids ? ids.includes(g.id) : !g.onDemand));
}

/** Ensure the pinned tools exist in the cache; build (or download) only what is missing. */
export async function installTools(opts: InstallOptions = {}): Promise<GroupResult[]> {
  const log = opts.log ?? (() => {});
  const wanted = groupsToInstall(opts.groups);
  const results: GroupResult[] = [];
  for (const group of wanted) {
    const started = performance.now();
    const dir = groupCacheDir(group);
    if (isGroupComplete(group)) {
      results.push({ group: group.id, version: group.version, dir, outcome: 'cached', ms: performance.now() - started });
      continue;
    }
    // Build into a scratch directory and rename it into place, so an interrupted build never
    // leaves a directory that looks complete.
    const scratch = `${dir}.partial-${process.pid}`;
    rmSync(scratch, { recursive: true, force: true });
    mkdirSync(join(scratch, 'bin'), { recursive: true });
    let outcome: GroupResult['outcome'] = 'built';
    try {
      if (opts.source === 'download' && (await tryDownloadGroup(group, scratch, log, opts.signal))) {
        outcome = 'downloaded';
      } else {
        log(`building ${group.module} ${group.version} (${group.binaries.map((b) => b.name).join(', ')}) with the Go toolchain...`);
        await goBuild(group, join(scratch, 'bin'), opts.signal);
      }
      writeFileSync(join(scratch, '.complete'), `${new Date().toISOString()} ${outcome}\n`);
      rmSync(dir, { recursive: true, force: true });
      renameSync(scratch, dir);
    } catch (err) {
      rmSync(scratch, { recursive: true, force: true });
      throw err;
    }
    const ms = performance.now() - started;
    log(`${outcome} ${group.id} ${group.version} in ${(ms / 1000).toFixed(1)} s -> ${dir}`);
    results.push({ group: group.id, version: group.version, dir, outcome, ms });
  }
  return results;
}

async function goBuild(group: ToolGroup, outDir: string, signal?: AbortSignal): Promise<void> {
  const go = await findGo();
  const pkgs = group.binaries.map((b) => b.pkg);
  // One invocation per group: packages of one module compile once and link into every binary.
  // With a single package `-o` names the file; with several it names the directory.
  const single = group.binaries.length === 1 ? join(outDir, group.binaries[0]!.name) : `${outDir}/`;
  await execa(go, ['build', '-trimpath', '-ldflags', group.ldflags.join(' '), '-o', single, ...pkgs], {
    cwd: wrapperModuleDir(group),
    // The user's GOFLAGS (say -p=1 on a shared machine) are kept; -mod=readonly comes last so it wins.
    env: { CGO_ENABLED: '0', GOFLAGS: goFlags('-mod=readonly') },
    stdio: ['ignore', 'inherit', 'inherit'],
    cancelSignal: signal,
  });
  for (const b of group.binaries) {
    if (!existsSync(join(outDir, b.name))) throw new Error(`go build finished but ${b.name} is missing from ${outDir}`);
  }
}

/**
 * The source directory of a group's upstream module in the Go module cache, at the version its
 * wrapper go.mod pins (downloaded if missing). Installers read data files from it, such as CRDs,
 * so nothing of the upstream project is copied into this repository.
 */
export async function moduleSourceDir(group: ToolGroup, signal?: AbortSignal): Promise<string> {
  const go = await findGo();
  const opts = { cwd: wrapperModuleDir(group), env: { GOFLAGS: '-mod=readonly' }, cancelSignal: signal };
  await execa(go, ['mod', 'download', group.module], opts);
  const { stdout } = await execa(go, ['list', '-m', '-f', '{{.Version}} {{.Dir}}', group.module], opts);
  const line = stdout.trim();
  const version = line.slice(0, line.indexOf(' '));
  const dir = line.slice(line.indexOf(' ') + 1);
  if (version !== group.version || !dir) {
    throw new Error(`${wrapperModuleDir(group)}/go.mod resolves ${group.module} to ${version || 'nothing'} (dir ${dir || 'missing'}), but the catalog pins ${group.version}`);
  }
  return dir;
}

/** GOFLAGS from the environment followed by ours (later flags override earlier ones). */
export function goFlags(ours: string, env: NodeJS.ProcessEnv = process.env): string {
  return [env.GOFLAGS?.trim(), ours].filter(Boolean).join(' ');
}

async function findGo(): Promise<string> {
  try {
    await execa('go', ['version']);
    return 'go';
  } catch {
    throw new Error('the Go toolchain (go >= 1.24) is needed to build the pinned tools: install it (https://go.dev/dl or your package manager), or run with --source download on a machine with internet');
  }
}

/** Download every binary of a group and check it against the published SHA-256; false if any step fails. */
async function tryDownloadGroup(group: ToolGroup, scratch: string, log: (l: string) => void, signal?: AbortSignal): Promise<boolean> {
  if (!group.binaries.every((b) => b.download)) return false;
  try {
    for (const b of group.binaries) await downloadBinary(b, join(scratch, 'bin', b.name), signal);
    return true;
  } catch (err) {
    log(`download of ${group.id} ${group.version} failed (${(err as Error).message}); building from the Go module instead`);
    return false;
  }
}

async function downloadBinary(b: ToolBinary, dest: string, signal?: AbortSignal): Promise<void> {
  const d = b.download!;
  const timeout = AbortSignal.timeout(120_000);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  const [body, sums] = await Promise.all([fetchBytes(d.url, both), fetchBytes(d.sha256Url, both)]);
  const fileName = d.url.split('/').pop()!;
  const expected = expectedSha256(sums.toString('utf8'), fileName);
  const actual = createHash('sha256').update(body).digest('hex');
  if (actual !== expected) throw new Error(`checksum mismatch for ${fileName}: expected ${expected}, got ${actual}`);
  if (d.archiveMember) {
    const tmp = `${dest}.tgz`;
    writeFileSync(tmp, body);
    await execa('tar', ['-xzf', tmp, '-C', join(dest, '..'), '--strip-components', String(d.archiveMember.split('/').length - 1), d.archiveMember]);
    rmSync(tmp);
  } else {
    writeFileSync(dest, body);
  }
  chmodSync(dest, 0o755);
}

/** Checksum files come as a bare hash, or as `hash  name` lines (one or many). */
export function expectedSha256(text: string, fileName: string): string {
  const lines = text.trim().split('\n').map((l) => l.trim()).filter(Boolean);
  for (const line of lines) {
    const [hash, name] = line.split(/\s+/);
    if (hash && /^[0-9a-f]{64}$/.test(hash) && (!name || name.replace(/^\*/, '').endsWith(fileName))) return hash;
  }
  throw new Error(`no SHA-256 for ${fileName} in the published checksums`);
}

async function fetchBytes(url: string, signal: AbortSignal): Promise<Buffer> {
  const res = await fetch(url, { signal, redirect: 'follow' });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return Buffer.from(await res.arrayBuffer());
}
