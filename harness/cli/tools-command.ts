import type { Command } from 'commander';
import { buildOpenKruiseImages } from '../install/openkruise-image.ts';
import { TOOL_GROUPS, type ToolGroup, openKruiseGroups } from '../tools/catalog.ts';
import { groupCacheDir, isGroupComplete } from '../tools/cache.ts';
import { installTools, type ToolSource } from '../tools/install.ts';
import { buildKindImage } from '../tools/kind-image/build.ts';
import { buildCsiImages } from '../tools/kind-image/csi-images.ts';
import { nodeRegistryBinary } from '../tools/kind-image/node-registry.ts';
import { overrideEnvName } from '../tools/resolve.ts';

export function registerToolsCommand(program: Command): void {
  const tools = program.command('tools').description('build or locate the pinned Kubernetes, etcd, kwok, kind and helm binaries (and, on demand, OpenKruise\'s manager)');

  tools
    .command('install')
    .description('build the pinned tools from their Go modules into the cache (warm cache: nothing to do)')
    .option('--local-only', 'only what the local provider needs (kube-*, kubectl, etcd, kwok, kwokctl)')
    .option('--group <id...>', `only these groups (${TOOL_GROUPS.map((g) => g.id).join(', ')}); on-demand groups (${TOOL_GROUPS.filter((g) => g.onDemand).map((g) => g.id).join(', ')}) are built only when named`)
    .option('--source <source>', 'build (Go toolchain) or download (official releases, checksum-verified, falls back to build)', 'build')
    .action(async (opts: { localOnly?: boolean; group?: string[]; source: string }) => {
      if (opts.source !== 'build' && opts.source !== 'download') {
        throw new Error(`--source must be build or download, not "${opts.source}"`);
      }
      const unknown = (opts.group ?? []).filter((id) => !TOOL_GROUPS.some((g) => g.id === id));
      if (unknown.length > 0) throw new Error(`--group: unknown ${unknown.join(', ')} (known: ${TOOL_GROUPS.map((g) => g.id).join(', ')})`);
      const groups = TOOL_GROUPS.filter((g) => (opts.group ? opts.group.includes(g.id) : !g.onDemand && (!opts.localOnly || g.neededByLocal))).map((g) => g.id);
      const started = performance.now();
      const results = await installTools({ groups, source: opts.source as ToolSource, log: (l) => console.log(l) });
      for (const r of results) {
        console.log(`${r.group.padEnd(10)} ${r.version.padEnd(9)} ${r.outcome.padEnd(10)} ${(r.ms / 1000).toFixed(2).padStart(8)} s  ${r.dir}`);
      }
      const total = (performance.now() - started) / 1000;
      const kind = results.every((r) => r.outcome === 'cached') ? 'warm' : 'cold';
      console.log(`tools ready (${kind}): ${total.toFixed(2)} s`);
    });

  tools
    .command('kind-image')
    .description('assemble the kind node image for the pinned Kubernetes on this machine, without a registry, and the offline CSI images and node registry (needs root; warm: seconds)')
    .action(async () => {
      const log = (l: string) => console.log(l);
      const r = await buildKindImage({ log });
      console.log(`kind node image ready (${r.outcome === 'cached' ? 'warm' : 'cold'}): ${(r.ms / 1000).toFixed(2)} s  ${r.image}`);
      // What a cluster from that image loads besides it (kind up builds them too, on first use).
      const csi = await buildCsiImages({ log });
      const registry = await nodeRegistryBinary();
      console.log(`kind offline parts ready (${csi.outcome === 'cached' ? 'warm' : 'cold'}): ${(csi.ms / 1000).toFixed(2)} s  CSI images ${csi.archives.length}, node registry ${registry}`);
    });

  tools
    .command('openkruise-images')
    .description('build the in-cluster OpenKruise images (localhost/kruise-conformance/kruise-manager and kruise-daemon:<version>) with podman on the `make image` base; warm: seconds')
    .option('--version <tag...>', `releases (${openKruiseGroups().map((g) => g.version).join(', ')})`, [openKruiseGroups().at(-1)!.version])
    .action(async (opts: { version: string[] }) => {
      const started = performance.now();
      const results = [];
      for (const version of opts.version) results.push(...(await buildOpenKruiseImages(version, { log: (l) => console.log(l) })));
      for (const r of results) console.log(`${r.tag.padEnd(52)} ${r.outcome.padEnd(7)} ${(r.ms / 1000).toFixed(2).padStart(8)} s`);
      console.log(`openkruise images ready (${results.every((r) => r.outcome === 'cached') ? 'warm' : 'cold'}): ${((performance.now() - started) / 1000).toFixed(2)} s`);
    });

  tools
    .command('list')
    .description('show each pinned tool, its version and where it is')
    .action(() => {
      for (const group of TOOL_GROUPS) {
        for (const b of group.binaries) {
          console.log(`${b.name.padEnd(24)} ${group.version.padEnd(9)} ${describeLocation(group, b.name)}`);
        }
      }
    });
}

function describeLocation(group: ToolGroup, name: string): string {
  const env = overrideEnvName(name as Parameters<typeof overrideEnvName>[0], group);
  if (process.env[env]) return `${process.env[env]} (from ${env})`;
  if (isGroupComplete(group)) return `${groupCacheDir(group)}/bin/${name}`;
  return group.onDemand ? `not built: run \`tools install --group ${group.id}\` (or let its installer or provider build it)` : 'not built: run `make tools`';
}
