import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import '../providers.ts';
import { ProviderError } from '../provider.ts';
import { createProvider } from '../registry.ts';
import { clusterDir } from '../state.ts';
import { ExistingProvider } from './provider.ts';

describe('existing provider without a cluster', () => {
  let cache: string;
  const saved = process.env.KRUISE_CONFORMANCE_CACHE;
  beforeEach(() => {
    cache = mkdtempSync(join(tmpdir(), 'kc-existing-unit-'));
    process.env.KRUISE_CONFORMANCE_CACHE = cache;
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.KRUISE_CONFORMANCE_CACHE;
    else process.env.KRUISE_CONFORMANCE_CACHE = saved;
    rmSync(cache, { recursive: true, force: true });
  });

  const provider = (o: Partial<ConstructorParameters<typeof ExistingProvider>[0]> = {}) => new ExistingProvider({ name: 'borrowed', log: () => {}, ...o });
  async function upError(p: ExistingProvider): Promise<ProviderError> {
    try {
      await p.up();
    } catch (err) {
      if (err instanceof ProviderError) return err;
      throw err;
    }
    throw new Error('expected up to fail');
  }

  it('is what `--provider existing` creates, with the flags passed through', async () => {
    const p = createProvider({ provider: 'existing', name: 'borrowed', log: () => {}, kubeconfig: '/nonexistent/kc' });
    expect(p).toBeInstanceOf(ExistingProvider);
    // The flags reached it: with a kubeconfig but no opt-in, the refusal is the opt-in's.
    await expect(p.up()).rejects.toThrow(/without --allow-existing-cluster/);
  });

  it('refuses each missing explicit choice and records nothing', async () => {
    const kubeconfig = join(cache, 'kc.yaml');
    writeFileSync(kubeconfig, stringify({ contexts: [{ name: 'a', context: { cluster: 'a' } }, { name: 'b', context: { cluster: 'b' } }], clusters: [{ name: 'a', cluster: { server: 'https://127.0.0.1:1' } }, { name: 'b', cluster: { server: 'https://127.0.0.1:1' } }] }));
    expect((await upError(provider({ allowExisting: true }))).message).toMatch(/needs --kubeconfig/);
    expect((await upError(provider({ kubeconfig }))).message).toMatch(/without --allow-existing-cluster/);
    expect((await upError(provider({ kubeconfig, allowExisting: true }))).message).toMatch(/has 2 contexts \(a, b\)/);
    expect(existsSync(clusterDir('existing', 'borrowed'))).toBe(false);
  });

  it('refuses a cluster that does not answer, and records nothing', async () => {
    const kubeconfig = join(cache, 'dead.yaml');
    // Port 1 on loopback: nothing listens, so the connection is refused at once.
    writeFileSync(kubeconfig, stringify({ contexts: [{ name: 'dead', context: { cluster: 'dead', user: 'u' } }], clusters: [{ name: 'dead', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: { token: 't' } }] }));
    const err = await upError(provider({ kubeconfig, allowExisting: true }));
    expect(err.message).toMatch(/^the cluster of context "dead" of .*dead\.yaml does not answer \/version: /);
    expect(existsSync(clusterDir('existing', 'borrowed'))).toBe(false);
  });

  it('when nothing is borrowed: status is down, down does nothing, kubeconfig and loadImage refuse', async () => {
    const p = provider();
    expect((await p.status()).state).toBe('down');
    await p.down();
    await expect(p.kubeconfig()).rejects.toThrow(/existing cluster "borrowed" is not borrowed/);
    await expect(p.loadImage('img:1')).rejects.toThrow(/cannot be loaded into the nodes of an existing cluster/);
  });
});
