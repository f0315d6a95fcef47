/**
 * Finds the Chromium to test and benchmark with: $CHROME_PATH, then Debian's /usr/bin/chromium,
 * then Playwright's own installed browser. Explains how to get one when none is found.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

export const CHROME_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export const WEBGPU_ARGS = [...CHROME_ARGS, '--enable-unsafe-webgpu'];

export function findChrome(): string {
  const candidates: string[] = [];
  if (process.env.CHROME_PATH) candidates.push(process.env.CHROME_PATH);
  candidates.push('/usr/bin/chromium');
  try {
    const require = createRequire(import.meta.url);
    const { chromium } = require('playwright') as { chromium: { executablePath(): string } };
    candidates.push(chromium.executablePath());
  } catch {
    // playwright not installed: nothing to add
  }
  for (const path of candidates) if (path && existsSync(path)) return path;
  throw new Error(
    `No Chromium found. Looked at: ${candidates.map((c) => JSON.stringify(c)).join(', ')}.\n` +
      'Install one: on Debian/Ubuntu `apt-get update && apt-get install -y chromium`, or `npx playwright install chromium` where downloads are allowed, ' +
      'or set CHROME_PATH to a Chromium/Chrome executable.',
  );
}
