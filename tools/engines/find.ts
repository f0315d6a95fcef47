/**
 * Where the three engines' system builds live, and how to get one that is missing. Chromium is
 * found by tools/chrome.ts; Firefox ESR and WebKitGTK are Debian packages driven without
 * Playwright (its patched builds cannot be downloaded here).
 */
import { existsSync } from 'node:fs';
import { findChrome } from '../chrome.js';

export type EngineName = 'chromium' | 'firefox' | 'webkit';
export const ENGINES: readonly EngineName[] = ['chromium', 'firefox', 'webkit'];

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER_PATH ?? '/usr/bin/WebKitWebDriver';
export const MINIBROWSER = process.env.MINIBROWSER_PATH ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
export const XVFB = '/usr/bin/Xvfb';

const INSTALL: Record<EngineName, string> = {
  chromium: 'apt-get install -y chromium (or set CHROME_PATH)',
  firefox: 'apt-get install -y firefox-esr (or set FIREFOX_PATH)',
  webkit: 'apt-get install -y webkit2gtk-driver xvfb xauth (or set WEBKIT_DRIVER_PATH and MINIBROWSER_PATH)',
};

/** Throws, naming the missing files and the install command, when `engine` cannot be run here. */
export function assertEngine(engine: EngineName): void {
  if (engine === 'chromium') {
    findChrome();
    return;
  }
  const needed = engine === 'firefox' ? [FIREFOX] : [WEBKIT_DRIVER, MINIBROWSER, XVFB];
  const missing = needed.filter((path) => !existsSync(path));
  if (missing.length > 0) throw new Error(`${engine}: missing ${missing.join(', ')}. Install it: ${INSTALL[engine]}.`);
}

/** The engines named by $ENGINES (comma-separated), all three when unset. */
export function selectedEngines(): EngineName[] {
  const wanted = process.env.ENGINES?.split(',').map((e) => e.trim()).filter(Boolean);
  if (!wanted) return [...ENGINES];
  const unknown = wanted.filter((e) => !ENGINES.includes(e as EngineName));
  if (unknown.length > 0) throw new Error(`ENGINES=${process.env.ENGINES}: unknown ${unknown.map((u) => JSON.stringify(u)).join(', ')}; valid: ${ENGINES.join(', ')}`);
  return wanted as EngineName[];
}
