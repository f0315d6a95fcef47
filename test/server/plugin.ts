/**
 * A test file server inside the vitest browser server (same origin as the tests). Browser tests
 * PUT bytes under a name, then fetch them with behaviours chosen by query parameters:
 *   /__test/files/NAME?slow=MS        wait MS between 64 KiB chunks
 *                     &cut=N          send content-length of the whole, but only N bytes, then end
 *                     &tamper=I       flip the byte at index I
 *                     &nolength=1     no content-length (chunked)
 *                     &norange=1      ignore Range headers
 *                     &status=CODE    answer with this status
 * read how many requests each name saw (GET /__test/count/NAME), and take a file off the network
 * and back (POST /__test/down/NAME, /__test/up/NAME: its requests then fail as if offline).
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Plugin } from 'vite';

const files = new Map<string, { bytes: Buffer; etag: string; type: string }>();
const counts = new Map<string, number>();
const ranges = new Map<string, string[]>();
/** Names whose requests fail at the network level (the connection is dropped), as if offline. */
const down = new Set<string>();

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function headers(res: ServerResponse): void {
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

async function serveFile(req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams): Promise<void> {
  counts.set(name, (counts.get(name) ?? 0) + 1);
  if (down.has(name)) {
    res.destroy();
    return;
  }
  const file = files.get(name);
  headers(res);
  if (query.has('status')) {
    res.statusCode = Number(query.get('status'));
    res.end('status requested by test');
    return;
  }
  if (!file) {
    res.statusCode = 404;
    res.end(`no test file "${name}"`);
    return;
  }
  let bytes = file.bytes;
  if (query.has('tamper')) {
    bytes = Buffer.from(bytes);
    const i = Number(query.get('tamper'));
    bytes[i] = bytes[i]! ^ 0xff;
  }
  res.setHeader('Content-Type', file.type);
  res.setHeader('ETag', file.etag);
  if (req.headers['if-none-match'] === file.etag) {
    res.statusCode = 304;
    res.end();
    return;
  }
  res.setHeader('Accept-Ranges', query.has('norange') ? 'none' : 'bytes');
  let start = 0;
  const range = req.headers.range;
  if (range) ranges.set(name, [...(ranges.get(name) ?? []), range]);
  if (range && !query.has('norange')) {
    const m = /^bytes=(\d+)-$/.exec(range);
    if (m) {
      start = Number(m[1]);
      res.statusCode = 206;
      res.setHeader('Content-Range', `bytes ${start}-${bytes.length - 1}/${bytes.length}`);
    }
  }
  const body = bytes.subarray(start);
  if (!query.has('nolength')) res.setHeader('Content-Length', String(body.length));
  const cut = query.has('cut') ? Number(query.get('cut')) : body.length;
  const slow = Number(query.get('slow') ?? 0);
  const chunk = 64 * 1024;
  for (let offset = 0; offset < Math.min(cut, body.length); offset += chunk) {
    if (res.destroyed) return;
    const end = Math.min(offset + chunk, cut, body.length);
    res.write(body.subarray(offset, end));
    if (slow) await sleep(slow);
  }
  if (cut < body.length) {
    res.destroy(); // the connection breaks off mid-body
    return;
  }
  res.end();
}

export function testServer(): Plugin {
  return {
    name: 'ml-predict-test-server',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = new URL(req.url ?? '/', 'http://x');
        if (!url.pathname.startsWith('/__test/')) return next();
        const [, , kind, ...rest] = url.pathname.split('/');
        const name = decodeURIComponent(rest.join('/'));
        void (async () => {
          try {
            if (kind === 'files' && req.method === 'PUT') {
              const bytes = await readBody(req);
              files.set(name, {
                bytes,
                etag: `"${createHash('sha1').update(bytes).digest('hex').slice(0, 16)}"`,
                type: req.headers['content-type'] ?? 'application/octet-stream',
              });
              counts.set(name, 0);
              ranges.delete(name);
              headers(res);
              res.end('ok');
            } else if (kind === 'files') {
              await serveFile(req, res, name, url.searchParams);
            } else if (kind === 'down' || kind === 'up') {
              if (kind === 'down') down.add(name);
              else down.delete(name);
              headers(res);
              res.end('ok');
            } else if (kind === 'count') {
              headers(res);
              res.setHeader('Content-Type', 'application/json');
              res.end(JSON.stringify({ count: counts.get(name) ?? 0, ranges: ranges.get(name) ?? [] }));
            } else {
              next();
            }
          } catch (e) {
            res.statusCode = 500;
            res.end(String(e));
          }
        })();
      });
    },
  };
}
