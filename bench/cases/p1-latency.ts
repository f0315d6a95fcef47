/**
 * P1 predict latency: ml-predict (runtime worker) vs onnxruntime-web's `session.run` on the main
 * thread vs onnxruntime-web with its own proxy worker (`env.wasm.proxy`), for a tiny, a medium
 * and a real third-party model. The variants run in alternating rounds in the same browser, so
 * that noise from the rest of the machine falls on all of them alike.
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import { forest, medium, modelUrl, paddle, TINY, type BenchModel } from '../models.js';
import { treeEnsembleModel } from '../fixtures.js';
import { addFixture, modelBytes } from '../server.js';
import { addRounds, alternate, describeRounds, type RoundPlan, type RoundStats, type TimedRunner } from '../sampling.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

const LIB = 'ml-predict (worker)';
const RAW = 'onnxruntime-web, main thread (baseline)';
const PROXY = 'onnxruntime-web, env.wasm.proxy';

interface Plan extends RoundPlan {
  model: BenchModel;
  /** Fresh pages the rounds are spread over (default 1); `rounds` is per page. */
  pages?: number;
}

const ROUND_TRIP = 'worker round trip that does no work (profiling)';

function plans(quick: boolean): Plan[] {
  // 1,500 rows: a call of ~7 ms on the main thread, clear of the 5 ms line of the target.
  const f = quick ? { trees: 10, depth: 4, rows: 16 } : { trees: 300, depth: 8, rows: 1500 };
  const file = `trees-${f.trees}x${f.depth}.onnx`;
  addFixture(file, treeEnsembleModel(f.trees, f.depth, 12));
  const heavy = forest(file, f.trees, f.depth, f.rows, (modelBytes(file)?.length ?? 0) / 1e6);
  if (quick) {
    return [
      { model: TINY, warmup: 1, rounds: 1, perRound: 2 },
      { model: heavy, warmup: 1, rounds: 1, perRound: 2 },
      { model: medium(16), warmup: 1, rounds: 1, perRound: 2 },
      { model: paddle(80), warmup: 1, rounds: 1, perRound: 2 },
    ];
  }
  // The tiny model goes last in each turn: its sub-millisecond figures are the most sensitive to
  // what the machine does at the start of a run (the browser and the page server warming up).
  return [
    // Each runner warms up for at least 0.5 s (PaddleOCR 1.2 s): see RoundPlan.warmupMs.
    // Short turns (forest 3 calls, PaddleOCR 1 call per runner per round, ~25–70 ms): this
    // machine runs 15–20 % slower for stretches of a fraction of a second to seconds, with no
    // steal to show for it; with turns of 5 PaddleOCR calls (~0.35 s) whole turns fell in such a
    // stretch (one page: ml-predict's turns 75, 75, 63, 63 ms) and its page p50 read 78 ms
    // against raw's 59 ms, where pages of 1-call turns gave 61–62 against 60–63 ms.
    { model: heavy, warmup: 5, warmupMs: 500, rounds: 15, perRound: 3, pages: 3 },
    // Digits: each sample is the mean of 10 calls (single calls of ~1.3 ms had a p95 ten times
    // the p50; with means of 5 the p95 was still 3–4× the p50 and the p50 moved 8–13 % between runs).
    { model: medium(256), warmup: 10, warmupMs: 500, rounds: 5, perRound: 6, group: 10, pages: 3 },
    { model: paddle(320), warmup: 3, warmupMs: 1_200, rounds: 10, perRound: 1, pages: 3 },
    // Tiny: each sample is the mean of 500 calls in a row, one sample per runner per round.
    // - 2,000 warm-up calls: the raw main-thread call kept getting faster (0.1 → 0.02 ms) over
    //   its first ~2,000 calls as V8 optimised onnxruntime's JavaScript.
    // - 500 calls: on this virtual machine the raw call flips between ~0.02 and ~0.05 ms from
    //   one few-millisecond stretch to the next (with 1 wasm thread as with 2, with no steal), so
    //   samples of 10 calls were bimodal and their p50 moved 30 % between runs; means of 500
    //   calls (22 ms of raw calls) moved 9 %.
    // - 3 pages: on one page the raw p50 was 0.0192 ms in one run and 0.0218 ms in the next
    //   (13 %) while ml-predict's moved 1 %; over 2 pages a runner's two page p50s still
    //   differed by up to 18 % (ml-predict 0.15 and 0.172 ms in one run, raw 0.0227 and 0.0192 ms
    //   in another).
    { model: TINY, warmup: 2000, rounds: 10, perRound: 1, group: 500, pages: 3 },
  ];
}

