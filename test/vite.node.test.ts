// ml-predict/vite: the isolation headers on every response of vite's dev and preview servers,
// the 304 that answers a revalidation included (WebKit refuses a module worker started from a
// 304 without them: the runtime worker failed on every second page load).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createServer, preview } from 'vite';
import { ISOLATION_HEADERS, mlPredict } from '../lib/vite.js';

const root = mkdtempSync(join(tmpdir(), 'mlp-vite-'));
mkdirSync(join(root, 'dist'));
for (const dir of [root, join(root, 'dist')]) {
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/main.js"></script>');
  writeFileSync(join(dir, 'main.js'), "new Worker(new URL('./worker.js', import.meta.url), { type: 'module' });");
  writeFileSync(join(dir, 'worker.js'), 'self.postMessage(1);');
}
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The first response to `path` and the answer to its revalidation (If-None-Match). */
async function fetchTwice(origin: string, path: string): Promise<[Response, Response]> {
  const first = await fetch(`${origin}${path}`);
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  expect(etag, `${path} has an ETag`).toBeTruthy();
  const again = await fetch(`${origin}${path}`, { headers: { 'if-none-match': etag! } });
  return [first, again];
}

function isolationOf(res: Response): Record<string, string | null> {
  return Object.fromEntries(Object.keys(ISOLATION_HEADERS).map((h) => [h, res.headers.get(h)]));
}

const expected = Object.fromEntries(Object.entries(ISOLATION_HEADERS));

describe('mlPredict() vite plugin', () => {
  it('dev server: COOP/COEP/CORP on the page, the worker script and its 304', async () => {
    const server = await createServer({ root, configFile: false, logLevel: 'silent', plugins: [mlPredict()], server: { port: 0, host: '127.0.0.1' } });
    await server.listen();
    try {
      const origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
      for (const path of ['/', '/worker.js']) {
        const [first, again] = await fetchTwice(origin, path);
        expect(first.status).toBe(200);
        expect(again.status).toBe(304);
        expect(isolationOf(first)).toEqual(expected);
        expect(isolationOf(again)).toEqual(expected);
      }
    } finally {
      await server.close();
    }
  });

  it('preview server: the same, 304 included; isolation: false sends none', async () => {
    for (const isolation of [true, false]) {
      const server = await preview({ root, configFile: false, logLevel: 'silent', plugins: [mlPredict({ isolation })], preview: { port: 0, host: '127.0.0.1' } });
      try {
        const origin = server.resolvedUrls!.local[0]!.replace(/\/$/, '');
        const [first, again] = await fetchTwice(origin, '/worker.js');
        expect(again.status).toBe(304);
        const none = Object.fromEntries(Object.keys(ISOLATION_HEADERS).map((h) => [h, null]));
        expect(isolationOf(first)).toEqual(isolation ? expected : none);
        expect(isolationOf(again)).toEqual(isolation ? expected : none);
      } finally {
        await server.close();
      }
    }
  });
});
