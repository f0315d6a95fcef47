/**
 * A vitest browser provider for the engines Playwright cannot launch here (Firefox ESR, WebKitGTK):
 * it opens vitest's tester page in an EnginePage, and gives `userEvent.tab()` and
 * `userEvent.keyboard()` real key presses through it. Screenshots (`page.screenshot`) are
 * Playwright's only: tests take them where `server.provider` is "playwright".
 */
import { defineBrowserProvider, parseKeyDef } from '@vitest/browser';
import type { BrowserCommand, BrowserProvider, TestProject } from 'vitest/node';
import { assertEngine, type EngineName } from './find.js';
import { launchPage, type EnginePage, type KeyStroke } from './page.js';

type KeyState = { unreleased?: string[] };

function pageOf(context: { provider: BrowserProvider }): Promise<EnginePage> {
  const page = (context.provider as EngineProvider).page;
  if (!page) throw new Error('The engine provider has no open page');
  return page;
}

/** The userEvent commands, as @vitest/browser-playwright gives them meaning. */
const COMMANDS: Record<string, BrowserCommand<never[]>> = {
  __vitest_tab: (async (context, options: { shift?: boolean } = {}) => {
    const keys: KeyStroke[] = [{ down: 'Tab' }, { up: 'Tab' }];
    await (await pageOf(context)).keys(options.shift ? [{ down: 'Shift' }, ...keys, { up: 'Shift' }] : keys);
  }) as BrowserCommand<never[]>,
  __vitest_keyboard: (async (context, text: string, state: KeyState) => {
    const pressed = new Set(state.unreleased);
    const strokes: KeyStroke[] = [];
    for (const { releasePrevious, releaseSelf, repeat, keyDef } of parseKeyDef(text)) {
      const key = keyDef.key!;
      if (pressed.delete(key)) strokes.push({ up: key });
      if (releasePrevious) continue;
      for (let i = 0; i < repeat; i++) strokes.push({ down: key });
      if (releaseSelf) strokes.push({ up: key });
      else pressed.add(key);
    }
    await (await pageOf(context)).keys(strokes);
    return { unreleased: [...pressed] };
  }) as BrowserCommand<never[]>,
  __vitest_cleanup: (async (context, state: KeyState) => {
    if (state.unreleased?.length) await (await pageOf(context)).keys(state.unreleased.map((up) => ({ up })));
  }) as BrowserCommand<never[]>,
};

class EngineProvider implements BrowserProvider {
  readonly name: string;
  readonly supportsParallelism = false;
  page: Promise<EnginePage> | undefined;

  constructor(
    project: TestProject,
    private readonly engine: EngineName,
  ) {
    this.name = `engine-${engine}`;
    for (const [name, command] of Object.entries(COMMANDS)) project.browser!.registerCommand(name as never, command as never);
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
  return defineBrowserProvider({ name: `engine-${engine}`, providerFactory: (project) => new EngineProvider(project, engine) });
}
