/**
 * A vitest browser provider for the engines Playwright cannot launch here (Firefox ESR, WebKitGTK):
 * it opens vitest's tester page in an EnginePage and nothing more. Tests that run under it use
 * only web APIs: no `page` commands (screenshots, viewport) and no provider-driven `userEvent`.
 */
import { defineBrowserProvider } from '@vitest/browser';
import type { BrowserProvider } from 'vitest/node';
import { assertEngine, type EngineName } from './find.js';
import { launchPage, type EnginePage } from './page.js';

class EngineProvider implements BrowserProvider {
  readonly name: string;
  readonly supportsParallelism = false;
  private page: Promise<EnginePage> | undefined;

  constructor(private readonly engine: EngineName) {
    this.name = `engine-${engine}`;
  }

  getCommandsContext(): Record<string, unknown> {
    return {};
  }

  async openPage(_sessionId: string, url: string): Promise<void> {
    this.page ??= launchPage(this.engine, { viewport: { width: 1280, height: 900 } });
    await (await this.page).goto(url);
  }

  async close(): Promise<void> {
    const page = this.page;
    this.page = undefined;
    if (page) await (await page).close();
  }
}

export function engineProvider(engine: 'firefox' | 'webkit') {
  assertEngine(engine);
  return defineBrowserProvider({ name: `engine-${engine}`, providerFactory: () => new EngineProvider(engine) });
}
