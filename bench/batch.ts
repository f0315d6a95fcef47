/**
 * Batch-job benchmark: a deterministic CSV of 1,000,000 rows (values drawn in the ranges of a
 * demo model's card features) is picked through a file input (a disk-backed File, as a user's
 * would be), run as a CSV batch job in Chromium with 1 and then 2 workers, and measured:
 * rows per second, and the peak JS heap of the page's main thread and of each worker (DevTools
 * protocol `Runtime.getHeapUsage`, sampled every 100 ms; the sum is taken at the same instant).
 * Also timed: storing the input file with the job, the results CSV download (streamed into a
 * Blob), and the summary. Writes bench/results/batch.json and batch.md.
 *
 *   node bench/batch.mjs [--rows=1000000] [--model=house-price] [--workers=1,2] [--batch=2048] [--reps=3] [--threads=N] [--out=DIR]
 *
 * Each worker count runs --reps times, the order alternating per repetition; the report gives
 * the median rows/s (with every run's figure) and the largest heap seen over the runs.
 *
 * It stands alone (own vite server rooted at the repository, own page bench/batch-page.html),
 * reusing the harness's Chromium launch (bench/browser.ts).
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { once } from 'node:events';
import type { CDPSession, Page } from 'playwright';
import { createServer } from 'vite';
import { mlPredict } from '../lib/vite.js';
import { launch } from './browser.js';
import type { BatchRun } from './batch-page.js';
import { mulberry32 as rng } from '../lib/evaluate/random.js';

const ROOT = resolve(import.meta.dirname, '..');

interface Args {
  rows: number;
  model: string;
  workers: number[];
  batch: number;
  /** wasm threads of the model's session (default 'auto'). */
  threads?: number;
  /** Runs per worker count, in alternating order (the machine's noise falls on both alike). */
  reps: number;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rows: 1_000_000, model: 'house-price', workers: [1, 2], batch: 2048, reps: 3, out: resolve(ROOT, 'bench/results') };
  for (const a of argv) {
    const [k, v = ''] = a.replace(/^--/, '').split('=');
    if (k === 'rows') args.rows = Number(v);
    else if (k === 'model') args.model = v;
    else if (k === 'workers') args.workers = v.split(',').map(Number);
    else if (k === 'batch') args.batch = Number(v);
    else if (k === 'threads') args.threads = Number(v);
    else if (k === 'reps') args.reps = Number(v);
    else if (k === 'out') args.out = resolve(v);
    else throw new Error(`Unknown option "${a}". Expected one of: "--rows=N", "--model=NAME", "--workers=1,2", "--batch=N", "--threads=N", "--reps=N", "--out=DIR".`);
  }
  return args;
}


interface CardFeature {
  name: string;
  type: string;
  min?: number;
  max?: number;
  categories?: string[];
}

