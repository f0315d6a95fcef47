/**
 * P7 `backend: 'auto'` vs the best fixed backend for each model, in the WebGPU-enabled launch
 * (headless Chromium with --enable-unsafe-webgpu: WebGPU through SwiftShader, on the CPU).
 * CPU: 'auto' and wasm sessions of every model on one page, timed in turns of a fresh pair per
 * model, 'auto' and wasm alternating. WebGPU: one session per model on a page of its own
 * (harness GpuTurns), timed after each of the model's CPU turns and, in a full run of several
 * cases, before the first case and after every other. The WebGPU p50 is the mean of its turns'.
 */
import { openBenchPage } from '../browser.js';
import { medium, modelUrl, SILERO, TINY, type BenchModel } from '../models.js';
import { addRounds, describeRounds, GpuTurns, measure, rotated, type Subject, type TimedRunner } from '../harness/index.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

/** Turns kept per model in a full run (a fresh pair of CPU sessions each, then a WebGPU turn). */
const CYCLES = 4;
/** Turns of CPU sessions before them, timed and not kept (a full run): a new runtime worker is still being optimised. */
const WARMUP_TURNS = 1;

type Backend = 'auto' | 'wasm';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

// Silero VAD stands for the third-party models ≥ 1 MB ('auto' treats PaddleOCR the same way, and on
// SwiftShader one PaddleOCR run takes seconds).
const modelsOf = (ctx: Ctx): BenchModel[] => (ctx.quick ? [TINY, SILERO] : [TINY, medium(256), SILERO]);

/** P7's WebGPU sessions, for the run schedule to time in turns spread over the run. */
export const p7GpuTurns = (ctx: Ctx): Promise<GpuTurns> => GpuTurns.open(ctx, modelsOf(ctx));

