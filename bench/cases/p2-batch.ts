/**
 * P2 batch throughput on 100,000 rows of the house-price model (gradient-boosted trees, 150
 * trees, 12 features): `model.predictBatch(rows, { workers })` with a pool of 1 and of 2 workers
 * vs one big `session.run` of onnxruntime-web on the main thread. Timed from the call to the
 * outputs (predictBatch converts the rows, starts the extra workers and ends them in that
 * time; the raw call builds its one tensor in it). The same variants with one wasm thread per
 * worker show what the pool adds when the workers do not share the cores with their own threads.
 */
import { cpus } from 'node:os';
import { openBenchPage } from '../browser.js';
import { modelUrl } from '../models.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';
import type { BatchSpec } from '../page/api.js';
import { treeEnsembleModel } from '../fixtures.js';
import { addFixture, modelBytes } from '../server.js';

const FILE = 'house-price-1.0.0.onnx';

interface Variant {
  name: string;
  variant: BatchSpec['variant'];
  threads?: number;
}

const RAW = 'onnxruntime-web, one session.run on the main thread';
const VARIANTS: Variant[] = [
  { name: RAW, variant: 'raw' },
  { name: 'predictBatch, 1 worker (threads auto)', variant: 1 },
  { name: 'predictBatch, 2 workers (threads auto)', variant: 2 },
  { name: 'predictBatch, 1 worker, 1 thread each', variant: 1, threads: 1 },
  { name: 'predictBatch, 2 workers, 1 thread each', variant: 2, threads: 1 },
];

interface BatchModel {
  label: string;
  short: string;
  /** The variants to run (the threads-per-worker ones only where the pool has enough work to show them). */
  variants: Variant[];
  file: string;
}

export async function p2(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const n = ctx.quick ? 2_000 : 100_000;
  const reps = ctx.quick ? 1 : 3;
  // Enough work per row that the job takes seconds: a pool's extra worker costs ~0.5 s to start.
  const trees = ctx.quick ? { trees: 10, depth: 4 } : { trees: 300, depth: 8 };
  const heavyFile = `trees-${trees.trees}x${trees.depth}.onnx`;
  addFixture(heavyFile, treeEnsembleModel(trees.trees, trees.depth, 12));
  const models: BatchModel[] = [
    { label: 'house-price GBM (150 trees of depth 3, 40 KB)', short: 'house-price GBM', file: FILE, variants: VARIANTS.slice(0, 3) },
    {
      label: `random forest fixture (${trees.trees} trees of depth ${trees.depth}, ${((modelBytes(heavyFile)?.length ?? 0) / 1e6).toFixed(1)} MB)`,
      short: `forest ${trees.trees}×${trees.depth}`,
      file: heavyFile,
      variants: VARIANTS,
    },
  ];
  const { context } = await ctx.browser();
  let missing: string | undefined;
  for (const model of models) {
    const url = modelUrl(ctx.origin, model.file);
    const samples = new Map<string, number[]>(model.variants.map((v) => [v.name, []]));
    const starts: number[] = [];
    for (let rep = 0; rep < reps && !missing; rep++) {
      const page = await openBenchPage(context, ctx.origin);
      try {
        // Rotate the order each repetition.
        for (let k = 0; k < model.variants.length; k++) {
          const v = model.variants[(rep + k) % model.variants.length]!;
          const r = await page.call('batch', { url, columns: 12, rows: n, variant: v.variant, input: 'features', threads: v.threads });
          if (r.error) {
            missing = r.error;
            break;
          }
          samples.get(v.name)!.push(r.ms);
          ctx.log(`P2 ${model.file} ${v.name}: ${Math.round(r.ms)} ms`);
        }
        // Profiling: what each extra worker of the pool costs before it can take a chunk.
        if (!missing) starts.push(await page.call('extraWorkerStart', url));
      } finally {
        await page.close();
      }
    }
    if (missing) break;
    const rawP50 = summarize(samples.get(RAW)!).p50;
    for (const v of model.variants) {
      const s = summarize(samples.get(v.name)!);
      rows.push({
        group: `${n.toLocaleString('en')} rows × 12 features: ${model.label}`,
        short: `${model.short}, ${n.toLocaleString('en')} rows`,
        variant: v.name,
        unit: 'ms',
        p50: round(s.p50),
        p95: round(s.p95),
        n: s.n,
        ratio: round(s.p50 / rawP50),
        vs: RAW,
        note: `${Math.round(n / (s.p50 / 1000)).toLocaleString('en')} rows/s`,
      });
    }
    const start = summarize(starts);
    rows.push({
      group: `${n.toLocaleString('en')} rows × 12 features: ${model.label}`,
      variant: 'start one more runtime worker and load the model in it (profiling: what the pool pays per extra worker)',
      unit: 'ms',
      p50: round(start.p50),
      p95: round(start.p95),
      n: start.n,
    });
    const p50 = (i: number) => summarize(samples.get(VARIANTS[i]!.name) ?? []).p50;
    const [one, two, oneT1, twoT1] = [p50(1), p50(2), p50(3), p50(4)];
    const perThread = Number.isFinite(oneT1) ? `; with 1 wasm thread per worker: ${round(oneT1 / twoT1)}×` : '';
    const speedup = one / two;
    targets.push({
      case: 'P2',
      target: `2 workers ≥ 1.8× the throughput of 1 worker: ${model.label.split(' (')[0]}`,
      measured: `${round(speedup)}× (1 worker ${round(one)} ms, 2 workers ${round(two)} ms${perThread})`,
      met: speedup >= 1.8,
      reason:
        speedup < 1.8
          ? `the second worker must start and load the model first (${round(start.p50)} ms at p50, measured alone) while the first works through the rows (${round(one)} ms in all), so it ${start.p50 >= one ? 'is not ready before the job ends' : `takes chunks only for the last ${round(one - start.p50)} ms`}, and its start (wasm compile, session create) takes CPU from the first; with the default threads each worker already runs ${Math.min(4, cpus().length)} wasm threads on the ${cpus().length} cores, so two workers share the same cores${Number.isFinite(oneT1) ? ` (with 1 wasm thread per worker, 2 workers do ${round(oneT1 / twoT1)}× the throughput of 1)` : ''}`
          : undefined,
    });
  }
  if (missing) {
    notes.push(`Not measured: ${missing}.`);
    targets.push({ case: 'P2', target: '2 workers ≥ 1.8× the throughput of 1 worker', measured: 'not measured', met: null, reason: missing });
  }
  return { id: 'P2', title: 'Batch throughput', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
