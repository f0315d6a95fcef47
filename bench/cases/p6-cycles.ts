/**
 * P6 load/dispose cycles: 50 × (loadModel → predict → dispose) on one page, with the library's
 * default idle delay (the runtime worker ends 2 s after its last session is released). Counts
 * live worker targets through the DevTools protocol (the runtime worker and onnxruntime's
 * threads) and the workers the page started and ended, and the page's JS heap after a full GC,
 * before and after.
 */
import { mainHeap, openBenchPage, settledWorkerTargets, workerTargets } from '../browser.js';
import { medium, modelUrl } from '../models.js';
import { round } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

export async function p6(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const cycles = ctx.quick ? 3 : 50;
  const model = medium(1);
  const url = modelUrl(ctx.origin, model.file);
  const { context, cdp } = await ctx.freshContext();
  try {
    const page = await openBenchPage(context, ctx.origin);
    // One cycle first, so that "before" already has the library's and vite's modules loaded.
    await page.call('cycles', { url, feeds: model.feeds, cycles: 1 });
    const idleWait = 15_000;
    const settled = await page.call('workersGone', idleWait);
    const before = { targets: await settledWorkerTargets(cdp, 0, 10_000), heap: await mainHeap(page.page), counts: settled };

    const t = performance.now();
    await page.call('cycles', { url, feeds: model.feeds, cycles });
    const cyclesMs = performance.now() - t;
    const during = { targets: await workerTargets(cdp), counts: await page.call('workerCounts') };
    const gone = await page.call('workersGone', idleWait);
    const after = { targets: await settledWorkerTargets(cdp, before.targets, 10_000), heap: await mainHeap(page.page), counts: gone };
    await page.close();

    const created = after.counts.created - before.counts.created;
    const ended = after.counts.terminated - before.counts.terminated;
    const group = `${cycles} × load → predict → dispose (digits MLP)`;
    rows.push(
      { group, variant: 'live worker targets before', unit: 'count', value: before.targets },
      { group, variant: 'live worker targets right after the last dispose', unit: 'count', value: during.targets, note: 'the runtime worker and its wasm threads, within the 2 s idle delay' },
      { group, variant: 'live worker targets after the idle delay', unit: 'count', value: after.targets },
      { group, variant: 'runtime workers started / ended during the cycles', unit: 'count', value: created, note: `${created} started, ${ended} ended` },
      { group, variant: 'main-thread JS heap before (after GC)', unit: 'MB', value: round(before.heap / 1e6) },
      { group, short: `${cycles} cycles`, variant: 'main-thread JS heap after (after GC)', unit: 'MB', value: round(after.heap / 1e6), ratio: round(after.heap / before.heap), vs: 'main-thread JS heap before (after GC)' },
    );
    notes.push(`${cycles} cycles took ${round(cyclesMs / 1000)} s (${round(cyclesMs / cycles)} ms per load → predict → dispose).`);
    targets.push({
      case: 'P6',
      target: `no growth of live workers after ${cycles} load/dispose cycles`,
      measured: `${before.targets} worker targets before, ${after.targets} after (${during.targets} right after the last dispose; ${created} runtime worker(s) started, ${ended} ended)`,
      met: after.targets <= before.targets && created === ended,
    });
    const heapRatio = after.heap / before.heap;
    targets.push({
      case: 'P6',
      target: `JS heap within 10 % after ${cycles} cycles`,
      measured: `${round(before.heap / 1e6)} MB → ${round(after.heap / 1e6)} MB (${heapRatio >= 1 ? '+' : ''}${round((heapRatio - 1) * 100)} %)`,
      met: heapRatio <= 1.1,
    });
  } finally {
    await cdp.detach().catch(() => undefined);
    await context.close();
  }
  return { id: 'P6', title: 'Load/dispose cycles', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
