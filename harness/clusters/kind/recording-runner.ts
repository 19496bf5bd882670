// Test helper of the kind provider: a CommandRunner that records every call and succeeds unless
// `fail` returns a result for it.
import type { CommandResult, CommandRunner } from './engine.ts';

export function recordingRunner(fail?: (args: string[]) => CommandResult | undefined): { run: CommandRunner; calls: string[][] } {
  const calls: string[][] = [];
  const run: CommandRunner = async (file, args) => {
    calls.push([file, ...args]);
    return fail?.(args) ?? { exitCode: 0, stdout: '', stderr: '' };
  };
  return { run, calls };
}
