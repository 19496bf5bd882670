import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessInfo {
  pid: number;
  cmdline: string;
}

/**
 * `cmdline` names the path `needle` itself or something below it: the match must end the path
 * (a separator, a quote, `=`, `:`, `,` or the end), so cluster "a" never claims cluster "a-2"'s
 * processes (their paths share the prefix .../clusters/local/a).
 */
export function mentionsPath(cmdline: string, needle: string): boolean {
  if (!needle) return false;
  for (let i = cmdline.indexOf(needle); i >= 0; i = cmdline.indexOf(needle, i + 1)) {
    const next = cmdline[i + needle.length];
    if (next === undefined || /[\/\s"',:;=]/.test(next)) return true;
  }
  return false;
}

/** Processes whose command line mentions the path `needle` (Linux /proc); used to find leftovers of a cluster. */
export function processesMentioning(needle: string): ProcessInfo[] {
  const found: ProcessInfo[] = [];
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (mentionsPath(cmdline, needle)) found.push({ pid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return found;
}

/** SIGTERM, then SIGKILL after `graceMs` for any that remain. */
export async function killProcesses(procs: readonly ProcessInfo[], graceMs = 2000): Promise<void> {
  const alive = (pid: number) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const deadline = Date.now() + graceMs;
  while (procs.some((p) => alive(p.pid)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  for (const p of procs) {
    if (alive(p.pid)) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone between the check and the kill
      }
    }
  }
}
