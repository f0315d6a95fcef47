/**
 * The benchmark pages' server: a vite dev server with the library's own plugin (COOP/COEP, so
 * the pages are cross-origin isolated and WebAssembly threads work), the demo models from
 * public/, and one extra route:
 *
 *   /__bench/model/NAME?kbps=K   the model NAME (a file of public/models/, or a fixture
 *                                registered with `addFixture`), sent at K kilobytes per second
 *                                (paced on the server; no kbps: as fast as possible). Never cached
 *                                by HTTP, so every fetch goes to the server.
 *   /__bench/count/NAME          how many times NAME was requested (JSON).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { resolve } from 'node:path';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { mlPredict } from '../lib/vite.js';

export const ROOT = resolve(import.meta.dirname, '..');
const MODELS = resolve(ROOT, 'public/models');

const fixtures = new Map<string, Uint8Array>();
const counts = new Map<string, number>();

/** Serves bytes under /__bench/model/NAME. */
export function addFixture(name: string, bytes: Uint8Array): void {
  fixtures.set(name, bytes);
}

/** The bytes of a bench model (fixture or public/models file). */
export function modelBytes(name: string): Uint8Array | undefined {
  const fixture = fixtures.get(name);
  if (fixture) return fixture;
  if (!/^[\w.-]+$/.test(name)) return undefined;
  const file = resolve(MODELS, name);
  return existsSync(file) ? readFileSync(file) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `bytes` at `kbps` kilobytes per second (token bucket on wall time, 16 KiB writes). */
async function paced(res: ServerResponse, bytes: Uint8Array, kbps: number | undefined): Promise<void> {
  const chunk = 16 * 1024;
  const started = Date.now();
  for (let sent = 0; sent < bytes.length; ) {
    if (res.destroyed) return;
    const end = Math.min(sent + chunk, bytes.length);
    const ok = res.write(bytes.subarray(sent, end));
    sent = end;
    if (kbps) {
      const due = started + (sent / (kbps * 1000)) * 1000;
      const wait = due - Date.now();
      if (wait > 0) await sleep(wait);
    }
    if (!ok) await new Promise((r) => res.once('drain', r));
  }
  res.end();
}

function benchRoutes(): Plugin {
  return {
    name: 'ml-predict-bench-routes',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const m = /^\/__bench\/(model|count)\/([^/]+)$/.exec(url.pathname);
        if (!m) return next();
        const name = decodeURIComponent(m[2]!);
        res.setHeader('Cache-Control', 'no-store');
        res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
        if (m[1] === 'count') {
          res.setHeader('Content-Type', 'application/json');
          res.end(JSON.stringify({ count: counts.get(name) ?? 0 }));
          return;
        }
        counts.set(name, (counts.get(name) ?? 0) + 1);
        const bytes = modelBytes(name);
        if (!bytes) {
          res.statusCode = 404;
          res.end(`no bench model "${name}"`);
          return;
        }
        res.setHeader('Content-Type', 'application/octet-stream');
        res.setHeader('Content-Length', String(bytes.length));
        const kbps = url.searchParams.has('kbps') ? Number(url.searchParams.get('kbps')) : undefined;
        paced(res, bytes, kbps).catch((e: unknown) => {
          res.destroy(e instanceof Error ? e : new Error(String(e)));
        });
      });
    },
  };
}

export interface BenchServer {
  origin: string;
  server: ViteDevServer;
  close(): Promise<void>;
}

/** Starts the dev server on a free port of 127.0.0.1. */
export async function startServer(): Promise<BenchServer> {
  const server = await createServer({
    configFile: false,
    root: resolve(ROOT, 'bench/page'),
    publicDir: resolve(ROOT, 'public'),
    logLevel: 'warn',
    clearScreen: false,
    appType: 'mpa',
    resolve: {
      alias: [{ find: /^ml-predict$/, replacement: resolve(ROOT, 'lib/index.ts') }],
    },
    server: { host: '127.0.0.1', port: 0, strictPort: false, hmr: false, watch: null, fs: { allow: [ROOT] } },
    plugins: [mlPredict(), benchRoutes()],
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error(`the bench server did not listen on a TCP port: ${String(address)}`);
  return { origin: `http://127.0.0.1:${address.port}`, server, close: () => server.close() };
}
