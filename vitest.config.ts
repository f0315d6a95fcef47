import { createRequire } from 'node:module';
import { defineConfig } from 'vitest/config';
import { playwright } from '@vitest/browser-playwright';
import { CHROME_ARGS, WEBGPU_ARGS, findChrome } from './tools/chrome.js';
import { mlPredict } from './lib/vite.js';
import { testServer } from './test/server/plugin.js';
import { selectedEngines } from './tools/engines/find.js';
import { engineProvider } from './tools/engines/vitest-provider.js';

const needsBrowser = !process.argv.includes('--project=node');
const require = createRequire(import.meta.url);

// Pre-bundle every dependency the browser tests import, up front: a dependency discovered mid-run
// makes vite re-optimise and reload, failing the imports in flight (first run of a fresh clone).
const BROWSER_DEPS = ['comlink', 'idb-keyval', 'lit', 'lit/decorators.js', 'lit/directives/keyed.js', 'axe-core', 'papaparse'].filter((dep) => {
  try {
    require.resolve(dep);
    return true;
  } catch {
    return false;
  }
});
const executablePath = needsBrowser ? findChrome() : undefined;
const otherEngines = needsBrowser ? selectedEngines().filter((e): e is 'firefox' | 'webkit' => e !== 'chromium') : [];

function engineProject(engine: 'firefox' | 'webkit', include: string[]) {
  return {
    plugins: [mlPredict(), testServer()],
    optimizeDeps: { include: BROWSER_DEPS },
    test: {
      name: engine,
      include,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      browser: {
        enabled: true,
        // The provider runs the engine headless (Firefox) or on a private Xvfb display (WebKit).
        headless: false,
        screenshotFailures: false,
        provider: engineProvider(engine),
        instances: [{ browser: engine }],
      },
    },
  };
}

function browserProject(name: string, include: string[], args: string[]) {
  return {
    plugins: [mlPredict(), testServer()],
    optimizeDeps: { include: BROWSER_DEPS },
    test: {
      name,
      include,
      testTimeout: 60_000,
      hookTimeout: 60_000,
      browser: {
        enabled: true,
        headless: true,
        screenshotFailures: false,
        provider: playwright({ launchOptions: { executablePath, args } }),
        instances: [{ browser: 'chromium' as const }],
      },
    },
  };
}

export default defineConfig({
  test: {
    projects: [
      { test: { name: 'node', include: ['test/**/*.node.test.ts'], environment: 'node' } },
      browserProject('browser', ['test/**/*.browser.test.ts'], CHROME_ARGS),
      // The browser tests again in Firefox ESR and WebKitGTK ($ENGINES narrows the engines).
      ...otherEngines.map((engine) => engineProject(engine, ['test/**/*.browser.test.ts'])),
      // Generated hostile models, inputs and faults (fixed seed; `npm run fuzz -- --long` for more), in Chromium.
      browserProject('fuzz', ['test/fuzz/**/*.fuzz.test.ts'], CHROME_ARGS),
      browserProject('webgpu', ['test/**/*.webgpu.test.ts'], WEBGPU_ARGS),
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.e2e.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
