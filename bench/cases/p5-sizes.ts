/**
 * P5 sizes, minified + gzipped, against the budgets of .size-limit.js: the library is built
 * with the package's own tsc config and the demo with its vite config, both into
 * bench/.tmp/size/ (so a bench run never replaces the dist/ or demo-dist/ someone else is
 * using), then size-limit measures them with the same checks `npm run size` runs.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { build, type Rollup } from 'vite';
import { ROOT } from '../server.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

const run = promisify(execFile);
const OUT = resolve(ROOT, 'bench/.tmp/size');

interface SizeResult {
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
async function breakdown(dist: string): Promise<{ module: string; bytes: number }[]> {
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

export async function p5(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const node = process.execPath;
  ctx.log('P5 building the library (tsc) and the demo (vite build)…');
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
  if (demo.status === 'rejected') notes.push(`The demo app shell was not measured: ${String(demo.reason).slice(0, 300)}`);
  // The repo's checks, resolved against the builds above (paths are relative to the config file).
  writeFileSync(
    join(OUT, '.size-limit.js'),
    demo.status === 'fulfilled'
      ? `export { default } from '../../../.size-limit.js';\n`
      : `import checks from '../../../.size-limit.js';\nexport default checks.filter((c) => !JSON.stringify(c.path).includes('demo-dist'));\n`,
  );
  const stdout = await step('size-limit', node, [resolve(ROOT, 'node_modules/size-limit/bin.js'), '--json', '--config', join(OUT, '.size-limit.js')]);
  const results = JSON.parse(stdout) as SizeResult[];
  for (const r of results) {
    rows.push({
      group: r.name,
      short: r.name.split(' (')[0],
      variant: 'min + gzip vs budget',
      unit: 'bytes',
      value: r.size,
      ratio: r.sizeLimit ? Math.round((r.size / r.sizeLimit) * 100) / 100 : undefined,
      vs: r.sizeLimit ? `budget ${r.sizeLimit} bytes` : undefined,
      note: r.sizeLimit ? `budget ${(r.sizeLimit / 1000).toFixed(0)} KB: ${r.passed ? 'within' : 'over'}` : undefined,
    });
  }
  let reason: string | undefined;
  try {
    const parts = await breakdown(join(OUT, 'dist'));
    const total = parts.reduce((a, p) => a + p.bytes, 0);
    const share = (p: { bytes: number }) => Math.round((p.bytes / total) * 100);
    notes.push(
      `Where import { loadModel } spends its bytes (minified, before gzip; ${total} bytes in all): ${parts
        .slice(0, 10)
        .map((p) => `${p.module} ${share(p)} %`)
        .join(', ')}.`,
    );
    // Modules only the Model handle's card, batch and evaluation methods need.
    const extras = parts.filter((p) => /^(model\/(card|interpret)|batch\/|evaluate\/)/.test(p.module));
    const extraShare = Math.round((extras.reduce((a, p) => a + p.bytes, 0) / total) * 100);
    if (extras.length) {
      reason = `${extraShare} % of the minified bundle is ${extras.map((p) => p.module).join(', ')}: model/load.ts imports them statically for the Model handle's methods (predictValues, predictBatch, …), so a bundler cannot leave them out of import { loadModel }; importing them with import() inside those methods would keep them out of the core`;
    }
  } catch (e) {
    notes.push(`No breakdown of the core bundle: ${e instanceof Error ? e.message : String(e)}`);
  }
  const core = results.find((r) => r.name.startsWith('core: import { loadModel }'));
  if (core) {
    targets.push({
      case: 'P5',
      target: 'core library (main thread, without onnxruntime-web) ≤ 10 KB min+gz',
      measured: `${(core.size / 1000).toFixed(2)} KB for import { loadModel }; ${(results.find((r) => r.name.startsWith('core: every'))!.size / 1000).toFixed(2)} KB for every export`,
      met: core.size <= 10_000,
      reason: core.size > 10_000 ? reason : undefined,
    });
  }
  for (const r of results) {
    if (r.passed === false && r !== core) notes.push(`Over budget: ${r.name}: ${r.size} bytes > ${r.sizeLimit}.`);
  }
  notes.push('Sizes are bytes after esbuild minification (ESM) and gzip level 9, measured by size-limit with the checks in .size-limit.js; the demo shell is the built files as served.');
  return { id: 'P5', title: 'Sizes (min + gzip)', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
