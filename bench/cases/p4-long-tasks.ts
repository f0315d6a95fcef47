/**
 * P4 main-thread long tasks (PerformanceObserver 'longtask', > 50 ms) while loading a model and
 * predicting 100 times: ml-predict vs onnxruntime-web on the main thread. Each variant on a new
 * page, observed from before the load (for the raw baseline that includes importing
 * onnxruntime-web and creating its wasm runtime).
 */
import { countThenTrace, type LongTaskProfile } from '../harness/index.js';
import { LONG_TASKS_START } from '../page/api.js';
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
  const models: BenchModel[] = ctx.quick ? [medium(16)] : [medium(256), paddle(80)];
  let libTotal = 0;
  const profiles: LongTaskProfile[] = [];
  const tracedReruns: string[] = [];
  for (const model of models) {
    const url = modelUrl(ctx.origin, model.file);
    for (const [variant, kind] of [
      [LIB, 'ml-predict'],
      [RAW, 'raw'],
    ] as const) {
      // Counted untraced; an ml-predict run with long tasks is run again traced to explain them.
      const { result: r, traced, profiles: found } = await countThenTrace(ctx, (page) => page.call('longTasks', { kind, url, feeds: model.feeds, predictions }), { explain: kind === 'ml-predict', mark: LONG_TASKS_START });
      profiles.push(...found);
      if (kind === 'ml-predict') {
        libTotal += r.count;
        if (r.count > 0) {
          tracedReruns.push(
            `${model.short}: ${r.count} untraced (longest ${round(r.maxMs)} ms, starting at ${r.startsMs.map((t) => `${Math.round(t)} ms`).join(', ')}; the load took ${round(r.loadMs)} ms), then ${traced.join(', ')} in ${traced.length} traced run(s)`,
          );
        }
      }
      rows.push({
        group: `${model.label}: load + ${predictions} predictions`,
        variant,
        unit: 'count',
        value: r.count,
        note: `${r.count} long tasks, ${round(r.totalMs)} ms in all (longest ${round(r.maxMs)} ms${r.count ? `, starting at ${r.startsMs.map((t) => `${Math.round(t)} ms`).join(', ')}` : ''}), load ${round(r.loadMs)} ms, whole run ${round(r.elapsedMs)} ms`,
      });
      ctx.log(`P4 ${model.label} ${variant}: ${r.count} long tasks, ${Math.round(r.totalMs)} ms`);
    }
  }
  targets.push({
    case: 'P4',
    target: '0 main-thread long tasks for ml-predict during load + 100 predictions',
    measured: `${libTotal} long task(s) over ${models.length} model(s)`,
    met: libTotal === 0,
    reason:
      libTotal > 0
        ? `run again traced (${tracedReruns.join('; ')}): ${profiles
            .map((p) => `a ${Math.round(p.wallMs)} ms task had the CPU for ${Math.round(p.cpuMs)} ms${p.inside.length ? ` (inside: ${p.inside.map((i) => `${i.name} ${round(i.ms)} ms`).join(', ')})` : ''}${p.others.length ? `, while other threads had the CPU for: ${p.others.map((o) => `${o.thread} ${round(o.cpuMs)} ms`).join(', ')}` : ''}`)
            .join('; ')}${profiles.some((p) => p.cpuMs < p.wallMs / 2) ? ' — the main thread waited for a CPU that the threads listed had' : ''}${profiles.length ? '' : `no traced run had a long task, so what ran in this one is not known`}`
        : undefined,
  });
  notes.push('Long tasks are counted in untraced runs; an ml-predict run that has any is run again with a Chromium trace (on a new page) to say what ran in them and how much of their time the main thread had the CPU.');
  return { id: 'P4', title: 'Main-thread long tasks', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
