// scripts/system-deps.sh: what `make test` and `make conformance` go through for Chromium and Java.
// Only the paths that install nothing are exercised here; the apt-get path is shown by a fresh
// machine's `make test` (closing note of issue 10).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const script = join(import.meta.dirname, 'system-deps.sh');
const run = (args: string[], env: Record<string, string>) => execa('bash', [script, ...args], { reject: false, all: true, env: { ...process.env, ...env } });

describe('scripts/system-deps.sh', () => {
  it('fails with the exact install line when it may not install, never silently', async () => {
    const r = await run(['chromium'], { KRUISE_CONFORMANCE_CHROMIUM: '/nonexistent/chromium', KRUISE_CONFORMANCE_NO_SYSTEM_INSTALL: '1' });
    expect(r.exitCode).toBe(1);
    expect(r.all).toContain('missing chromium: the report tests look at rendered pages in headless Chromium');
    expect(r.all).toContain("install them with: sudo sh -c 'apt-get update && apt-get install -y --no-install-recommends chromium'");
  });

  it('succeeds without a word when the program is there', async () => {
    const fake = join(mkdtempSync(join(tmpdir(), 'kc-deps-')), 'chromium');
    writeFileSync(fake, '#!/bin/sh\n');
    chmodSync(fake, 0o755);
    const r = await run(['chromium'], { KRUISE_CONFORMANCE_CHROMIUM: fake, KRUISE_CONFORMANCE_NO_SYSTEM_INSTALL: '1' });
    expect({ exit: r.exitCode, output: r.all }).toEqual({ exit: 0, output: '' });
  });

  it('refuses a prerequisite it does not know', async () => {
    const r = await run(['chromum'], {});
    expect(r.exitCode).toBe(2);
    expect(r.all).toContain("unknown prerequisite 'chromum'");
  });
});