/** Writes (once) the CSV for `model`'s card features: `rows` rows, 2 decimals, seed 7. */
async function generateCsv(model: string, rows: number): Promise<string> {
  const card = JSON.parse(readFileSync(resolve(ROOT, `public/models/${model}-1.0.0.card.json`), 'utf8')) as { input: { kind: string; features: CardFeature[] } };
  if (card.input.kind !== 'features') throw new Error(`--model=${model}: its card's input is ${card.input.kind}; the benchmark writes feature columns.`);
  const features = card.input.features;
  const dir = join(tmpdir(), 'ml-predict-bench');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `batch-${model}-${rows}.csv`);
  const stamp = `${path}.done`;
  if (existsSync(path) && existsSync(stamp)) return path;
  const r = rng(7);
  const out = createWriteStream(path);
  out.write(features.map((f) => (/[",\n]/.test(f.name) ? `"${f.name}"` : f.name)).join(',') + '\n');
  for (let i = 0; i < rows; i += 10_000) {
    const lines: string[] = [];
    for (let j = i; j < Math.min(rows, i + 10_000); j++) {
      lines.push(
        features
          .map((f) => {
            if (f.type === 'category') return f.categories![Math.floor(r() * f.categories!.length)];
            const lo = f.min ?? 0;
            const hi = f.max ?? 1;
            return (lo + r() * (hi - lo)).toFixed(2);
          })
          .join(','),
      );
    }
    if (!out.write(lines.join('\n') + '\n')) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
  writeFileSync(stamp, new Date().toISOString());
  return path;
}

interface HeapPeaks {
  main: number;
  /** Largest heap any one worker reached. */
  worker: number;
  /** Largest sum over the main thread and all workers at one sampling instant. */
  total: number;
  workersSeen: number;
  samples: number;
  /** Peak heap per worker, by the worker's script (e.g. batch-worker.ts, runtime.ts). */
  byWorker: Record<string, number>;
}

/**
 * Samples the JS heap of the page (its own DevTools session) and of every worker target
 * (attached through the browser session, messages relayed by Target.sendMessageToTarget).
 */
function sampleHeaps(page: Page, pageSession: CDPSession, browserSession: CDPSession): { stop: () => Promise<HeapPeaks> } {
  const peaks: HeapPeaks = { main: 0, worker: 0, total: 0, workersSeen: 0, samples: 0, byWorker: {} };
  const labels = new Map<string, string>(); // sessionId → script name
  const attached = new Map<string, string>(); // targetId → sessionId
  const pending = new Map<number, (size: number) => void>();
  let nextId = 1;
  const onMessage = ({ message }: { sessionId: string; message: string }) => {
    const m = JSON.parse(message) as { id?: number; result?: { usedSize: number } };
    if (m.id !== undefined && pending.has(m.id)) {
      pending.get(m.id)!(m.result?.usedSize ?? 0);
      pending.delete(m.id);
    }
  };
  browserSession.on('Target.receivedMessageFromTarget', onMessage);
  const workerHeap = (sessionId: string) =>
    new Promise<number>((resolveSize) => {
      const id = nextId++;
      pending.set(id, resolveSize);
      browserSession
        .send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) })
        .catch(() => {
          pending.delete(id);
          resolveSize(0);
        });
      setTimeout(() => {
        if (pending.delete(id)) resolveSize(0);
      }, 1000);
    });
  let running = true;
  const loop = (async () => {
    let tick = 0;
    while (running) {
      if (tick++ % 5 === 0) {
        const { targetInfos } = await browserSession.send('Target.getTargets');
        for (const t of targetInfos) {
          if (t.type !== 'worker') continue;
          const name = new URL(t.url || 'x:/', 'http://x').pathname.split('/').pop() || t.title;
          if (attached.has(t.targetId)) {
            // A worker's URL may be known only after it started: name it then.
            if (name && !labels.get(attached.get(t.targetId)!)) labels.set(attached.get(t.targetId)!, name);
            continue;
          }
          try {
            const { sessionId } = await browserSession.send('Target.attachToTarget', { targetId: t.targetId, flatten: false });
            attached.set(t.targetId, sessionId);
            labels.set(sessionId, name);
            peaks.workersSeen++;
          } catch {
            // The worker ended before we attached.
          }
        }
      }
      const [main, ...workers] = await Promise.all([
        pageSession.send('Runtime.getHeapUsage').then((h) => h.usedSize, () => 0),
        ...[...attached.values()].map(workerHeap),
      ]);
      peaks.main = Math.max(peaks.main, main!);
      [...attached.values()].forEach((sessionId, i) => {
        const label = labels.get(sessionId) || '(unnamed worker)';
        peaks.byWorker[label] = Math.max(peaks.byWorker[label] ?? 0, workers[i]!);
        peaks.worker = Math.max(peaks.worker, workers[i]!);
      });
      peaks.total = Math.max(peaks.total, main! + workers.reduce((a, b) => a + b, 0));
      peaks.samples++;
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  void page;
  return {
    stop: async () => {
      running = false;
      await loop;
      browserSession.off('Target.receivedMessageFromTarget', onMessage);
      for (const sessionId of attached.values()) await browserSession.send('Target.detachFromTarget', { sessionId }).catch(() => undefined);
      return peaks;
    },
  };
}

const mb = (n: number) => Math.round((n / 1024 / 1024) * 10) / 10;

export async function main(argv: string[]): Promise<number> {
  const args = parseArgs(argv);
  const load = loadavg()[0] ?? 0;
  console.log(`generating ${args.rows.toLocaleString('en')} rows for ${args.model}…`);
  const csv = await generateCsv(args.model, args.rows);
  const fileBytes = statSync(csv).size;
  console.log(`${csv}: ${mb(fileBytes)} MB`);

  const server = await createServer({
    configFile: false,
    root: ROOT,
    publicDir: resolve(ROOT, 'public'),
    logLevel: 'warn',
    clearScreen: false,
    appType: 'mpa',
    server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    plugins: [mlPredict()],
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('the benchmark server did not listen on a TCP port');
  const origin = `http://127.0.0.1:${address.port}`;
  const launched = await launch('default');
  const runs: Array<BatchRun & { rowsPerSec: number; heap: HeapPeaks }> = [];
  try {
    const order = Array.from({ length: args.reps }, (_, rep) => (rep % 2 ? [...args.workers].reverse() : args.workers)).flat();
    for (const workers of order) {
      const page = await launched.context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(`${origin}/bench/batch-page.html`);
      await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
      const loaded = await page.evaluate(([m, t]) => window.batchBench.load(m as string, t as number | undefined), [args.model, args.threads] as const);
      console.log(`model ${loaded.name} ${loaded.version}: ${loaded.threads} wasm thread(s)`);
      await page.setInputFiles('#csv', csv);
      const session = await launched.context.newCDPSession(page);
      await session.send('HeapProfiler.collectGarbage');
      const sampler = sampleHeaps(page, session, launched.cdp);
      const run = await page.evaluate(([w, b]) => window.batchBench.run(w!, b!), [workers, args.batch]);
      const heap = await sampler.stop();
      await session.detach();
      await page.close();
      if (errors.length) throw new Error(`the page reported: ${errors.join('; ')}`);
      if (run.rows !== args.rows) throw new Error(`the job committed ${run.rows} rows, expected ${args.rows}`);
      const rowsPerSec = Math.round(run.rows / (run.runMs / 1000));
      runs.push({ ...run, rowsPerSec, heap });
      console.log(
        `${workers} worker(s): ${rowsPerSec.toLocaleString('en')} rows/s (${Math.round(run.runMs)} ms); store ${Math.round(run.storeMs)} ms; ` +
          `download ${Math.round(run.exportMs)} ms (${mb(run.exportBytes)} MB); summary ${Math.round(run.summaryMs)} ms; ` +
          `peak JS heap: main ${mb(heap.main)} MB, largest worker ${mb(heap.worker)} MB, all ${mb(heap.total)} MB (${heap.workersSeen} workers seen: ${Object.entries(heap.byWorker).map(([k, v]) => `${k} ${mb(v)} MB`).join(', ')})`,
      );
    }
  } finally {
    await launched.browser.close();
    await server.close();
  }

  const median = (xs: number[]) => {
    const v = [...xs].sort((a, b) => a - b);
    return v.length % 2 ? v[(v.length - 1) / 2]! : (v[v.length / 2 - 1]! + v[v.length / 2]!) / 2;
  };
  const byWorkers = args.workers.map((w) => {
    const rs = runs.filter((r) => r.workers === w);
    const byScript: Record<string, number> = {};
    for (const r of rs) for (const [k, v] of Object.entries(r.heap.byWorker)) byScript[k] = Math.max(byScript[k] ?? 0, v);
    return {
      workers: w,
      rowsPerSec: Math.round(median(rs.map((r) => r.rowsPerSec))),
      rowsPerSecRuns: rs.map((r) => r.rowsPerSec),
      runMs: Math.round(median(rs.map((r) => r.runMs))),
      storeFileMs: Math.round(median(rs.map((r) => r.storeMs))),
      downloadMs: Math.round(median(rs.map((r) => r.exportMs))),
      downloadBytes: rs[0]!.exportBytes,
      summaryMs: Math.round(median(rs.map((r) => r.summaryMs))),
      chunks: rs[0]!.chunks,
      peakHeapBytes: {
        main: Math.max(...rs.map((r) => r.heap.main)),
        largestWorker: Math.max(...rs.map((r) => r.heap.worker)),
        allThreads: Math.max(...rs.map((r) => r.heap.total)),
      },
      peakHeapBytesByWorkerScript: byScript,
    };
  });
  const report = {
    case: 'CSV batch job',
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpu: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30), loadAverage: { start: load, end: loadavg()[0] ?? 0 } },
    browser: { version: launched.version, args: launched.args },
    input: {
      model: args.model,
      rows: args.rows,
      bytes: fileBytes,
      batchSize: args.batch,
      repetitions: args.reps,
      generator: 'bench/batch.ts generateCsv (mulberry32 seed 7, card feature ranges, 2 decimals)',
    },
    runs: byWorkers,
    notes: [
      'rows/s: rows committed (predicted and stored in IndexedDB) per second of the job run, from job.start() to done (median of the repetitions); the input file was stored with the job before (storeFileMs).',
      'Peak JS heap: DevTools Runtime.getHeapUsage sampled every 100 ms on the page and on every worker (batch worker, runtime workers), the largest over the repetitions; it includes garbage not yet collected. WebAssembly memory is not JS heap and is not counted.',
      "Sessions: a large job predicts on one-wasm-thread runtime workers (the model's own session runs 'auto' threads and is not used for it); 1 worker = one such worker next to the CSV worker.",
    ],
  };
  mkdirSync(args.out, { recursive: true });
  writeFileSync(join(args.out, 'batch.json'), JSON.stringify(report, null, 2) + '\n');
  const md = [
    `# CSV batch job: ${args.rows.toLocaleString('en')} rows (${args.model}, ${mb(fileBytes)} MB)`,
    '',
    `${report.date}, ${report.machine.cpus} cores (load average ${load.toFixed(1)} at the start, ${report.machine.loadAverage.end.toFixed(1)} at the end), Chromium ${launched.version}, chunks of ${args.batch} rows, median of ${args.reps} runs.`,
    '',
    '| workers | rows/s (median) | runs | run | store file | download CSV | summary | peak heap: main | largest worker | all threads |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...byWorkers.map(
      (r) =>
        `| ${r.workers} | ${r.rowsPerSec.toLocaleString('en')} | ${r.rowsPerSecRuns.map((x) => x.toLocaleString('en')).join(', ')} | ${(r.runMs / 1000).toFixed(1)} s | ${(r.storeFileMs / 1000).toFixed(2)} s | ${(r.downloadMs / 1000).toFixed(1)} s (${mb(r.downloadBytes)} MB) | ${(r.summaryMs / 1000).toFixed(1)} s | ${mb(r.peakHeapBytes.main)} MB | ${mb(r.peakHeapBytes.largestWorker)} MB | ${mb(r.peakHeapBytes.allThreads)} MB |`,
    ),
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
  writeFileSync(join(args.out, 'batch.md'), md);
  console.log(`wrote ${join(args.out, 'batch.json')} and batch.md`);
  return 0;
}
