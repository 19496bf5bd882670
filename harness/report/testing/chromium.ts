/**
 * Headless Chromium for the report tests. The browser is Debian's (apt-get install chromium);
 * a missing browser fails the test with that instruction, it never skips it.
 */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

export const CHROMIUM_PATH = process.env.KRUISE_CONFORMANCE_CHROMIUM ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`no Chromium at ${CHROMIUM_PATH}: install it with "sudo apt-get install -y chromium" (or point KRUISE_CONFORMANCE_CHROMIUM at a Chromium binary)`);
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

/** Whether the browser's own XML parser accepts the text; the parser's message when it does not. */
export async function xmlParseError(browser: Browser, xml: string): Promise<string | null> {
  const page = await browser.newPage();
  try {
    return await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml');
      return doc.getElementsByTagName('parsererror')[0]?.textContent ?? null;
    }, xml);
  } finally {
    await page.close();
  }
}
