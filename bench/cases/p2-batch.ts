/**
 * P2 batch throughput on 100,000 rows: `model.predictBatch(rows, { workers })` with a pool of 1
 * and of 2 sessions vs one big `session.run` of onnxruntime-web on the main thread (the
 * baseline), for the house-price model (gradient-boosted trees, 150 × depth 3) and a random-forest
 * fixture (300 × depth 8). Each fresh page loads one model and times rounds of one batch per
 * variant, in an order rotated from round to round and page to page (the page's `batch`). Timed
 * from the call to the outputs (predictBatch converts the rows in that time; the raw call builds
 * its one tensor in it). Batch 1 starts the pool's extra worker, which later batches find kept
 * (`keepWorkers`); the targets read batches 4 and after. Where 'auto' is more than 1 wasm thread
 * (over 2 cores), the model is also timed loaded with `threads: 1`.
 */
import { cpus } from 'node:os';
import { openBenchPage } from '../browser.js';
import { modelUrl } from '../models.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';
import type { BatchProfile, BatchSpec } from '../page/api.js';
import { profileRows, serialReason } from './p2-profile.js';
import { treeEnsembleModel } from '../fixtures.js';
import { addFixture, modelBytes } from '../server.js';
import { resolveThreads } from '../../lib/backend/select.js';

const FILE = 'house-price-1.0.0.onnx';
const BATCHES = 6;
/** The house-price batches take ~0.3 s: more of them, so that its steady p50 rests on more samples. */
const HOUSE_BATCHES = 10;
/** Pages (fresh pools) per model. */
const PAGES = 3;
const HOUSE_PAGES = 5;

interface Variant {
  name: string;
  variant: BatchSpec['variants'][number];
  threads: number | 'auto';
}

const RAW = 'onnxruntime-web, one session.run on the main thread';
const ONE = 'predictBatch, 1 worker (threads auto)';
const TWO = 'predictBatch, 2 workers (threads auto)';
const ONE_T1 = 'predictBatch, 1 worker, 1 thread';
const TWO_T1 = 'predictBatch, 2 workers, 1 thread each';
/** The variants on a machine with `cores` cores (the bench pages are cross-origin isolated). */
function variantsFor(cores: number): Variant[] {
  const list: Variant[] = [
    { name: RAW, variant: 'raw', threads: 'auto' },
    { name: ONE, variant: 1, threads: 'auto' },
    { name: TWO, variant: 2, threads: 'auto' },
  ];
  if (resolveThreads('auto', { isolated: true, sharedMemory: true, cores }).threads > 1) list.push({ name: ONE_T1, variant: 1, threads: 1 }, { name: TWO_T1, variant: 2, threads: 1 });
  return list;
}
/** Batches of one variant, by where the pool is: [label, first index, end index). */
type Phase = [string, number, number];
const PHASES: Phase[] = [
  ['batch 1 (extra workers start in it)', 0, 1],
  ['batches 2–3 (extra workers kept, a few chunks old)', 1, 3],
  ['batches 4 and after (steady)', 3, Infinity],
];

