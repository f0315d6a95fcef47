// Browser-only (imports vitest/browser): kept apart from fixtures.ts, which e2e tests import in Node.
import { page, server } from 'vitest/browser';

/**
 * A PNG of `element` at `path` (relative to the test file), for a person to look at. Taken
 * where the runner is Playwright (Chromium) only: the Firefox and WebKit runners give real key
 * presses but no element screenshots; e2e/engines.e2e.test.ts shoots the demo in all three.
 */
export async function elementShot(element: Element, path: string): Promise<void> {
  if (server.provider !== 'playwright') return;
  await page.screenshot({ element, path });
}
