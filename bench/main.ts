/**
 * `npm run bench`: every case (P1–P7) side by side with its baseline, in Debian's Chromium,
 * against pages served cross-origin isolated by a vite dev server with the library's plugin.
 * Writes bench/results/latest.json, latest.md and latest.png (quick mode: quick.json/.md).
 *
 * Options:
 *   --quick          every case once, tiny sizes (CI keeps the harness working with it)
 *   --only=P1,P3     run only these cases
 *   --out=DIR        where to write the report (default bench/results)
 *   --compare=A,B    no run: compare the ratios of two report files (the spread between runs)
 */
import { cpus, loadavg, release, totalmem, type } from 'node:os';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, type Launched } from './browser.js';
import { startServer, ROOT } from './server.js';
import { writeReport } from './report.js';
import { compareFiles } from './compare.js';
import { runCases, waitForQuiet, type BenchCase } from './harness/index.js';
import type { Ctx, Report } from './types.js';
import { p1 } from './cases/p1-latency.js';
import { p2 } from './cases/p2-batch.js';
import { p3 } from './cases/p3-first-prediction.js';
import { p4 } from './cases/p4-long-tasks.js';
import { p5 } from './cases/p5-sizes.js';
import { p6 } from './cases/p6-cycles.js';
import { p7, p7GpuTurns } from './cases/p7-auto-backend.js';

const CASES: BenchCase[] = [
  { id: 'P1', title: 'Predict latency', run: p1 },
  { id: 'P2', title: 'Batch throughput', run: p2 },
  { id: 'P3', title: 'Time to first prediction', run: p3 },
  { id: 'P4', title: 'Main-thread long tasks', run: p4 },
  { id: 'P5', title: 'Sizes (min + gzip)', run: p5 },
  { id: 'P6', title: 'Load/dispose cycles', run: p6 },
  { id: 'P7', title: "backend: 'auto' vs the best fixed backend", run: p7, gpuTurns: p7GpuTurns },
];

interface Args {
  compare?: [string, string];
  quick: boolean;
  only?: string[];
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { quick: false, out: resolve(ROOT, 'bench/results') };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a.startsWith('--only=')) args.only = a.slice(7).split(',').map((s) => s.trim().toUpperCase());
    else if (a.startsWith('--out=')) args.out = resolve(a.slice(6));
    else if (a.startsWith('--compare=')) {
      const files = a.slice(10).split(',');
      if (files.length !== 2) throw new Error(`--compare takes two report files, e.g. --compare=a.json,b.json; got "${a.slice(10)}".`);
      args.compare = [resolve(files[0]!), resolve(files[1]!)];
    } else throw new Error(`Unknown option "${a}". Expected one of: "--quick", "--only=P1,P2,…", "--out=DIR", "--compare=A,B".`);
  }
  for (const id of args.only ?? []) {
    if (!CASES.some((c) => c.id === id)) throw new Error(`Unknown case "${id}". Expected one of: ${CASES.map((c) => `"${c.id}"`).join(', ')}.`);
  }
  return args;
}

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.compare) {
    console.log(compareFiles(...args.compare));
    return 0;
  }
  const started = Date.now();
  const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  log(`${args.quick ? 'quick' : 'full'} run; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  // A full run right after other work (another run, a build) would start on a busy machine.
  if (!args.quick) await waitForQuiet(log);
  const loadStart = loadavg()[0]!;

  const server = await startServer();
  log(`pages served at ${server.origin}`);
  const launches: Partial<Record<'default' | 'webgpu', Promise<Launched>>> = {};
  const get = (kind: 'default' | 'webgpu') => (launches[kind] ??= launch(kind));
  const ctx: Ctx = {
    quick: args.quick,
    origin: server.origin,
    browser: () => get('default'),
    webgpu: () => get('webgpu'),
    async freshContext() {
      const { browser } = await get('default');
      const context = await browser.newContext();
      return { context, cdp: await browser.newBrowserCDPSession() };
    },
    log,
  };

  let results: Report['cases'] = [];
  try {
    results = await runCases(ctx, CASES.filter((c) => !args.only || args.only.includes(c.id)));
  } finally {
    for (const l of Object.values(launches)) await (await l)?.browser.close().catch(() => undefined);
    await server.close();
  }

  const chromium = launches.default ? (await launches.default).version : launches.webgpu ? (await launches.webgpu).version : 'not started';
  const ortVersion = (JSON.parse(readFileSync(resolve(ROOT, 'node_modules/onnxruntime-web/package.json'), 'utf8')) as { version: string }).version;
  const report: Report = {
    generatedAt: new Date().toISOString(),
    mode: args.quick ? 'quick' : 'full',
    seconds: Math.round((Date.now() - started) / 100) / 10,
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memoryGiB: Math.round(totalmem() / 2 ** 30),
      os: `${type()} ${release()}`,
      node: process.version,
      chromium: `Chromium ${chromium}`,
      loadAverage: { start: Math.round(loadStart * 100) / 100, end: Math.round(loadavg()[0]! * 100) / 100 },
    },
    onnxruntimeWeb: ortVersion,
    cases: results,
  };
  mkdirSync(args.out, { recursive: true });
  const written = await writeReport(report, args.out, args.quick ? 'quick' : 'latest');
  log(`report: ${written.join(', ')}`);
  log(`finished in ${report.seconds} s`);
  const failed = results.filter((r) => r.error);
  return failed.length ? 1 : 0;
}
