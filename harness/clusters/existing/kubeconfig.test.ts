import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { ProviderError } from '../provider.ts';
import { checkExistingFlags, singleContextKubeconfig } from './kubeconfig.ts';

const dir = mkdtempSync(join(tmpdir(), 'kc-existing-kubeconfig-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function kubeconfigFile(name: string, contexts: string[], extra: Record<string, unknown> = {}): string {
  const path = join(dir, name);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: contexts.map((c) => ({ name: `cl-${c}`, cluster: { server: `https://${c}.example:6443`, 'certificate-authority': `pki/${c}-ca.crt` } })),
      users: contexts.map((c) => ({ name: `u-${c}`, user: { 'client-certificate': `/abs/${c}.crt`, 'client-key': `pki/${c}.key`, exec: c === 'exec' ? { command: './bin/get-token', apiVersion: 'client.authentication.k8s.io/v1' } : undefined } })),
      contexts: contexts.map((c) => ({ name: c, context: { cluster: `cl-${c}`, user: `u-${c}` } })),
      'current-context': contexts[0],
      ...extra,
    }),
  );
  return path;
}

function thrown(fn: () => unknown): ProviderError {
  try {
    fn();
  } catch (err) {
    if (err instanceof ProviderError) return err;
    throw err;
  }
  throw new Error('expected a ProviderError');
}

describe('existing provider: refusals before any cluster is touched', () => {
  it('requires --kubeconfig, and says that $KUBECONFIG is not used when it is set', () => {
    const saved = process.env.KUBECONFIG;
    try {
      delete process.env.KUBECONFIG;
      expect(thrown(() => checkExistingFlags({ allowExisting: true })).message).toBe('the existing provider needs --kubeconfig <file>');
      process.env.KUBECONFIG = '/home/someone/.kube/config';
      expect(thrown(() => checkExistingFlags({ allowExisting: true })).message).toMatch(/needs --kubeconfig <file> \(\$KUBECONFIG is set, but the harness never uses it implicitly\)/);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it('requires the explicit opt-in, and explains what it allows', () => {
    const err = thrown(() => checkExistingFlags({ kubeconfig: kubeconfigFile('one.yaml', ['a']) }));
    expect(err.message).toBe('refusing to run against a cluster the harness did not create without --allow-existing-cluster');
    expect(err.fix).toMatch(/add --allow-existing-cluster .*deletes the namespaces labelled app\.kubernetes\.io\/managed-by=kruise-conformance/);
  });

  it('refuses a kubeconfig path that does not exist', () => {
    expect(thrown(() => checkExistingFlags({ kubeconfig: join(dir, 'nope.yaml'), allowExisting: true })).message).toMatch(/nope\.yaml: no such file/);
  });
});

describe('choosing the context', () => {
  it('refuses a file with several contexts unless one is named, listing them', () => {
    const path = kubeconfigFile('two.yaml', ['prod', 'test']);
    const err = thrown(() => singleContextKubeconfig(path));
    expect(err.message).toBe(`${path} has 2 contexts (prod, test), so the one to test must be named`);
    expect(err.fix).toBe('pass --context prod|test');
  });

  it('does not fall back to current-context', () => {
    const path = kubeconfigFile('current.yaml', ['prod', 'test']);
    expect(() => singleContextKubeconfig(path)).toThrow(/must be named/);
  });

  it('refuses a context the file does not have, listing those it has', () => {
    const path = kubeconfigFile('two-b.yaml', ['prod', 'test']);
    expect(thrown(() => singleContextKubeconfig(path, 'staging')).message).toBe(`context "staging" is not in ${path} (contexts: prod, test)`);
  });

  it('refuses a file without contexts', () => {
    expect(thrown(() => singleContextKubeconfig(kubeconfigFile('none.yaml', []))).message).toMatch(/has no contexts/);
  });
});

describe('the single-context copy', () => {
  it('keeps only the chosen context, its cluster and user, and makes it current', () => {
    const path = kubeconfigFile('three.yaml', ['prod', 'test', 'exec']);
    const { name, text } = singleContextKubeconfig(path, 'test');
    expect(name).toBe('test');
    const copy = parse(text);
    expect(copy['current-context']).toBe('test');
    expect(copy.contexts).toEqual([{ name: 'test', context: { cluster: 'cl-test', user: 'u-test' } }]);
    expect(copy.clusters.map((c: { name: string }) => c.name)).toEqual(['cl-test']);
    expect(copy.users.map((u: { name: string }) => u.name)).toEqual(['u-test']);
    expect(text).not.toContain('prod');
  });

  it('makes relative file references absolute, so the copy works from its own folder', () => {
    const path = kubeconfigFile('rel.yaml', ['exec']);
    const copy = parse(singleContextKubeconfig(path).text);
    expect(copy.clusters[0].cluster['certificate-authority']).toBe(join(dir, 'pki/exec-ca.crt'));
    expect(copy.users[0].user['client-key']).toBe(join(dir, 'pki/exec.key'));
    expect(copy.users[0].user['client-certificate']).toBe('/abs/exec.crt');
    expect(copy.users[0].user.exec.command).toBe(join(dir, 'bin/get-token'));
  });

  it('refuses a context that names a cluster the file does not define', () => {
    const path = join(dir, 'broken.yaml');
    writeFileSync(path, stringify({ contexts: [{ name: 'x', context: { cluster: 'missing', user: 'u' } }], clusters: [], users: [{ name: 'u', user: {} }] }));
    expect(thrown(() => singleContextKubeconfig(path)).message).toMatch(/names cluster "missing", which the file does not define/);
  });
});
