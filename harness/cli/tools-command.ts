import type { Command } from 'commander';
import { TOOL_GROUPS, type ToolGroup } from '../tools/catalog.ts';
import { groupCacheDir, isGroupComplete } from '../tools/cache.ts';
import { installTools, type ToolSource } from '../tools/install.ts';
import { overrideEnvName } from '../tools/resolve.ts';

export function registerToolsCommand(program: Command): void {
  const tools = program.command('tools').description('build or locate the pinned Kubernetes, etcd, kwok, kind and helm binaries');

  tools
    .command('install')
    .description('build the pinned tools from their Go modules into the cache (warm cache: nothing to do)')
    .option('--local-only', 'only what the local provider needs (kube-*, kubectl, etcd, kwok, kwokctl)')
    .option('--source <source>', 'build (Go toolchain) or download (official releases, checksum-verified, falls back to build)', 'build')
    .action(async (opts: { localOnly?: boolean; source: string }) => {
      if (opts.source !== 'build' && opts.source !== 'download') {
        throw new Error(`--source must be build or download, not "${opts.source}"`);
      }
      const groups = TOOL_GROUPS.filter((g) => !opts.localOnly || g.neededByLocal).map((g) => g.id);
      const started = performance.now();
      const results = await installTools({ groups, source: opts.source as ToolSource, log: (l) => console.log(l) });
      for (const r of results) {
        console.log(`${r.group.padEnd(5)} ${r.version.padEnd(9)} ${r.outcome.padEnd(10)} ${(r.ms / 1000).toFixed(2).padStart(8)} s  ${r.dir}`);
      }
      const total = (performance.now() - started) / 1000;
      const kind = results.every((r) => r.outcome === 'cached') ? 'warm' : 'cold';
      console.log(`tools ready (${kind}): ${total.toFixed(2)} s`);
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
  const env = overrideEnvName(name as Parameters<typeof overrideEnvName>[0]);
  if (process.env[env]) return `${process.env[env]} (from ${env})`;
  return isGroupComplete(group) ? `${groupCacheDir(group)}/bin/${name}` : 'not built: run `make tools`';
}
