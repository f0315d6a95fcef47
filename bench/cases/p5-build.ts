/**
 * P5's builds: the library with the package's own tsc config and the demo with its vite config,
 * both into bench/.tmp/size/ (so a bench run never replaces the dist/ or demo-dist/ someone else
 * is using), measured by size-limit with the checks `npm run size` runs; and where the bytes of
 * `import { loadModel }` come from.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Rollup } from 'vite';
import { ROOT } from '../server.js';

const run = promisify(execFile);
const OUT = resolve(ROOT, 'bench/.tmp/size');

export interface SizeResult {
  name: string;
  passed?: boolean;
  size: number;
  sizeLimit?: number;
}

async function step(what: string, file: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  try {
    const { stdout } = await run(file, args, { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 32 * 1024 * 1024 });
    return stdout;
  } catch (e) {
    const err = e as { stdout?: string; stderr?: string; message: string };
    // size-limit exits 1 when a budget is exceeded but still prints its JSON.
    if (what === 'size-limit' && err.stdout?.trim().startsWith('[')) return err.stdout;
    const detail = `${err.stderr ?? ''}\n${err.stdout ?? ''}`.split('\n').filter((l) => /error/i.test(l)).slice(0, 5).join(' ');
    throw new Error(`${what} failed: ${detail || err.message}`);
  }
}

/**
 * Where the bytes of `import { loadModel }` come from: the same entry bundled and minified by
 * vite (rolldown), with each module's share of the rendered code.
 */
export async function breakdown(dist: string = join(OUT, 'dist')): Promise<{ module: string; bytes: number }[]> {
  const entry = join(OUT, 'entry-core.js');
  writeFileSync(entry, `export { loadModel } from './dist/index.js';\n`);
  const out = (await build({
    configFile: false,
    logLevel: 'silent',
    root: OUT,
    build: {
      write: false,
      minify: true,
      lib: { entry, formats: ['es'], fileName: 'core' },
      rollupOptions: { external: [/^onnxruntime-web/] },
    },
  })) as Rollup.RollupOutput | Rollup.RollupOutput[];
  const chunk = (Array.isArray(out) ? out[0]! : out).output.find((o): o is Rollup.OutputChunk => o.type === 'chunk' && o.isEntry);
  const byModule = new Map<string, number>();
  for (const [id, m] of Object.entries(chunk?.modules ?? {})) {
    const rel = id.startsWith(dist) ? id.slice(dist.length + 1) : (/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(id)?.[1] ?? id);
    byModule.set(rel, (byModule.get(rel) ?? 0) + m.renderedLength);
  }
  return [...byModule].map(([module, bytes]) => ({ module, bytes })).sort((a, b) => b.bytes - a.bytes);
}

/**
 * Builds the library and the demo and measures them with size-limit. A failed library build
 * throws; a failed demo build leaves the demo's checks out and is returned as `demoError`.
 */
export async function buildAndMeasure(log: (m: string) => void): Promise<{ results: SizeResult[]; demoError?: string }> {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const node = process.execPath;
  log('P5 building the library (tsc) and the demo (vite build)…');
  const [lib, demo] = await Promise.allSettled([
    step('library build (tsc -p tsconfig.build.json)', node, [
      resolve(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      'tsconfig.build.json',
      '--outDir',
      join(OUT, 'dist'),
      '--declaration',
      'false',
      '--sourceMap',
      'false',
      '--inlineSources',
      'false',
    ]),
    step('demo build (vite build)', node, [resolve(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', 'demo/vite.config.ts'], {
      DEMO_OUT_DIR: join(OUT, 'demo-dist'),
      DEMO_QUIET: '1',
    }),
  ]);
  if (lib.status === 'rejected') throw lib.reason;
  // The repo's checks, resolved against the builds above (paths are relative to the config file).
  writeFileSync(
    join(OUT, '.size-limit.js'),
    demo.status === 'fulfilled'
      ? `export { default } from '../../../.size-limit.js';\n`
      : `import checks from '../../../.size-limit.js';\nexport default checks.filter((c) => !JSON.stringify(c.path).includes('demo-dist'));\n`,
  );
  const stdout = await step('size-limit', node, [resolve(ROOT, 'node_modules/size-limit/bin.js'), '--json', '--config', join(OUT, '.size-limit.js')]);
  const results = JSON.parse(stdout) as SizeResult[];
  return { results, ...(demo.status === 'rejected' ? { demoError: String(demo.reason).slice(0, 300) } : {}) };
}
