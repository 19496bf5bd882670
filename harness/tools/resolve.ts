import { accessSync, constants, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProviderError } from '../clusters/provider.ts';
import { type ToolGroup, type ToolName, groupOf } from './catalog.ts';
import { groupCacheDir, isGroupComplete } from './cache.ts';

/**
 * Environment variable that points the harness at a user's own binary for a tool. A tool taken
 * from a group other than its default one (kube-apiserver of `kube-1.30`) has its own variable,
 * so an override meant for one Kubernetes release never stands in for another.
 */
export function overrideEnvName(tool: ToolName, group: ToolGroup = groupOf(tool)): string {
  const suffix = group.id === groupOf(tool).id ? '' : `_${group.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
  return `KRUISE_CONFORMANCE_${tool.toUpperCase().replaceAll('-', '_')}${suffix}_BINARY`;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Absolute path of a tool: the user's override if set, else the pinned build in the cache, from
 * its default group unless another group that builds it is named.
 * Never builds: a missing tool is a ProviderError that names the command to run.
 */
export function toolPath(tool: ToolName, from?: ToolGroup): string {
  const group = from ?? groupOf(tool);
  if (!group.binaries.some((b) => b.name === tool)) throw new Error(`tool group ${group.id} does not build ${tool}`);
  const envName = overrideEnvName(tool, group);
  const override = process.env[envName];
  if (override) {
    if (!isExecutable(override)) {
      throw new ProviderError(`${envName}=${override} is not an executable file`, `point ${envName} at the ${tool} binary, or unset it to use the pinned build`);
    }
    return override;
  }
  const path = join(groupCacheDir(group), 'bin', tool);
  if (!isGroupComplete(group) || !existsSync(path)) {
    throw new ProviderError(
      `${tool} ${group.version} is not built (looked in ${groupCacheDir(group)})`,
      group.onDemand
        ? `run \`npx kruise-conformance tools install --group ${group.id}\`, or set ${envName} to your own binary`
        : `run \`make tools\` (or \`npx kruise-conformance tools install\`), or set ${envName} to your own binary`,
    );
  }
  return path;
}

/**
 * Resolve several tools at once, reporting every missing one in a single error. `from` names
 * groups to take tools from instead of their default ones (another Kubernetes release).
 */
export function toolPaths<T extends ToolName>(tools: readonly T[], from: readonly ToolGroup[] = []): Record<T, string> {
  const found = {} as Record<T, string>;
  const missing: ProviderError[] = [];
  for (const tool of tools) {
    try {
      found[tool] = toolPath(tool, from.find((g) => g.binaries.some((b) => b.name === tool)));
    } catch (err) {
      if (err instanceof ProviderError) missing.push(err);
      else throw err;
    }
  }
  if (missing.length === 1) throw missing[0];
  if (missing.length > 1) {
    throw new ProviderError(`missing tools: ${missing.map((e) => e.message).join('; ')}`, missing[0]!.fix);
  }
  return found;
}
