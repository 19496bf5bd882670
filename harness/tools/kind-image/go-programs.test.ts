/**
 * The Go programs this project writes for the kind node image and its offline parts (pause,
 * kc-csi, kc-node-registry) carry their own Go unit tests; they run here so CI runs them.
 */
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cache.ts';

const PROGRAMS = ['clusters/kind/node-image/pause', 'clusters/kind/csi-driver', 'clusters/kind/node-registry'];

describe('Go programs of the kind node image', () => {
  it.each(PROGRAMS)('%s: go vet and go test pass', async (dir) => {
    const opts = { cwd: join(REPO_ROOT, dir), env: { GOFLAGS: '-mod=readonly', CGO_ENABLED: '0' }, reject: false, all: true } as const;
    const vet = await execa('go', ['vet', './...'], opts);
    expect(vet.exitCode, vet.all).toBe(0);
    const test = await execa('go', ['test', '-count=1', './...'], opts);
    expect(test.exitCode, test.all).toBe(0);
    expect(test.all).toMatch(/^ok\s/m);
  }, 600_000);
});
