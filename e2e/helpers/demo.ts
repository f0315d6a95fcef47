/**
 * Builds the demo PWA and serves it with `vite preview`, for the e2e tests: each build goes to
 * its own folder under e2e/.tmp/, the server runs in this process on a free port, logs every
 * request it receives, and can be switched "down" (every connection is cut) to stand for a host
 * that cannot be reached.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { preview, type Plugin, type PreviewServer } from 'vite';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CONFIG = resolve(ROOT, 'demo/vite.config.ts');
const run = promisify(execFile);

export interface BuildOptions {
  outDir: string;
  /** The build label shown in the footer (a new one is a new app shell). */
  version: string;
}

/** `vite build` of the demo in a child process (as `npm run demo:build` does). */
export async function buildDemo({ outDir, version }: BuildOptions): Promise<void> {
  await run(process.execPath, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', CONFIG], {
    cwd: ROOT,
    // NODE_ENV: vitest sets it to "test", which would make vite build a development bundle
    // (import.meta.env.PROD false, Lit in dev mode).
    env: { ...process.env, NODE_ENV: 'production', DEMO_OUT_DIR: outDir, DEMO_VERSION: version, DEMO_QUIET: '1' },
    maxBuffer: 16 * 1024 * 1024,
  });
}

export interface ServedRequest {
  url: string;
  at: number;
}

export interface DemoServer {
  origin: string;
  /** Every request the server received, in order. */
  requests: ServedRequest[];
  /** While true, the server cuts every connection instead of answering. */
  down: boolean;
  close(): Promise<void>;
}

function requestLog(server: { requests: ServedRequest[]; down: boolean }): Plugin {
  return {
    name: 'e2e-request-log',
    configurePreviewServer(preview) {
      preview.middlewares.use((req, res, next) => {
        server.requests.push({ url: req.url ?? '', at: Date.now() });
        if (server.down) {
          res.socket?.destroy();
          return;
        }
        next();
      });
    },
  };
}

/**
 * `vite preview` of a build. `headers: 'off'` serves it without COOP/COEP, like a static host
 * without header control.
 */
export async function serveDemo(outDir: string, headers: 'on' | 'off' = 'on'): Promise<DemoServer> {
  const state = { requests: [] as ServedRequest[], down: false };
  const saved = process.env.DEMO_HEADERS;
  process.env.DEMO_HEADERS = headers;
  let server: PreviewServer;
  try {
    server = await preview({
      configFile: CONFIG,
      logLevel: 'warn',
      build: { outDir },
      preview: { port: 0, strictPort: false, host: '127.0.0.1' },
      plugins: [requestLog(state)],
    });
  } finally {
    if (saved === undefined) delete process.env.DEMO_HEADERS;
    else process.env.DEMO_HEADERS = saved;
  }
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error(`vite preview did not listen on a TCP port: ${String(address)}`);
  return {
    origin: `http://127.0.0.1:${address.port}`,
    get requests() {
      return state.requests;
    },
    get down() {
      return state.down;
    },
    set down(value: boolean) {
      state.down = value;
    },
    close: () => server.close(),
  };
}

/** The URLs in the precache manifest that the build injected into sw.js. */
export function precacheList(outDir: string): string[] {
  const sw = readFileSync(resolve(outDir, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/"url":"([^"]+)"/g)].map((m) => m[1]!);
  if (urls.length === 0) throw new Error(`No precache manifest found in ${resolve(outDir, 'sw.js')}`);
  return urls;
}
