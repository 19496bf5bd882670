/**
 * Resolves the descriptor's `preDeleteCheck` for the run environment, before the suites start:
 * every {tool:<group>} becomes the path of that on-demand group's binary, built once when the
 * check will run (as the OpenKruise installer builds its manager). What cannot be resolved is
 * carried as `unavailable`, so the check's tests fail with the reason instead of being skipped.
 */
import { feature } from '../features.ts';
import { type GateInput, gateTest } from '../run/gating.ts';
import { TOOL_GROUPS, type ToolGroup, type ToolName } from '../tools/catalog.ts';
import { installTools } from '../tools/install.ts';
import { overrideEnvName, toolPath } from '../tools/resolve.ts';
import { fillTools, toolGroupsOf } from './plan.ts';
import type { PreDeleteCheckSpec, ResolvedPreDeleteCheckSpec } from './spec.ts';

/** The features whose tests run the check program. */
export const PRE_DELETE_CHECK_FEATURES = ['Helm.PreDeleteCheck', 'Helm.PreDeleteCheckDaemonSet'] as const;

/** Whether any test of the check would run in this run (so its tools are worth building). */
export function preDeleteCheckWillRun(run: GateInput): boolean {
  return PRE_DELETE_CHECK_FEATURES.some((id) => gateTest([feature(id)], run) === undefined);
}

export interface ResolveOptions {
  /** Build missing on-demand groups (minutes, once); false: use only what is already built. */
  build: boolean;
  log: (line: string) => void;
  signal?: AbortSignal;
  /** For tests: how a group's binary is made available and found. */
  ensure?: (group: ToolGroup, build: boolean) => Promise<string>;
}

async function ensureBinary(group: ToolGroup, build: boolean, log: (l: string) => void, signal?: AbortSignal): Promise<string> {
  const binary = group.binaries[0]!.name as ToolName;
  if (build && !process.env[overrideEnvName(binary, group)]) await installTools({ groups: [group.id], log, signal });
  return toolPath(binary, group);
}

export async function resolvePreDeleteCheck(spec: PreDeleteCheckSpec, opts: ResolveOptions): Promise<ResolvedPreDeleteCheckSpec> {
  const base = { command: spec.command, inCluster: spec.inCluster, rules: spec.rules, env: spec.env, timeoutSeconds: spec.timeoutSeconds };
  const paths: Record<string, string> = {};
  for (const id of toolGroupsOf(spec.command)) {
    const group = TOOL_GROUPS.find((g) => g.id === id);
    if (!group) return { ...base, unavailable: `preDeleteCheck.command names {tool:${id}}, but harness/tools/catalog.ts has no such group (known: ${TOOL_GROUPS.map((g) => g.id).join(', ')})` };
    if (group.binaries.length !== 1) return { ...base, unavailable: `{tool:${id}}: tool group ${id} builds ${group.binaries.length} binaries; name a group that builds one` };
    try {
      paths[id] = await (opts.ensure ?? ((g, b) => ensureBinary(g, b, opts.log, opts.signal)))(group, opts.build);
    } catch (err) {
      const e = err as Error & { fix?: string };
      return { ...base, unavailable: `${group.binaries[0]!.name} (tool group ${id}, ${group.module} ${group.version}): ${e.message}${e.fix ? ` (${e.fix})` : ''}` };
    }
  }
  return { ...base, command: fillTools(spec.command, paths) };
}
