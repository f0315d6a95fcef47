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
import { cpuShares, cpuTimes, settle } from './cpu.js';
import { pageFaultUs, referenceMs } from './probe.js';
import { mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { launch, type Launched } from './browser.js';
import { startServer, ROOT } from './server.js';
import { writeReport } from './report.js';
import { compareFiles } from './compare.js';
import type { CaseResult, Ctx, Report } from './types.js';
import { p1 } from './cases/p1-latency.js';
import { p2 } from './cases/p2-batch.js';
import { p3 } from './cases/p3-first-prediction.js';
import { p4 } from './cases/p4-long-tasks.js';
import { p5 } from './cases/p5-sizes.js';
import { p6 } from './cases/p6-cycles.js';
import { GpuTurns, p7 } from './cases/p7-auto-backend.js';

type CaseFn = (ctx: Ctx) => Promise<CaseResult>;

const CASES: Record<string, { title: string; run: CaseFn }> = {
  P1: { title: 'Predict latency', run: p1 },
  P2: { title: 'Batch throughput', run: p2 },
  P3: { title: 'Time to first prediction', run: p3 },
  P4: { title: 'Main-thread long tasks', run: p4 },
  P5: { title: 'Sizes (min + gzip)', run: p5 },
  P6: { title: 'Load/dispose cycles', run: p6 },
  P7: { title: "backend: 'auto' vs the best fixed backend", run: p7 },
};

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
    if (!CASES[id]) throw new Error(`Unknown case "${id}". Expected one of: ${Object.keys(CASES).map((c) => `"${c}"`).join(', ')}.`);
  }
  return args;
}

/**
 * Runs P7's WebGPU work outside P7; when it fails (the page crashed, say), P7 goes on without
 * the spread-out turns and times WebGPU in its own turns only.
 */
async function spreadTurn(ctx: Ctx, when: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    ctx.log(`P7's WebGPU turn ${when} failed, P7 will time WebGPU on its own: ${e instanceof Error ? e.message : String(e)}`);
    await ctx.gpuTurns?.close().catch(() => undefined);
    ctx.gpuTurns = undefined;
  }
}

/** How long a full run waits at most for the machine to quieten before it starts. */
const SETTLE_MS = 60_000;

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  if (args.compare) {
    console.log(compareFiles(...args.compare));
    return 0;
  }
  const started = Date.now();
  const log = (m: string) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(6)} s] ${m}`);
  log(`${args.quick ? 'quick' : 'full'} run; load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${cpus().length} cores`);
  // A full run right after other work (another run, a build) would start on a busy machine:
  // wait up to 60 s for a 3-second window with the CPU under 15 % busy (a run takes ~9 minutes).
  if (!args.quick) {
    const quiet = await settle(SETTLE_MS);
    if (quiet) log(`CPU ${(quiet.busy * 100).toFixed(0)} % busy (steal ${(quiet.steal * 100).toFixed(1)} %) after ${((Date.now() - started) / 1000).toFixed(0)} s of settling`);
    if (quiet && quiet.busy >= 0.15) log('warning: the machine stayed busy; timings will be noisy (the report records CPU use per case)');
  }
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

  const results: CaseResult[] = [];
  const selected = Object.keys(CASES).filter((id) => !args.only || args.only.includes(id));
  try {
    // P7's WebGPU turns are spread over the whole run: SwiftShader stays at one of two speeds for
    // tens of seconds, longer than P7's own turns span (see GpuTurns).
    if (!args.quick && selected.includes('P7') && selected.length > 1) {
      const t = Date.now();
      await spreadTurn(ctx, `before ${selected[0]}`, async () => {
        ctx.gpuTurns = await GpuTurns.open(ctx);
        await ctx.gpuTurns.turn(`before ${selected[0]}`);
      });
      log(`P7's WebGPU sessions opened and timed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const id of selected) {
      const c = CASES[id]!;
      log(`${id} ${c.title}…`);
      const before = referenceMs();
      const faultBefore = pageFaultUs();
      const t = Date.now();
      const cpu = cpuTimes();
      let result: CaseResult;
      try {
        result = await c.run(ctx);
      } catch (e) {
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        log(`${id} failed: ${message}`);
        result = { id, title: c.title, rows: [], targets: [], notes: [], seconds: (Date.now() - t) / 1000, error: message.split('\n')[0] };
      }
      const shares = cpuShares(cpu, cpuTimes());
      if (shares) result.cpu = { busy: Math.round(shares.busy * 1000) / 1000, steal: Math.round(shares.steal * 1000) / 1000 };
      result.reference = { before, after: referenceMs() };
      result.pageFault = { before: faultBefore, after: pageFaultUs() };
      results.push(result);
      log(`${id} done in ${((Date.now() - t) / 1000).toFixed(1)} s${shares ? `; CPU ${(shares.busy * 100).toFixed(0)} % busy, ${(shares.steal * 100).toFixed(1)} % stolen by the host` : ''}; reference work ${result.reference.before} ms before, ${result.reference.after} ms after; a page fault ${result.pageFault.before} µs before, ${result.pageFault.after} µs after`);
      if (ctx.gpuTurns && selected.indexOf(id) < selected.indexOf('P7')) {
        const g = Date.now();
        const gpu = ctx.gpuTurns;
        await spreadTurn(ctx, `after ${id}`, () => gpu.turn(`after ${id}`));
        log(`P7's WebGPU turn after ${id}: ${((Date.now() - g) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    await ctx.gpuTurns?.close().catch(() => undefined);
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