const WORKER_RAW = 'onnxruntime-web in a plain worker, no ml-predict (profiling)';
const INNER = 'session.run inside that plain worker (profiling)';
/** Runner names for the log. */
const SHORT: Record<string, string> = { [LIB]: 'ml-predict', [RAW]: 'raw', [PROXY]: 'proxy', [WORKER_RAW]: 'plain worker', [INNER]: 'inner', [ROUND_TRIP]: 'round trip' };

export async function p1(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const { context } = await ctx.browser();
  let proxyError: string | undefined;
  let wake: { idle: number; waited: number } | undefined;
  // Rounds measured again because the host stole CPU time: at most 15 s for the whole case.
  const retry = { ms: 15_000 };

  // Pooled over `pages` fresh pages: each has its own wasm instances (main thread, plain worker,
  // ml-predict's worker), and one instance can run the same model 10–20 % faster or slower than
  // another (the forest's ratio moved 0.83–1.23× between single-page runs). The pages of the
  // models go in turns (forest, digits, PaddleOCR, forest, …), so that a stretch of a minute in
  // which the machine ran slower (one run's forest took 1.38× raw, every other run's 1.1×) is
  // spread over all of them instead of falling on the one model measured then.
  const all = plans(ctx.quick);
  const pooled = new Map<Plan, { samples: Map<string, number[]>; roundStats: RoundStats[]; runners: TimedRunner[]; perPage: string[] }>(
    all.map((plan) => [plan, { samples: new Map(), roundStats: [], runners: [], perPage: [] }]),
  );
  const turns = Math.max(...all.map((plan) => plan.pages ?? 1));
  for (let turn = 0; turn < turns; turn++) {
    // A model with fewer pages takes the last turns; within a turn the models go in plan order.
    for (const plan of all) {
      const pages = plan.pages ?? 1;
      const rep = turn - (turns - pages);
      if (rep < 0) continue;
      const { model } = plan;
      const url = modelUrl(ctx.origin, model.file);
      const pool = pooled.get(plan)!;
      const { samples, roundStats } = pool;
      const pageStarted = Date.now();
      const main = await openBenchPage(context, ctx.origin);
      let proxyPage: BenchPage | undefined = await openBenchPage(context, ctx.origin, 'ortProxy=1');
      try {
        const lib = await main.call('open', 'lib', { kind: 'ml-predict', url, feeds: model.feeds });
        const raw = await main.call('open', 'raw', { kind: 'raw', url, feeds: model.feeds });
        await main.call('open', 'wraw', { kind: 'worker-raw', url, feeds: model.feeds });
        if (rep === 0) ctx.log(`P1 ${model.label}: ml-predict ${lib.backend}/${lib.threads} threads, raw ${raw.threads} threads, ${pages} page(s)`);
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
        runners.push({ name: WORKER_RAW, page: main, id: 'wraw' });
        if (model === TINY) {
          // The bare cost of crossing to the worker and back, to split ml-predict's added time.
          await main.call('open', 'roundtrip', { kind: 'roundtrip', url, feeds: [] });
          runners.push({ name: ROUND_TRIP, page: main, id: 'roundtrip' });
        }

        const got = await alternate(runners, { ...plan, retry });
        roundStats.push(got.rounds);
        // Only the timed calls' inner times: the warm-up calls come first.
        const inner = await main.call('innerTimes', 'wraw');
        got.samples.set(INNER, inner.slice(inner.length - got.samples.get(WORKER_RAW)!.length * (plan.group ?? 1)));
        for (const [name, times] of got.samples) samples.set(name, [...(samples.get(name) ?? []), ...times]);
        if (!wake) {
          wake = {
            idle: summarize(await main.call('wakeCost', 0, ctx.quick ? 3 : 100)).p50,
            waited: summarize(await main.call('wakeCost', 10, ctx.quick ? 3 : 50)).p50,
          };
        }
        pool.runners = runners;
        const pageP50 = (name: string) => round(summarize(got.samples.get(name)!).p50);
        pool.perPage.push(`${pageP50(LIB)} / ${pageP50(RAW)}`);
        ctx.log(`P1 ${model.short} page ${rep + 1}/${pages}: ${((Date.now() - pageStarted) / 1000).toFixed(1)} s, p50 ${[...got.samples.keys()].map((name) => `${SHORT[name] ?? name} ${pageP50(name)}`).join(', ')} ms`);
      } finally {
        await main.close();
        await proxyPage?.close();
      }
    }
  }
  for (const plan of all) {
    const { model } = plan;
    const pages = plan.pages ?? 1;
    const { samples, roundStats, runners, perPage } = pooled.get(plan)!;
    notes.push(`${model.label}: ${describeRounds(addRounds(roundStats))}${pages > 1 ? `, over ${pages} fresh pages (p50 per page, ml-predict / raw: ${perPage.join(', ')} ms)` : ''}.`);
    if ((plan.group ?? 1) > 1) {
      notes.push(`${model.label}: each of the n samples is the mean of ${plan.group} calls in a row, so that one slow call (a GC, a thread that waited for a core), the page's 5 µs timer steps or a few milliseconds in which the virtual CPU ran slower do not move the p50 between runs.`);
    }
    const rawSummary = summarize(samples.get(RAW)!);
    // The plain worker splits ml-predict's added time; like every profiling row, it has no ratio.
    const profiling = (name: string) => name === ROUND_TRIP || name === INNER || name === WORKER_RAW;
    for (const name of [...runners.map((r) => r.name), INNER]) {
      const s = summarize(samples.get(name)!);
      rows.push({
        group: model.label,
        short: model.short,
        variant: name,
        unit: 'ms',
        p50: round(s.p50),
        p95: round(s.p95),
        n: s.n,
        ratio: name === RAW ? 1 : profiling(name) ? undefined : round(s.p50 / rawSummary.p50),
        vs: profiling(name) ? undefined : RAW,
        note: name === RAW ? model.call : undefined,
      });
    }
    const p50 = (name: string) => summarize(samples.get(name)!).p50;
    const libP50 = p50(LIB);
    const added = libP50 - rawSummary.p50;
    // ml-predict − raw = (run in a worker − run on the main thread) + messaging + ml-predict's own work.
    const split = `a plain worker running the same session (no ml-predict) takes ${round(p50(WORKER_RAW))} ms: its session.run ${round(p50(INNER))} ms (${round(p50(INNER) - rawSummary.p50)} ms vs the main thread) + ${round(p50(WORKER_RAW) - p50(INNER))} ms of messaging and copies; ml-predict takes ${round(Math.abs(libP50 - p50(WORKER_RAW)))} ms ${libP50 >= p50(WORKER_RAW) ? 'more' : 'less'} than that plain worker (its input checks and comlink, less what it saves by copying inputs onto reused buffers where the plain worker allocates new ones)`;
    const proxy = samples.get(PROXY);
    const proxyText = proxy ? `; onnxruntime-web's own proxy worker adds ${round(summarize(proxy).p50 - rawSummary.p50)} ms` : '';
    if (model === TINY) {
      targets.push({
        case: 'P1',
        target: `≤ 0.3 ms added at p50 for the tiny model`,
        measured: `${round(added)} ms added (ml-predict ${round(libP50)} ms vs raw ${round(rawSummary.p50)} ms)`,
        met: added <= 0.3,
        reason: added > 0.3 ? `a bare comlink round trip to the runtime worker costs ${round(p50(ROUND_TRIP))} ms; ${split}${proxyText}` : undefined,
      });
    } else if (rawSummary.p50 >= 5) {
      const ratio = libP50 / rawSummary.p50;
      targets.push({
        case: 'P1',
        target: `≤ 1.05× raw at p50: ${model.label.split(':')[0]} ${model.short} (raw ≥ 5 ms)`,
        measured: `${round(ratio)}× (ml-predict ${round(libP50)} ms vs raw ${round(rawSummary.p50)} ms, +${round(added)} ms)`,
        met: ratio <= 1.05,
        reason:
          ratio > 1.05
            ? `${split}${proxyText}; on this machine a thread that waited ≥ 10 ms wakes to a message ${round(wake?.waited ?? NaN)} ms later vs ${round(wake?.idle ?? NaN)} ms back to back (measured with a plain worker), which every worker design pays once per call`
            : undefined,
      });
    } else {
      notes.push(`${model.label}: raw p50 ${round(rawSummary.p50)} ms < 5 ms, so the 1.05× target does not apply; ratio ${round(libP50 / rawSummary.p50)}× (+${round(added)} ms): ${split}.`);
    }
}
  if (wake) {
    notes.push(
      `Messaging to a worker on this machine (plain worker, no ml-predict): a reply costs ${round(wake.idle)} ms at p50 when the page sends the next message at once, ${round(wake.waited)} ms when the page waited 10 ms for it (the waiting thread has gone idle and wakes slower; the 2 cores are virtual CPUs).`,
    );
  }
  notes.push(
    proxyError
      ? `onnxruntime-web's env.wasm.proxy did not run in this setup (vite dev server, onnxruntime-web/wasm ESM build): ${proxyError}`
      : "onnxruntime-web's env.wasm.proxy works here (vite dev server, which serves onnxruntime-web's own ESM file unbundled, so the proxy worker it starts from its own URL loads); its inputs are transferred to the proxy worker, so each call passes fresh copies.",
  );
  return { id: 'P1', title: 'Predict latency', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
