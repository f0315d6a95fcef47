/**
 * P1 predict latency: ml-predict (runtime worker) vs onnxruntime-web's `session.run` on the main
 * thread vs onnxruntime-web with its own proxy worker (`env.wasm.proxy`), for a tiny, a medium
 * and a real third-party model. The variants run in alternating rounds in the same browser, so
 * that noise from the rest of the machine falls on all of them alike.
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import { medium, modelUrl, paddle, TINY, type BenchModel } from '../models.js';
import { alternate, type RoundPlan, type TimedRunner } from '../sampling.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

const LIB = 'ml-predict (worker)';
const RAW = 'onnxruntime-web, main thread (baseline)';
const PROXY = 'onnxruntime-web, env.wasm.proxy';

interface Plan extends RoundPlan {
  model: BenchModel;
}

function plans(quick: boolean): Plan[] {
  if (quick) {
    return [
      { model: TINY, warmup: 1, rounds: 1, perRound: 2 },
      { model: medium(16), warmup: 1, rounds: 1, perRound: 2 },
      { model: paddle(80), warmup: 1, rounds: 1, perRound: 2 },
    ];
  }
  return [
    { model: TINY, warmup: 50, rounds: 10, perRound: 100 },
    { model: medium(256), warmup: 10, rounds: 10, perRound: 30 },
    { model: paddle(320), warmup: 3, rounds: 8, perRound: 6 },
  ];
}

export async function p1(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const { context } = await ctx.browser();
  let proxyError: string | undefined;

  for (const plan of plans(ctx.quick)) {
    const { model } = plan;
    const url = modelUrl(ctx.origin, model.file);
    const main = await openBenchPage(context, ctx.origin);
    let proxyPage: BenchPage | undefined = await openBenchPage(context, ctx.origin, 'ortProxy=1');
    try {
      const lib = await main.call('open', 'lib', { kind: 'ml-predict', url, feeds: model.feeds });
      const raw = await main.call('open', 'raw', { kind: 'raw', url, feeds: model.feeds });
      ctx.log(`P1 ${model.label}: ml-predict ${lib.backend}/${lib.threads} threads, raw ${raw.threads} threads`);
      if (!proxyError) {
        try {
          await proxyPage.call('open', 'proxy', { kind: 'raw', url, feeds: model.feeds });
          await proxyPage.call('time', 'proxy', 1);
        } catch (e) {
          proxyError = (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 400);
          const detail = proxyPage.errors.slice(0, 3).join(' | ');
          if (detail) proxyError += ` (page: ${detail.slice(0, 300)})`;
        }
      }
      if (proxyError) {
        await proxyPage.close();
        proxyPage = undefined;
      }
      const runners: TimedRunner[] = [
        { name: LIB, page: main, id: 'lib' },
        { name: RAW, page: main, id: 'raw' },
      ];
      if (proxyPage) runners.push({ name: PROXY, page: proxyPage, id: 'proxy' });

      const samples = await alternate(runners, plan);

      const rawSummary = summarize(samples.get(RAW)!);
      for (const r of runners) {
        const s = summarize(samples.get(r.name)!);
        rows.push({
          group: model.label,
          short: model.short,
          variant: r.name,
          unit: 'ms',
          p50: round(s.p50),
          p95: round(s.p95),
          n: s.n,
          ratio: r.name === RAW ? 1 : round(s.p50 / rawSummary.p50),
          vs: RAW,
          note: r.name === RAW ? model.call : undefined,
        });
      }
      const libSummary = summarize(samples.get(LIB)!);
      if (model === TINY) {
        const added = libSummary.p50 - rawSummary.p50;
        targets.push({
          case: 'P1',
          target: `≤ 0.3 ms added at p50 for the tiny model`,
          measured: `${round(added)} ms added (ml-predict ${round(libSummary.p50)} ms vs raw ${round(rawSummary.p50)} ms)`,
          met: added <= 0.3,
        });
      } else if (rawSummary.p50 >= 5) {
        const ratio = libSummary.p50 / rawSummary.p50;
        targets.push({
          case: 'P1',
          target: `≤ 1.05× raw at p50 for ${model.label.split(':')[0]} (raw ≥ 5 ms)`,
          measured: `${round(ratio)}× (ml-predict ${round(libSummary.p50)} ms vs raw ${round(rawSummary.p50)} ms)`,
          met: ratio <= 1.05,
        });
      } else {
        notes.push(`${model.label}: raw p50 ${round(rawSummary.p50)} ms < 5 ms, so the 1.05× target does not apply; ratio ${round(libSummary.p50 / rawSummary.p50)}×.`);
      }
    } finally {
      await main.close();
      await proxyPage?.close();
    }
  }
  if (proxyError) {
    notes.push(`onnxruntime-web's env.wasm.proxy did not run in this setup (vite dev server, onnxruntime-web/wasm ESM build): ${proxyError}`);
  }
  return { id: 'P1', title: 'Predict latency', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
