/**
 * WebKitGTK's MiniBrowser through WebKitWebDriver (classic WebDriver over HTTP), on a private
 * Xvfb display: MiniBrowser needs one even when nothing is looked at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { MINIBROWSER, WEBKIT_DRIVER, XVFB } from './find.js';
import { callExpression, pollPage, type EnginePage, type LaunchOptions } from './page.js';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Starts Xvfb on the first free display; resolves with its number once it accepts clients. */
function startXvfb(): Promise<{ display: string; process: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(XVFB, ['-displayfd', '3', '-screen', '0', '1280x1024x24', '-nolisten', 'tcp'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdio[3]!.on('data', (d: Buffer) => resolve({ display: `:${d.toString().trim()}`, process: child }));
    child.on('exit', (code) => reject(new Error(`Xvfb exited with ${code}: ${err.slice(-500)}`)));
  });
}

async function waitForDriver(base: string): Promise<void> {
  await pollPage(15_000, `WebKitWebDriver at ${base}`, async () => (await fetch(`${base}/status`)).ok);
}

/** WebDriver's code points for the DOM key names that are not characters. */
const KEY_CODES: Record<string, string> = {
  Backspace: '\uE003',
  Tab: '\uE004',
  Enter: '\uE007',
  Shift: '\uE008',
  Control: '\uE009',
  Alt: '\uE00A',
  Escape: '\uE00C',
  End: '\uE010',
  Home: '\uE011',
  ArrowLeft: '\uE012',
  ArrowUp: '\uE013',
  ArrowRight: '\uE014',
  ArrowDown: '\uE015',
  Delete: '\uE017',
  Meta: '\uE03D',
};

function keyValue(key: string): string {
  const code = KEY_CODES[key] ?? (key.length === 1 ? key : undefined);
  if (code === undefined) throw new Error(`WebKit driver: no WebDriver code for key ${JSON.stringify(key)}; known: ${Object.keys(KEY_CODES).join(', ')} and single characters`);
  return code;
}

export async function launchWebKit(options: LaunchOptions): Promise<EnginePage> {
  const xvfb = await startXvfb();
  const port = await freePort();
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`, '--host=127.0.0.1'], {
    env: { ...process.env, DISPLAY: xvfb.display },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  const stop = () => {
    driver.kill();
    xvfb.process.kill();
    process.off('exit', stop);
  };
  // A test process that ends without closing the page takes the display and driver with it.
  process.once('exit', stop);
  try {
    await waitForDriver(base);
  } catch (e) {
    stop();
    throw e;
  }

  async function command<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const json = (await res.json()) as { value: T & { error?: string; message?: string } };
    if (!res.ok) throw new Error(`WebDriver ${method} ${path}: ${json.value.error}: ${json.value.message}`);
    return json.value;
  }

  const { sessionId } = await command<{ sessionId: string }>('POST', '/session', {
    capabilities: {
      alwaysMatch: {
        browserName: 'MiniBrowser',
        'webkitgtk:browserOptions': { binary: MINIBROWSER, args: ['--automation'] },
      },
    },
  }).catch((e: unknown) => {
    stop();
    throw e;
  });
  const session = `/session/${sessionId}`;
  await command('POST', `${session}/timeouts`, { script: 600_000, pageLoad: 120_000 });
  if (options.viewport) await command('POST', `${session}/window/rect`, { ...options.viewport, x: 0, y: 0 });

  async function evaluate<T>(fn: (...args: never[]) => unknown, args: unknown[]): Promise<T> {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => ${callExpression(fn, args)}).then(
        (value) => done({ value: value === undefined ? null : value }),
        (e) => done({ error: e instanceof Error ? e.message : String(e) }));`;
    const out = await command<{ value?: T; error?: string }>('POST', `${session}/execute/async`, { script, args: [] });
    if (out.error !== undefined) throw new Error(out.error);
    return out.value as T;
  }

  return {
    engine: 'webkit',
    goto: async (url) => void (await command('POST', `${session}/url`, { url })),
    reload: async () => void (await command('POST', `${session}/refresh`, {})),
    evaluate: (fn, ...args) => evaluate(fn as never, args),
    waitFor: (timeoutMs, fn, ...args) => pollPage(timeoutMs, fn.toString(), () => evaluate(fn as never, args)),
    keys: async (strokes) => {
      const actions = strokes.map((s) => ('down' in s ? { type: 'keyDown', value: keyValue(s.down) } : { type: 'keyUp', value: keyValue(s.up) }));
      await command('POST', `${session}/actions`, { actions: [{ type: 'key', id: 'keyboard', actions }] });
    },
    screenshot: async (path) => writeFileSync(path, Buffer.from(await command<string>('GET', `${session}/screenshot`), 'base64')),
    close: async () => {
      await command('DELETE', session).catch(() => undefined);
      stop();
    },
  };
}
