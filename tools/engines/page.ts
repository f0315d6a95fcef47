/**
 * One page in one engine, driven the same way whatever drives it underneath: Playwright for
 * Chromium, WebDriver BiDi (puppeteer-core) for Firefox, classic WebDriver (WebKitWebDriver) for
 * WebKit. Scenario code that uses only this interface runs unchanged in all three.
 */
import type { EngineName } from './find.js';
import { IN_PAGE } from './in-page.js';

export interface LaunchOptions {
  /** Extra Chromium flags (WebGPU); ignored by the other engines. */
  chromiumArgs?: string[];
  /** Viewport size of the page. */
  viewport?: { width: number; height: number };
}

export interface EnginePage {
  readonly engine: EngineName;
  /** Navigates and waits for the load event. */
  goto(url: string): Promise<void>;
  reload(): Promise<void>;
  /**
   * Calls `fn` in the page with `args` (JSON values) and resolves with its awaited, JSON-valued
   * result; a throw in the page rejects with its message. `fn` must not close over Node values.
   */
  evaluate<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
  /** Polls `fn` until it returns a truthy value (resolves with it) or `timeoutMs` passes. */
  waitFor<T, A extends unknown[]>(timeoutMs: number, fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T>;
  /** Presses and releases keys (DOM key names: "Tab", "Control", "a") as real input, in order. */
  keys(strokes: readonly KeyStroke[]): Promise<void>;
  /**
   * Tells the browser it is offline (navigator.onLine false, requests fail at once), where its
   * driver can: absent for WebKit, whose classic WebDriver has no network control.
   */
  setOffline?(offline: boolean): Promise<void>;
  /** A PNG of the viewport. */
  screenshot(path: string): Promise<void>;
  close(): Promise<void>;
}

export type KeyStroke = { down: string } | { up: string };

/** The expression that calls `fn` with `args`, the in-page helpers in scope: what every driver sends to its page. */
export function callExpression(fn: (...args: never[]) => unknown, args: unknown[]): string {
  return `(() => { ${IN_PAGE} return (${fn.toString()})(...${JSON.stringify(args)}); })()`;
}

export async function pollPage<T>(timeoutMs: number, describe: string, once: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await once();
      if (value) return value;
      last = value;
    } catch (e) {
      last = e instanceof Error ? e.message : e;
    }
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${describe}; last value: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function launchPage(engine: EngineName, options: LaunchOptions = {}): Promise<EnginePage> {
  if (engine === 'chromium') return (await import('./chromium.js')).launchChromium(options);
  if (engine === 'firefox') return (await import('./firefox.js')).launchFirefox(options);
  return (await import('./webkit.js')).launchWebKit(options);
}