export async function p2(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const n = ctx.quick ? 2_000 : 100_000;
  const trees = ctx.quick ? { trees: 10, depth: 4 } : { trees: 300, depth: 8 };
  const heavyFile = `trees-${trees.trees}x${trees.depth}.onnx`;
  addFixture(heavyFile, treeEnsembleModel(trees.trees, trees.depth, 12));
  const mb = ((modelBytes(heavyFile)?.length ?? 0) / 1e6).toFixed(1);
  // Batch 1 is one sample per page: 5 pages for house-price's batches of ~0.2 s, 3 for the forest's of 1–1.5 s;
  // profiling calls per worker count after the timed batches: 3 for house-price, 1 for the forest.
  const models = [
    { label: 'house-price GBM (150 trees of depth 3, 40 KB)', short: 'house-price GBM', file: FILE, pages: HOUSE_PAGES, batches: HOUSE_BATCHES, profile: 3 },
    { label: `random forest fixture (${trees.trees} trees of depth ${trees.depth}, ${mb} MB)`, short: `forest ${trees.trees}×${trees.depth}`, file: heavyFile, pages: PAGES, batches: BATCHES, profile: 1 },
  ].map((m) => (ctx.quick ? { ...m, pages: 1, batches: 2, profile: 1 } : m));
  const { context } = await ctx.browser();
  let missing: string | undefined;
  const cores = cpus().length;
  const variants = variantsFor(cores);
  for (const model of models) {
    const url = modelUrl(ctx.origin, model.file);
    const { batches } = model;
    // Per variant and batch index, every page's time: how the pool settles from batch to batch.
    const byBatch = new Map<string, number[][]>(variants.map((v) => [v.name, Array.from({ length: batches }, () => [])]));
    const starts: number[] = [];
    const profiles: BatchProfile[] = [];
    for (let rep = 0; rep < model.pages && !missing; rep++) {
      const page = await openBenchPage(context, ctx.origin);
      try {
        // Per thread setting, one loaded model (and one raw session) for all its variants, one
        // batch of each per round, in an order rotated from round to round and page to page.
        for (const threads of [...new Set(variants.map((v) => v.threads))]) {
          const group = variants.filter((v) => v.threads === threads);
          const r = await page.call('batch', { url, columns: 12, rows: n, variants: group.map((v) => v.variant), input: 'features', threads, batches, rotate: rep, profile: threads === 'auto' ? model.profile : 0 });
          if (r.profile) profiles.push(r.profile);
          if (r.error) {
            missing = r.error;
            break;
          }
          group.forEach((v, i) => {
            r.all[i]!.forEach((ms, b) => byBatch.get(v.name)![b]?.push(ms));
            ctx.log(`P2 ${model.file} ${v.name}: ${r.all[i]!.map((ms) => Math.round(ms)).join(', ')} ms`);
          });
        }
        if (!missing) starts.push(await page.call('extraWorkerStart', url));
      } finally {
        await page.close();
      }
    }
    if (missing) break;
    const group = `${n.toLocaleString('en')} rows × 12 features: ${model.label}`;
    const phases = PHASES.filter(([, from]) => from < batches);
    const steady = phases.at(-1)!;
    const first = phases[0]!;
    const p50 = (name: string, [, from, to]: Phase) => summarize(byBatch.get(name)!.slice(from, to).flat()).p50;
    const rawP50 = p50(RAW, ['', 0, batches]);
    for (const v of variants) {
      for (const phase of v.name === RAW ? [['', 0, batches] as Phase] : phases) {
        const s = summarize(byBatch.get(v.name)!.slice(phase[1], phase[2]).flat());
        // Batches 2–3 are a transition (workers a few chunks old): shown, not compared.
        const transition = phase[0] === PHASES[1]![0] && phases.length > 2;
        const variant = phase[0] ? `${v.name}: ${phase[0]}${transition ? ' (profiling)' : ''}` : v.name;
        rows.push({ group, short: `${model.short}, ${n.toLocaleString('en')} rows`, variant, unit: 'ms', p50: round(s.p50), p95: round(s.p95), n: s.n, ratio: transition ? undefined : round(s.p50 / rawP50), vs: transition ? undefined : RAW, note: `${Math.round(n / (s.p50 / 1000)).toLocaleString('en')} rows/s` });
      }
    }
    rows.push(...profileRows(group, n, starts, profiles));
    // "2 workers, 1 thread each, p50 by batch: 1: 2228 ms, 2: 1725 ms, …": how the pool settles after its extra workers start.
    const trend = (name: string) => `${name.replace('predictBatch, ', '')}, p50 by batch: ${byBatch.get(name)!.map((t, b) => `${b + 1}: ${round(summarize(t).p50)} ms`).join(', ')}`;
    const steadyText = `in batches ${steady[1] + 1}–${Math.min(batches, steady[2])}`;
    // One target per thread setting timed: what a second session adds to the throughput.
    const autoThreads = resolveThreads('auto', { isolated: true, sharedMemory: true, cores }).threads;
    const settings: Array<[string, string, string]> = [[autoThreads === 1 ? `threads 'auto' (1 wasm thread per session on ${cores} cores)` : `threads 'auto' (${autoThreads} wasm threads)`, ONE, TWO]];
    if (variants.some((v) => v.name === ONE_T1)) settings.push(['one wasm thread per session', ONE_T1, TWO_T1]);
    for (const [setting, one, two] of settings) {
      const scale = p50(one, steady) / p50(two, steady);
      // With more threads than the pool's share, the model's own session steps aside for one-thread workers.
      const shared = one === ONE && autoThreads > 1 ? `; with threads 'auto' one session already runs ${autoThreads} wasm threads on the ${cores} cores, so a second session finds no free core (1 thread: ${round(p50(ONE_T1, steady))} ms)` : '';
      targets.push({
        case: 'P2',
        target: `2 workers ≥ 1.8× the throughput of 1 worker: ${model.label.split(' (')[0]}, ${setting}`,
        // Three decimals where three digits would read as the target itself (1.797 → "1.8×", missed).
        measured: `${Math.abs(round(scale) - 1.8) < 1e-9 ? scale.toFixed(3) : round(scale)}× ${steadyText} (1 worker ${round(p50(one, steady))} ms, 2 workers ${round(p50(two, steady))} ms); batch 1, the second worker starting in it: ${round(p50(one, first) / p50(two, first))}×; ${trend(two)}`,
        met: scale >= 1.8,
        reason: scale < 1.8 ? `${trend(one)}; ${serialReason(profiles, p50(one, steady), p50(two, steady))}${shared}` : undefined,
      });
    }
  }
  if (missing) {
    notes.push(`Not measured: ${missing}.`);
    targets.push({ case: 'P2', target: '2 workers ≥ 1.8× the throughput of 1 worker', measured: 'not measured', met: null, reason: missing });
  }
  notes.push(
    `Each variant ran ${ctx.quick ? 2 : `${BATCHES} batches (house-price: ${HOUSE_BATCHES})`} on one loaded model per page, one batch of each variant per round in a rotated order, on ${ctx.quick ? 1 : `${PAGES} pages (house-price: ${HOUSE_PAGES})`}. In batch 1 the pool's extra workers start (a worker, onnxruntime instantiated from the .wasm the model's worker compiled, a session); predictBatch keeps them for the next batch (\`keepWorkers\`, 10 s by default); the throughput targets are read on batches 4 and after, once every worker has run a few batches. The raw baseline's p50 is over all its calls.`,
  );
  return { id: 'P2', title: 'Batch throughput', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
