/** Chromium through Playwright, with the flags of tools/chrome.ts. */
import { chromium } from 'playwright';
import { CHROME_ARGS, findChrome } from '../chrome.js';
import { callExpression, pollPage, type EnginePage, type LaunchOptions } from './page.js';

export async function launchChromium(options: LaunchOptions): Promise<EnginePage> {
  const browser = await chromium.launch({ executablePath: findChrome(), args: [...CHROME_ARGS, ...(options.chromiumArgs ?? [])] });
  const context = await browser.newContext(options.viewport ? { viewport: options.viewport } : {});
  const page = await context.newPage();
  const evaluate = <T>(fn: (...args: never[]) => unknown, args: unknown[]) => page.evaluate(callExpression(fn, args)) as Promise<T>;
  return {
    engine: 'chromium',
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    evaluate: (fn, ...args) => evaluate(fn as never, args),
    waitFor: (timeoutMs, fn, ...args) => pollPage(timeoutMs, fn.toString(), () => evaluate(fn as never, args)),
    keys: async (strokes) => {
      for (const s of strokes) await ('down' in s ? page.keyboard.down(s.down) : page.keyboard.up(s.up));
    },
    setOffline: (offline) => context.setOffline(offline),
    screenshot: async (path) => void (await page.screenshot({ path })),
    close: () => browser.close(),
  };
}
