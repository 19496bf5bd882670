import { execa } from 'execa';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  describeCheckRun,
  fillKubeconfig,
  fillTools,
  inClusterArgv,
  SERVICE_ACCOUNT_DIR,
  serviceEnv,
  SETUP_FAILED_EXIT,
  shellQuote,
  tokenKubeconfig,
  toolGroupsOf,
} from './plan.ts';
import { assertInClusterRunnable } from './run.ts';

describe('pre-delete check command placeholders', () => {
  it('finds each {tool:<group>} once and fills it, and {kubeconfig} everywhere it appears', () => {
    const cmd = ['{tool:openkruise-helm-hook}', '--x={tool:openkruise-helm-hook}', '--kubeconfig={kubeconfig}', 'plain'];
    expect(toolGroupsOf(cmd)).toEqual(['openkruise-helm-hook']);
    expect(fillTools(cmd, { 'openkruise-helm-hook': '/bin/hook' })).toEqual(['/bin/hook', '--x=/bin/hook', '--kubeconfig={kubeconfig}', 'plain']);
    expect(fillKubeconfig(['tsx', 'x.ts', '--kubeconfig={kubeconfig}'], '/tmp/k')).toEqual(['tsx', 'x.ts', '--kubeconfig=/tmp/k']);
    expect(() => fillTools(['{tool:missing}'], {})).toThrow(/\{tool:missing\}, which was not resolved/);
  });
});

describe('tokenKubeconfig', () => {
  it('authenticates with the token only, trusts the cluster CA, and defaults to the ServiceAccount namespace', () => {
    const doc = parse(tokenKubeconfig({ server: 'https://127.0.0.1:6443', caPem: 'PEM' }, 'tok', 'ns1')) as {
      clusters: Array<{ cluster: Record<string, unknown> }>;
      users: Array<{ user: Record<string, unknown> }>;
      contexts: Array<{ context: { namespace: string } }>;
      'current-context': string;
    };
    expect(doc.clusters[0]!.cluster).toEqual({ server: 'https://127.0.0.1:6443', 'certificate-authority-data': Buffer.from('PEM').toString('base64') });
    expect(doc.users[0]!.user).toEqual({ token: 'tok' });
    expect(doc.contexts[0]!.context.namespace).toBe('ns1');
    expect(doc['current-context']).toBe('pre-delete-hook');
  });

  it('keeps insecure-skip-tls-verify only when the cluster has no CA', () => {
    const doc = parse(tokenKubeconfig({ server: 'https://h:1', skipTLSVerify: true }, 't', 'n')) as { clusters: Array<{ cluster: Record<string, unknown> }> };
    expect(doc.clusters[0]!.cluster).toEqual({ server: 'https://h:1', 'insecure-skip-tls-verify': true });
  });
});

describe('serviceEnv', () => {
  it('splits the server into KUBERNETES_SERVICE_HOST and _PORT, without IPv6 brackets, 443 by default', () => {
    expect(serviceEnv('https://127.0.0.1:32766')).toEqual({ KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: '32766' });
    expect(serviceEnv('https://[::1]:6443')).toEqual({ KUBERNETES_SERVICE_HOST: '::1', KUBERNETES_SERVICE_PORT: '6443' });
    expect(serviceEnv('https://api.example')).toEqual({ KUBERNETES_SERVICE_HOST: 'api.example', KUBERNETES_SERVICE_PORT: '443' });
  });

  it('refuses what the in-cluster config cannot express', () => {
    expect(() => serviceEnv('http://127.0.0.1:8080')).toThrow(/speaks https/);
    expect(() => serviceEnv('https://h:1/prefix')).toThrow(/path prefix/);
  });
});

describe('describeCheckRun', () => {
  it('shows the command, the exit code and every output line', () => {
    const text = describeCheckRun({ command: ['/bin/hook', 'a b'], mode: 'in-cluster', exitCode: 1, output: 'line 1\nline 2\n', timedOut: false, ms: 10 });
    expect(text).toBe("command (in-cluster): /bin/hook 'a b'\nexit code: 1\noutput:\n  | line 1\n  | line 2");
    expect(describeCheckRun({ command: ['x'], mode: 'kubeconfig', exitCode: undefined, output: '', timedOut: true, ms: 60_000 })).toContain('exit code: none: killed after the timeout (60.0 s)\noutput:\n  (no output)');
    expect(shellQuote(["it's"])).toBe(`'it'\\''s'`);
  });
});

describe('assertInClusterRunnable', () => {
  it('refuses a non-root process, naming root and the way out', () => {
    expect(() => assertInClusterRunnable(1000, '/usr/bin:/bin')).toThrow(/needs root, and this process runs as uid 1000: run the conformance run as root, or leave Helm.PreDeleteCheck unclaimed/);
  });

  it('refuses when unshare is not on PATH', () => {
    const empty = mkdtempSync(join(tmpdir(), 'kc-nopath-'));
    expect(() => assertInClusterRunnable(0, empty)).toThrow(/unshare \(util-linux\) is not on PATH/);
  });
});

// The wrapper for real: only where this process may create mount namespaces (root with unshare).
const canUnshare = (() => {
  try {
    assertInClusterRunnable();
    return true;
  } catch {
    return false;
  }
})();

describe.runIf(canUnshare)('the in-cluster wrapper (unshare --mount), as root', () => {
  it('shows the program the ServiceAccount files at the in-cluster path, and leaves the host without them', async () => {
    const secrets = join(mkdtempSync(join(tmpdir(), 'kc-sa-')), 'serviceaccount');
    mkdirSync(secrets);
    writeFileSync(join(secrets, 'token'), 'the-token');
    writeFileSync(join(secrets, 'namespace'), 'hook-ns');
    const hostHadIt = existsSync(join(SERVICE_ACCOUNT_DIR, 'token'));
    const argv = inClusterArgv(assertInClusterRunnable(), secrets, ['/bin/sh', '-c', `cat ${SERVICE_ACCOUNT_DIR}/token; echo; cat ${SERVICE_ACCOUNT_DIR}/namespace; echo; echo "$KUBERNETES_SERVICE_HOST"`]);
    const r = await execa(argv[0]!, argv.slice(1), { reject: false, all: true, env: { KUBERNETES_SERVICE_HOST: '127.0.0.1' } });
    expect(r.exitCode, r.all).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['the-token', 'hook-ns', '127.0.0.1']);
    expect(existsSync(join(SERVICE_ACCOUNT_DIR, 'token')), 'the host sees no change').toBe(hostHadIt);
  });

  it('passes the program its exit code, and reports a failed setup with its own code', async () => {
    const secrets = mkdtempSync(join(tmpdir(), 'kc-sa-'));
    const exit = inClusterArgv(assertInClusterRunnable(), secrets, ['/bin/sh', '-c', 'exit 7']);
    expect((await execa(exit[0]!, exit.slice(1), { reject: false })).exitCode).toBe(7);
    const missing = inClusterArgv(assertInClusterRunnable(), join(secrets, 'no-such-dir'), ['/bin/true']);
    const r = await execa(missing[0]!, missing.slice(1), { reject: false, all: true });
    expect(r.exitCode, r.all).toBe(SETUP_FAILED_EXIT);
    expect(r.all).toContain('kruise-conformance pre-delete check setup: mount --bind');
  });
});
