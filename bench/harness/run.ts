/**
 * The run schedule around the cases: a full run first waits for a quiet machine; each case is
 * bracketed by the machine probes (the reference work and a page fault, probe.ts) and the CPU
 * shares of /proc/stat (cpu.ts); and a case's WebGPU sessions (gpu-turns.ts) are timed in turns
 * spread over the cases before it. A case that throws becomes a result with its error.
 */
import type { CaseResult, Ctx } from '../types.js';
import { cpuShares, cpuTimes, settle } from './cpu.js';
import type { GpuTurns } from './gpu-turns.js';
import { pageFaultUs, referenceMs } from './probe.js';

export interface BenchCase {
  id: string;
  title: string;
  run(ctx: Ctx): Promise<CaseResult>;
  /**
   * Opens the case's WebGPU sessions. In a full run of this case and others they are opened
   * before the first case, timed in a turn then and after every case before this one, and
   * handed to it as `ctx.gpuTurns`.
   */
  gpuTurns?(ctx: Ctx): Promise<GpuTurns>;
}

/** How long a full run waits at most for the machine to quieten before it starts. */
const SETTLE_MS = 60_000;
/** The share of the CPU in use below which the machine counts as quiet. */
const QUIET = 0.15;

/** Waits up to 60 s for a 3-second window with the CPU under 15 % busy, and logs what it found. */
export async function waitForQuiet(log: (m: string) => void): Promise<void> {
  const started = Date.now();
  const quiet = await settle(SETTLE_MS, QUIET);
  if (quiet) log(`CPU ${(quiet.busy * 100).toFixed(0)} % busy (steal ${(quiet.steal * 100).toFixed(1)} %) after ${((Date.now() - started) / 1000).toFixed(0)} s of settling`);
  if (quiet && quiet.busy >= QUIET) log('warning: the machine stayed busy; timings will be noisy (the report records CPU use per case)');
}

/**
 * Runs the spread-out WebGPU work; when it fails (its page crashed, say), the owning case goes
 * on without ctx.gpuTurns and times WebGPU in its own turns only.
 */
async function spreadTurn(ctx: Ctx, when: string, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (e) {
    ctx.log(`the WebGPU turn ${when} failed, its case will time WebGPU on its own: ${e instanceof Error ? e.message : String(e)}`);
    await ctx.gpuTurns?.close().catch(() => undefined);
    ctx.gpuTurns = undefined;
  }
}

/** Runs `cases` in order on the schedule of the module comment; closes the spread-out WebGPU sessions at the end. */
export async function runCases(ctx: Ctx, cases: BenchCase[]): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const owner = cases.findIndex((c) => c.gpuTurns);
  try {
    if (!ctx.quick && owner >= 0 && cases.length > 1) {
      const t = Date.now();
      const when = `before ${cases[0]!.id}`;
      await spreadTurn(ctx, when, async () => {
        ctx.gpuTurns = await cases[owner]!.gpuTurns!(ctx);
        await ctx.gpuTurns.turn(when);
      });
      ctx.log(`${cases[owner]!.id}'s WebGPU sessions opened and timed in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    }
    for (const [i, c] of cases.entries()) {
      ctx.log(`${c.id} ${c.title}…`);
      const before = referenceMs();
      const faultBefore = pageFaultUs();
      const t = Date.now();
      const cpu = cpuTimes();
      let result: CaseResult;
      try {
        result = await c.run(ctx);
      } catch (e) {
        const message = e instanceof Error ? (e.stack ?? e.message) : String(e);
        ctx.log(`${c.id} failed: ${message}`);
        result = { id: c.id, title: c.title, rows: [], targets: [], notes: [], seconds: (Date.now() - t) / 1000, error: message.split('\n')[0] };
      }
      const shares = cpuShares(cpu, cpuTimes());
      if (shares) result.cpu = { busy: Math.round(shares.busy * 1000) / 1000, steal: Math.round(shares.steal * 1000) / 1000 };
      result.reference = { before, after: referenceMs() };
      result.pageFault = { before: faultBefore, after: pageFaultUs() };
      results.push(result);
      ctx.log(`${c.id} done in ${((Date.now() - t) / 1000).toFixed(1)} s${shares ? `; CPU ${(shares.busy * 100).toFixed(0)} % busy, ${(shares.steal * 100).toFixed(1)} % stolen by the host` : ''}; reference work ${result.reference.before} ms before, ${result.reference.after} ms after; a page fault ${result.pageFault.before} µs before, ${result.pageFault.after} µs after`);
      const gpu = ctx.gpuTurns;
      if (gpu && i < owner) {
        const g = Date.now();
        await spreadTurn(ctx, `after ${c.id}`, () => gpu.turn(`after ${c.id}`));
        ctx.log(`${cases[owner]!.id}'s WebGPU turn after ${c.id}: ${((Date.now() - g) / 1000).toFixed(1)} s`);
      }
    }
  } finally {
    await ctx.gpuTurns?.close().catch(() => undefined);
  }
  return results;
}
