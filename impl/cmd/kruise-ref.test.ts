// The CLI's failure modes, run as a child process like the harness runs it (no cluster needed).
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('./kruise-ref.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

async function run(...args: string[]) {
  const r = await execa(TSX, [CLI, ...args], { reject: false, timeout: 55_000, env: { KUBECONFIG: '/nonexistent' } });
  return { code: r.exitCode, out: `${r.stdout}\n${r.stderr}` };
}

function jsonLines(text: string): Array<{ level: string; msg: string }> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: string; msg: string });
}

// Each case starts tsx on the whole manager (controllers, webhooks): seconds on a busy machine.
describe('kruise-ref CLI', { timeout: 60_000 }, () => {
  it('exits 2 and names an unknown feature gate', async () => {
    const r = await run('manager', '--kubeconfig', '/nonexistent', '--feature-gates', 'PodWebhook=true,NoSuchGate=true');
    expect(r.code).toBe(2);
    const lines = jsonLines(r.out);
    expect(lines.some((l) => l.level === 'error' && l.msg.includes('NoSuchGate'))).toBe(true);
    expect(lines.some((l) => l.level === 'fatal')).toBe(false);
  });

  it('exits 2 on a malformed flag value', async () => {
    const r = await run('manager', '--concurrency', '0');
    expect(r.code).toBe(2);
    expect(r.out).toContain('--concurrency must be an integer >= 1');
  });

  it('exits 1 with a JSON error line when the kubeconfig cannot be read', async () => {
    const r = await run('manager', '--kubeconfig', '/nonexistent/kubeconfig');
    expect(r.code).toBe(1);
    const lines = jsonLines(r.out);
    expect(lines.find((l) => l.level === 'error')?.msg).toBe('manager failed');
    expect(lines.some((l) => l.level === 'fatal')).toBe(false);
  });
});
