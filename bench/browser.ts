/**
 * Chromium for the benchmarks: Debian's Chromium found by tools/chrome.ts, launched with the
 * project's flags (and the WebGPU launch with SwiftShader), plus helpers to open bench pages and
 * read what the DevTools protocol knows (worker targets, JS heap).
 */
import { chromium, type Browser, type BrowserContext, type CDPSession, type Page } from 'playwright';
import { CHROME_ARGS, WEBGPU_ARGS, findChrome } from '../tools/chrome.js';
import type { BenchApi } from './page/api.js';

export interface Launched {
  browser: Browser;
  context: BrowserContext;
  /** The browser-wide DevTools session (targets). */
  cdp: CDPSession;
  executablePath: string;
  version: string;
  args: string[];
}

export async function launch(kind: 'default' | 'webgpu'): Promise<Launched> {
  const executablePath = findChrome();
  const args = kind === 'webgpu' ? WEBGPU_ARGS : CHROME_ARGS;
  const browser = await chromium.launch({ executablePath, args, headless: true });
  const context = await browser.newContext();
  const cdp = await browser.newBrowserCDPSession();
  return { browser, context, cdp, executablePath, version: browser.version(), args };
}

export type Call = <K extends keyof BenchApi>(
  name: K,
  ...args: Parameters<BenchApi[K]>
) => Promise<Awaited<ReturnType<BenchApi[K]>>>;

export interface BenchPage {
  page: Page;
  call: Call;
  /** Errors the page reported (uncaught exceptions, console errors). */
  errors: string[];
  close(): Promise<void>;
}

/** Opens the bench page in `context` and waits until its API is ready. */
export async function openBenchPage(context: BrowserContext, origin: string, query = ''): Promise<BenchPage> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(`${origin}/index.html${query ? `?${query}` : ''}`);
  // Fail at once when the page cannot start (a module that does not load), not after the timeout.
  const failed = new Promise<never>((_, reject) => page.once('pageerror', (e) => reject(new Error(`the bench page failed to start: ${e.message}`))));
  await Promise.race([page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 }), failed]);
  const call: Call = (name, ...args) =>
    page.evaluate(
      ([n, a]) => (window.bench[n] as (...x: unknown[]) => unknown)(...a),
      [name, args] as [keyof BenchApi, unknown[]],
    ) as never;
  return { page, call, errors, close: () => page.close() };
}

/** Dedicated-worker targets alive in the whole browser (the runtime worker and onnxruntime's threads). */
export async function workerTargets(cdp: CDPSession): Promise<number> {
  const { targetInfos } = await cdp.send('Target.getTargets');
  if (process.env.BENCH_DEBUG) console.log(targetInfos.map((t) => `${t.type} ${t.url} ${t.title}`).join('\n'));
  return targetInfos.filter((t) => t.type === 'worker').length;
}

/**
 * Worker targets once they have settled: a terminated worker's target goes away a little after
 * terminate() returns, so this polls until the count reaches `atMost` or `timeoutMs` passes.
 */
export async function settledWorkerTargets(cdp: CDPSession, atMost: number, timeoutMs: number): Promise<number> {
  const until = Date.now() + timeoutMs;
  let n = await workerTargets(cdp);
  while (n > atMost && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    n = await workerTargets(cdp);
  }
  return n;
}

/** The page's main-thread JS heap in bytes, after a full garbage collection. */
export async function mainHeap(page: Page): Promise<number> {
  const session = await page.context().newCDPSession(page);
  try {
    await session.send('HeapProfiler.collectGarbage');
    const { usedSize } = await session.send('Runtime.getHeapUsage');
    return usedSize;
  } finally {
    await session.detach();
  }
}
