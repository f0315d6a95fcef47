/**
 * WebGPU sessions timed in turns spread over the whole run (P7's WebGPU rows). SwiftShader, the
 * WebGPU of the headless launch, runs a model at one of two speeds (digits ×256: about 56–60 or
 * 72–80 ms a call) and stays at one for tens of seconds, so turns that all fall inside one
 * minute see one or two of those stretches; turns spread over the run's minutes see many. The
 * run schedule (run.ts) times a turn before the first case and after every case before the one
 * that owns the sessions; that case times one after each of its own CPU turns.
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import { modelUrl, type BenchModel } from '../models.js';
import { summarize } from '../stats.js';
import type { Ctx } from '../types.js';
import { alternate, type RoundStats } from './rounds.js';

/** How long each WebGPU session warms up before its first kept turn (ms). */
const GPU_WARMUP_MS = 1_500;

export interface GpuTurn {
  /** When it ran, e.g. "after P2" or "P7 turn 3". */
  when: string;
  p50: number;
  times: number[];
  rounds: RoundStats;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 300);

export class GpuTurns {
  /** The kept turns, by model (`BenchModel.short`). */
  readonly turns = new Map<string, GpuTurn[]>();
  /** Models WebGPU could not load, in words. */
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

  /**
   * Opens a page of the WebGPU launch and a `backend: 'webgpu'` session per model it can load.
   * In a full run each session then warms up for 1.5 s and runs a turn that is not kept: a new
   * session's first call compiles its pipelines (~3 s on SwiftShader), and the calls of the
   * next second or two are still slower.
   */
  static async open(ctx: Ctx, models: BenchModel[]): Promise<GpuTurns> {
    const started = Date.now();
    const { context } = await ctx.webgpu();
    const page = await openBenchPage(context, ctx.origin);
    const adapter = await page.call('gpuAdapter');
    const opened: BenchModel[] = [];
    const gpu = new GpuTurns(ctx, page, adapter, opened);
    for (const model of models) {
      try {
        const r = await page.call('open', model.short, { kind: 'ml-predict', url: modelUrl(ctx.origin, model.file), feeds: model.feeds, backend: 'webgpu' });
        ctx.log(`P7 ${model.label}: backend "webgpu" → ${r.backend}, load ${Math.round(r.loadMs)} ms`);
        opened.push(model);
        gpu.turns.set(model.short, []);
      } catch (e) {
        gpu.notes.push(`${model.label}: backend "webgpu" could not load the model: ${message(e)}`);
      }
    }
    if (!ctx.quick) for (const model of opened) await gpu.time(model, GPU_WARMUP_MS);
    gpu.spentMs += Date.now() - started;
    return gpu;
  }

  /** One kept turn of every model's session. */
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

  /** A turn of ~1.5 s: 3 rounds of about 0.5 s each (quick: one call), after `warmupMs` of warm-up calls. */
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