export async function p7(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const own = !ctx.gpuTurns;
  const gpu = ctx.gpuTurns ?? (await p7GpuTurns(ctx));
  notes.push(`WebGPU adapter of this launch: ${gpu.adapter}.`, ...gpu.notes);
  if (!own) notes.push(`Opening the WebGPU sessions and their turns before P7 took ${round(gpu.spentMs / 1000)} s, not counted in P7's time.`);
  const { context } = await ctx.webgpu();
  const page = await openBenchPage(context, ctx.origin);
  try {
    const open = (model: BenchModel, backend: Backend) => page.call('open', `${model.short}-${backend}`, { kind: 'ml-predict', url: modelUrl(ctx.origin, model.file), feeds: model.feeds, backend });
    const all: Array<{ model: BenchModel; picked: Record<string, string>; perTurn: string[] }> = [];
    for (const model of modelsOf(ctx)) {
      const picked: Record<string, string> = {};
      try {
        for (const backend of ['auto', 'wasm'] as const) {
          const r = await open(model, backend);
          picked[backend] = r.backend;
          ctx.log(`P7 ${model.label}: backend "${backend}" → ${r.backend}, load ${Math.round(r.loadMs)} ms`);
        }
      } catch (e) {
        notes.push(`${model.label}: a CPU backend could not load the model: ${message(e)}`);
        continue;
      }
      all.push({ model, picked, perTurn: [] });
    }
    const warmupTurns = ctx.quick ? 0 : WARMUP_TURNS;
    // Each CPU sample is the mean of 5 calls.
    const plan = ctx.quick ? { warmup: 1, rounds: 1, perRound: 1 } : { warmup: 5, rounds: 8, perRound: 'auto' as const, roundMs: 300, maxPerRound: 150, budgetMs: 2_500, group: 5 };
    const subject = ({ model, perTurn }: (typeof all)[number]): Subject => ({
      label: `P7 ${model.short}`,
      plan,
      turns: ctx.quick ? 1 : CYCLES + warmupTurns,
      warmupTurns,
      async open(turn) {
        const runners: TimedRunner[] = (['auto', 'wasm'] as const).map((name) => ({ name, page, id: `${model.short}-${name}` }));
        // A fresh pair per turn after the first, created in either order from turn to turn.
        if (turn > 0) for (const r of rotated(runners, turn)) await open(model, r.name as Backend);
        return {
          runners,
          close: async () => {
            for (const r of runners) await page.call('close', r.id);
          },
          // The WebGPU turn runs on the same cores: after the CPU pair, never during it.
          async after(result) {
            const onGpu = await gpu.turnOf(model, `P7 turn ${turn + 1}`);
            perTurn.push(`${onGpu === undefined ? '–' : round(onGpu)} / ${round(result.p50('wasm'))}${result.kept ? '' : ' (CPU warm-up, not kept)'}`);
          },
        };
      },
    });
    const measured = await measure({ subjects: all.map(subject), retryMs: 10_000, log: ctx.log });
    for (const [i, { model, picked, perTurn }] of all.entries()) {
      const { samples, note } = measured[i]!;
      const kept = measured[i]!.turns.filter((t) => t.kept).length;
      notes.push(`${model.label}, 'auto' and wasm: ${note}, over ${kept} kept pair(s) of fresh sessions${warmupTurns ? ' (a first pair before them warmed up the worker, not kept)' : ''}.`);
      const fixed = [{ name: 'wasm', s: summarize(samples.get('wasm')!), note: undefined as string | undefined }];
      const turns = gpu.turns.get(model.short);
      if (turns?.length) {
        const s = summarize(turns.flatMap((x) => x.times));
        const p50 = turns.reduce((a, x) => a + x.p50, 0) / turns.length;
        fixed.push({ name: 'webgpu', s: { ...s, p50 }, note: `p50: the mean of ${turns.length} turn${turns.length === 1 ? '' : 's'}' p50s` });
        notes.push(
          `${model.label}, WebGPU: ${describeRounds(addRounds(turns.map((x) => x.rounds)))}, one session, timed in ${turns.length} turns spread over the run, after a warm-up and a first turn not kept (p50 per turn: ${turns.map((x) => `${x.when} ${round(x.p50)}`).join(', ')} ms; p50 of all samples pooled ${round(s.p50)} ms). In P7, WebGPU / that turn's wasm: ${perTurn.join(', ')} ms.`,
        );
      }
      const best = fixed.reduce((x, y) => (y.s.p50 < x.s.p50 ? y : x));
      const auto = summarize(samples.get('auto')!);
      for (const r of [{ name: 'auto', s: auto, note: undefined }, ...fixed]) {
        const variant = r.name === 'auto' ? `backend: 'auto' (picked ${picked.auto})` : `backend: '${r.name}'${r.name === best.name ? ' (best fixed)' : ''}`;
        rows.push({ group: model.label, short: model.short, variant, unit: 'ms', p50: round(r.s.p50), p95: round(r.s.p95), n: r.s.n, ratio: round(r.s.p50 / best.s.p50), vs: `backend: '${best.name}' (best fixed)`, ...(r.note ? { note: r.note } : {}) });
      }
      const ratio = auto.p50 / best.s.p50;
      const same = fixed.find((f) => f.name === picked.auto);
      const reason =
        picked.auto !== best.name
          ? `'auto' chose ${picked.auto}, which runs this model ${same ? `${round(same.s.p50 / best.s.p50)}×` : 'much'} slower than ${best.name} here: the adapter is SwiftShader, WebGPU emulated on the CPU (${gpu.adapter}), and 'auto' puts WebGPU first for any model ≥ 1 MB without ai.onnx.ml operators whenever an adapter exists, without looking at what the adapter is`
          : `'auto' chose the best backend (${best.name}); the difference is between two sessions of the same backend (noise, p95 ${round(auto.p95)} vs ${round(best.s.p95)} ms)`;
      targets.push({
        case: 'P7',
        target: `'auto' ≤ 1.1× the best fixed backend: ${model.label.split(',')[0]}`,
        measured: `${round(ratio)}× (auto picked ${picked.auto}: ${round(auto.p50)} ms; best fixed ${best.name}: ${round(best.s.p50)} ms)`,
        met: ratio <= 1.1,
        reason: ratio > 1.1 ? reason : undefined,
      });
    }
  } finally {
    await page.close();
    if (own) await gpu.close();
  }
  return { id: 'P7', title: "backend: 'auto' vs the best fixed backend (WebGPU launch, SwiftShader)", rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
