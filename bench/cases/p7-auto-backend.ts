/**
 * P7 `backend: 'auto'` vs the best fixed backend for each model, in the WebGPU-enabled launch
 * (headless Chromium with --enable-unsafe-webgpu: WebGPU through SwiftShader, on the CPU).
 * 'auto' and wasm run in alternating rounds, in turns: CYCLES times, for each model in rotation,
 * a fresh pair of CPU sessions. WebGPU runs on its own (emulated on the CPU, it would slow the
 * session that ran next), in GpuTurns: one session per model, timed after each of those CPU
 * turns and, in a full run of several cases, also before the first case and after every other.
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import { medium, modelUrl, SILERO, TINY, type BenchModel } from '../models.js';
import { addRounds, alternate, describeRounds, type RoundStats, type TimedRunner } from '../sampling.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

/** Turns kept per model in a full run: a fresh pair of CPU sessions, then a WebGPU turn. */
const CYCLES = 4;
/** Turns of CPU sessions before them, timed and not kept (a full run). */
const WARMUP_TURNS = 1;
/** How long each WebGPU session warms up before its first turn (ms). */
const GPU_WARMUP_MS = 1_500;

type Backend = 'auto' | 'wasm' | 'webgpu';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

// Silero VAD stands for the third-party models ≥ 1 MB ('auto' treats PaddleOCR the same way, and on
// SwiftShader one PaddleOCR run takes seconds).
const modelsOf = (ctx: Ctx): BenchModel[] => (ctx.quick ? [TINY, SILERO] : [TINY, medium(256), SILERO]);

interface GpuTurn {
  /** When it ran, e.g. "after P2" or "P7 turn 3". */
  when: string;
  p50: number;
  times: number[];
  rounds: RoundStats;
}

/**
 * The WebGPU sessions of P7, one per model, on a page of their own, timed in turns spread over the
 * whole run. SwiftShader runs digits ×256 at one of two speeds, about 56–60 or 72–80 ms a call,
 * and stays at one for tens of seconds (on an idle machine, 5 minutes of 1-s samples 5 s apart
 * were slow for 4 stretches of ~20 s; in one launch it was slow for all of a minute). With all
 * its turns inside P7's minute, a run saw one or two of those stretches, and the WebGPU rows'
 * ratios moved 15–24 % between runs; across the run's ~9 minutes it sees many.
 */
export class GpuTurns {
  readonly turns = new Map<string, GpuTurn[]>();
  readonly notes: string[] = [];
  /** Rounds measured again because the host stole CPU time: at most 10 s over all turns. */
  private readonly retry = { ms: 10_000 };
  /** Time spent opening the sessions and in turns so far (ms). */
  spentMs = 0;
  private constructor(
    private readonly ctx: Ctx,
    private readonly page: BenchPage,
    readonly adapter: string,
    private readonly models: BenchModel[],
  ) {}

  /** Opens the page and a WebGPU session per model that WebGPU can run; each warms up and runs a first turn, not kept. */
  static async open(ctx: Ctx): Promise<GpuTurns> {
    const started = Date.now();
    const { context } = await ctx.webgpu();
    const page = await openBenchPage(context, ctx.origin);
    const adapter = await page.call('gpuAdapter');
    const opened: BenchModel[] = [];
    const gpu = new GpuTurns(ctx, page, adapter, opened);
    for (const model of modelsOf(ctx)) {
      try {
        const r = await page.call('open', model.short, { kind: 'ml-predict', url: modelUrl(ctx.origin, model.file), feeds: model.feeds, backend: 'webgpu' });
        ctx.log(`P7 ${model.label}: backend "webgpu" → ${r.backend}, load ${Math.round(r.loadMs)} ms`);
        opened.push(model);
        gpu.turns.set(model.short, []);
      } catch (e) {
        gpu.notes.push(`${model.label}: backend "webgpu" could not load the model: ${message(e)}`);
      }
    }
    // A new session's first call takes about 3 s on SwiftShader (its pipelines compiled; a second
    // session compiles them again), and for a second or two after that calls come in runs of
    // 90–170 ms among the 55–60 ms ones; the first turn after it still ran 1.2–1.7× slower
    // than the later ones. Both are left out.
    if (!ctx.quick) for (const model of opened) await gpu.time(model, GPU_WARMUP_MS);
    gpu.spentMs += Date.now() - started;
    return gpu;
  }

  /** One turn of every model's session, kept (ms per call, samples per turn). */
  async turn(when: string): Promise<void> {
    for (const model of this.models) await this.turnOf(model, when);
  }

