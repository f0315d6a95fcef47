/**
 * P4 main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while loading a model and
 * predicting 100 times: ml-predict vs onnxruntime-web on the main thread. Each variant on a new
 * page, observed from before the load (for the raw baseline that includes importing
 * onnxruntime-web and creating its wasm runtime).
 */
import { openBenchPage } from '../browser.js';
import { medium, modelUrl, paddle, type BenchModel } from '../models.js';
import { round } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

const LIB = 'ml-predict (worker)';
const RAW = 'onnxruntime-web, main thread (baseline)';

export async function p4(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const predictions = ctx.quick ? 3 : 100;
  const models: BenchModel[] = ctx.quick ? [medium(16)] : [medium(256), paddle(160)];
  const { context } = await ctx.browser();
  let libTotal = 0;
  for (const model of models) {
    const url = modelUrl(ctx.origin, model.file);
    for (const [variant, kind] of [
      [LIB, 'ml-predict'],
      [RAW, 'raw'],
    ] as const) {
      const page = await openBenchPage(context, ctx.origin);
      try {
        const r = await page.call('longTasks', { kind, url, feeds: model.feeds, predictions });
        if (kind === 'ml-predict') libTotal += r.count;
        rows.push({
          group: `${model.label}: load + ${predictions} predictions`,
          variant,
          unit: 'count',
          value: r.count,
          note: `${r.count} long tasks, ${round(r.totalMs)} ms in all (longest ${round(r.maxMs)} ms), load ${round(r.loadMs)} ms, whole run ${round(r.elapsedMs)} ms`,
        });
        ctx.log(`P4 ${model.label} ${variant}: ${r.count} long tasks, ${Math.round(r.totalMs)} ms`);
      } finally {
        await page.close();
      }
    }
  }
  targets.push({
    case: 'P4',
    target: '0 main-thread long tasks for ml-predict during load + 100 predictions',
    measured: `${libTotal} long task(s) over ${models.length} model(s)`,
    met: libTotal === 0,
  });
  return { id: 'P4', title: 'Main-thread long tasks', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
