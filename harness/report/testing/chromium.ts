/**
 * Headless Chromium for the report tests that look at a rendered page (the matrix, the Allure
 * report); data files are checked with an XML parser (./xml.ts). The browser is Debian's, which
 * `make test` installs where it is missing (scripts/system-deps.sh); a missing browser fails the
 * test with the install command, it never skips it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.KRUISE_CONFORMANCE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: run "make system-deps-test" (it installs Debian's chromium with apt-get), or "sudo apt-get install -y chromium", or point KRUISE_CONFORMANCE_CHROMIUM at a Chromium binary`);
  }
  return chromium.launch({ executablePath: CHROMIUM_PATH });
}

/**
 * One browser per test file, launched by the first test that needs it (inside the test, so a
 * missing browser fails that test rather than a hook, which vitest would count as skipped).
 */
export function lazyChromium(): { get(): Promise<Browser>; close(): Promise<void> } {
  let launched: Promise<Browser> | undefined;
  return {
    get: () => (launched ??= launchChromium()),
    close: async () => {
      const b = await launched?.catch(() => undefined);
      await b?.close();
    },
  };
}