  /** One kept turn of one model's session: its p50, or undefined when WebGPU could not load the model. */
  async turnOf(model: BenchModel, when: string): Promise<number | undefined> {
    const turns = this.turns.get(model.short);
    if (!turns) return undefined;
    const started = Date.now();
    const { times, rounds } = await this.time(model, 0);
    this.spentMs += Date.now() - started;
    const p50 = summarize(times).p50;
    turns.push({ when, p50, times, rounds });
    return p50;
  }

  private async time(model: BenchModel, warmupMs: number): Promise<{ times: number[]; rounds: RoundStats }> {
    const plan = this.ctx.quick
      ? { warmup: 1, rounds: 1, perRound: 1 }
      : { warmup: 3, warmupMs, rounds: 3, perRound: 'auto' as const, roundMs: 500, maxPerRound: 30, budgetMs: 1_500, retry: this.retry };
    const timed = await alternate([{ name: 'webgpu', page: this.page, id: model.short }], plan);
    return { times: timed.samples.get('webgpu')!, rounds: timed.rounds };
  }

  async close(): Promise<void> {
    await this.page.close();
  }
}

export async function p7(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const own = !ctx.gpuTurns;
  const gpu = ctx.gpuTurns ?? (await GpuTurns.open(ctx));
  notes.push(`WebGPU adapter of this launch: ${gpu.adapter}.`, ...gpu.notes);
  if (!own) notes.push(`Opening the WebGPU sessions and their turns before P7 took ${round(gpu.spentMs / 1000)} s, not counted in P7's time.`);
  const { context } = await ctx.webgpu();
  // The CPU sessions of all models live on one page (one runtime worker) and take their turns in
  // rotation, each model's followed by a turn of its WebGPU session.
  const page = await openBenchPage(context, ctx.origin);
  // Rounds measured again because the host stole CPU time: at most 10 s for the whole case.
  const retry = { ms: 10_000 };
  try {
    interface Turns {
      model: BenchModel;
      url: string;
      cpu: TimedRunner[];
      picked: Record<string, string>;
      samples: Map<string, number[]>;
      rounds: RoundStats[];
      perCycle: string[];
    }
    const idOf = (model: BenchModel, backend: Backend) => `${model.short}-${backend}`;
    const openCpu = (t: Turns, backend: Backend) => page.call('open', idOf(t.model, backend), { kind: 'ml-predict', url: t.url, feeds: t.model.feeds, backend });
    const all: Turns[] = [];
    for (const model of modelsOf(ctx)) {
      const t: Turns = { model, url: modelUrl(ctx.origin, model.file), cpu: [], picked: {}, samples: new Map([['auto', []], ['wasm', []]]), rounds: [], perCycle: [] };
      try {
        for (const backend of ['auto', 'wasm'] as const) {
          const r = await openCpu(t, backend);
          t.picked[backend] = r.backend;
          ctx.log(`P7 ${model.label}: backend "${backend}" → ${r.backend}, load ${Math.round(r.loadMs)} ms`);
          t.cpu.push({ name: backend, page, id: idOf(model, backend) });
        }
      } catch (e) {
        notes.push(`${model.label}: a CPU backend could not load the model: ${message(e)}`);
        continue;
      }
      all.push(t);
    }
    // Each model's turn: rounds of a fresh pair of CPU sessions, 'auto' and wasm alternating, then
    // a turn of its WebGPU session (on SwiftShader the GPU's work runs on the same 2 cores and
    // would slow whichever CPU session ran next).
    // The first turn is a warm-up, timed but not kept: in it wasm still ran 1.1–2.9× slower than
    // in the later turns (a new runtime worker, whose onnxruntime V8 still optimises in the
    // background).
    // Two sessions of the same CPU backend differ by up to ±15 % from session to session (where
    // onnxruntime placed their buffers, which one was created first), so the CPU pairs are
    // created in turn in either order, and the samples of all pairs pooled.
    // Each CPU sample is the mean of 5 calls: Silero's wasm p50 moved 19 % between runs with
    // single calls (a p95 five times the p50).
    const warmupTurns = ctx.quick ? 0 : WARMUP_TURNS;
    const cycles = ctx.quick ? 1 : CYCLES + warmupTurns;
    const cpuPlan = ctx.quick ? { warmup: 1, rounds: 1, perRound: 1 } : { warmup: 5, rounds: 8, perRound: 'auto' as const, roundMs: 300, maxPerRound: 150, budgetMs: 2_500, group: 5, retry };
    for (let cycle = 0; cycle < cycles; cycle++) {
      const kept = cycle >= warmupTurns;
      for (const t of all) {
        if (cycle > 0) for (const r of cycle % 2 ? [...t.cpu].reverse() : t.cpu) await openCpu(t, r.name as Backend);
        const timed = await alternate(t.cpu, cpuPlan);
        if (kept) for (const [name, times] of timed.samples) t.samples.get(name)!.push(...times);
        if (kept) t.rounds.push(timed.rounds);
        for (const r of t.cpu) await page.call('close', r.id);
        const onGpu = await gpu.turnOf(t.model, `P7 turn ${cycle + 1}`);
        const wasm = round(summarize(timed.samples.get('wasm')!).p50);
        t.perCycle.push(`${onGpu === undefined ? '–' : round(onGpu)} / ${wasm}${kept ? '' : ' (CPU warm-up, not kept)'}`);
      }
    }
    for (const t of all) {
      const { model, samples, picked } = t;
      notes.push(`${model.label}, 'auto' and wasm: ${describeRounds(addRounds(t.rounds))}, over ${t.rounds.length} kept pair(s) of fresh sessions${warmupTurns ? ' (a first pair before them warmed up the worker, not kept)' : ''}.`);
      const fixed = [{ name: 'wasm', s: summarize(samples.get('wasm')!), note: undefined as string | undefined }];
      const turns = gpu.turns.get(model.short);
      if (turns?.length) {
        // SwiftShader's two speeds make the pooled p50 jump between them when a run's turns are
        // about half at each; the mean of the turns' p50s moves with the share of slow turns.
        const s = summarize(turns.flatMap((x) => x.times));
        const p50 = turns.reduce((a, x) => a + x.p50, 0) / turns.length;
        fixed.push({ name: 'webgpu', s: { ...s, p50 }, note: `p50: the mean of ${turns.length} turn${turns.length === 1 ? '' : 's'}' p50s` });
        notes.push(
          `${model.label}, WebGPU: ${describeRounds(addRounds(turns.map((x) => x.rounds)))}, one session, timed in ${turns.length} turns spread over the run, after a warm-up and a first turn not kept (p50 per turn: ${turns.map((x) => `${x.when} ${round(x.p50)}`).join(', ')} ms; p50 of all samples pooled ${round(s.p50)} ms). In P7, WebGPU / that turn's wasm: ${t.perCycle.join(', ')} ms.`,
        );
      }
      const best = fixed.reduce((x, y) => (y.s.p50 < x.s.p50 ? y : x));
      const auto = summarize(samples.get('auto')!);
      for (const r of [{ name: 'auto', s: auto, note: undefined }, ...fixed]) {
        rows.push({
          group: model.label,
          short: model.short,
          variant: r.name === 'auto' ? `backend: 'auto' (picked ${picked.auto})` : `backend: '${r.name}'${r.name === best.name ? ' (best fixed)' : ''}`,
          unit: 'ms',
          p50: round(r.s.p50),
          p95: round(r.s.p95),
          n: r.s.n,
          ratio: round(r.s.p50 / best.s.p50),
          vs: `backend: '${best.name}' (best fixed)`,
          ...(r.note ? { note: r.note } : {}),
        });
      }
      const ratio = auto.p50 / best.s.p50;
      const same = fixed.find((f) => f.name === picked.auto);
      targets.push({
        case: 'P7',
        target: `'auto' ≤ 1.1× the best fixed backend: ${model.label.split(',')[0]}`,
        measured: `${round(ratio)}× (auto picked ${picked.auto}: ${round(auto.p50)} ms; best fixed ${best.name}: ${round(best.s.p50)} ms)`,
        met: ratio <= 1.1,
        reason:
          ratio > 1.1
            ? picked.auto !== best.name
              ? `'auto' chose ${picked.auto}, which runs this model ${same ? `${round(same.s.p50 / best.s.p50)}×` : 'much'} slower than ${best.name} here: the adapter is SwiftShader, WebGPU emulated on the CPU (${gpu.adapter}), and 'auto' puts WebGPU first for any model ≥ 1 MB without ai.onnx.ml operators whenever an adapter exists, without looking at what the adapter is`
              : `'auto' chose the best backend (${best.name}); the difference is between two sessions of the same backend (noise, p95 ${round(auto.p95)} vs ${round(best.s.p95)} ms)`
            : undefined,
      });
    }
  } finally {
    await page.close();
    if (own) await gpu.close();
  }
  return { id: 'P7', title: "backend: 'auto' vs the best fixed backend (WebGPU launch, SwiftShader)", rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
