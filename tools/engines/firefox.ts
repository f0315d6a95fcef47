/** Firefox ESR through WebDriver BiDi (puppeteer-core), headless, in a fresh profile. */
import puppeteer, { type KeyInput } from 'puppeteer-core';
import { FIREFOX } from './find.js';
import { callExpression, pollPage, type EnginePage, type LaunchOptions } from './page.js';

/** puppeteer's launch, with room for a slow start on a busy machine, tried twice. */
async function launch(options: Parameters<typeof puppeteer.launch>[0]) {
  try {
    return await puppeteer.launch(options);
  } catch (e) {
    console.warn(`Firefox did not start (${e instanceof Error ? e.message : String(e)}); trying once more`);
    return puppeteer.launch(options);
  }
}

export async function launchFirefox(options: LaunchOptions): Promise<EnginePage> {
  const browser = await launch({
    timeout: 90_000,
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    defaultViewport: options.viewport ?? { width: 1280, height: 900 },
    extraPrefsFirefox: {
      // No network other than the test server: no updates, telemetry or remote settings.
      'app.update.enabled': false,
      'browser.safebrowsing.malware.enabled': false,
      'browser.safebrowsing.phishing.enabled': false,
      'datareporting.policy.dataSubmissionEnabled': false,
      'network.captive-portal-service.enabled': false,
    },
  });
  const page = await browser.newPage();
  const evaluate = <T>(fn: (...args: never[]) => unknown, args: unknown[]) => page.evaluate(callExpression(fn, args)) as Promise<T>;
  return {
    engine: 'firefox',
    goto: async (url) => void (await page.goto(url)),
    reload: async () => void (await page.reload()),
    evaluate: (fn, ...args) => evaluate(fn as never, args),
    waitFor: (timeoutMs, fn, ...args) => pollPage(timeoutMs, fn.toString(), () => evaluate(fn as never, args)),
    keys: async (strokes) => {
      for (const s of strokes) await ('down' in s ? page.keyboard.down(s.down as KeyInput) : page.keyboard.up(s.up as KeyInput));
    },
    setOffline: (offline) => page.setOfflineMode(offline),
    screenshot: async (path) => void (await page.screenshot({ path: path as `${string}.png` })),
    close: () => browser.close(),
  };
}
