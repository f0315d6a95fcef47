/**
 * P1 predict latency: ml-predict (runtime worker) vs onnxruntime-web's `session.run` on the main
 * thread (the baseline) vs onnxruntime-web with its own proxy worker (`env.wasm.proxy`), for a
 * tiny, two medium and a real third-party model. Profiling: the same session in a plain worker
 * (which times its own session.run), and for the tiny model a worker round trip that does no work.
 * Each model is timed over 3 fresh pages (bench/README.md, "The harness").
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import { forest, medium, modelUrl, paddle, TINY, type BenchModel } from '../models.js';
import { treeEnsembleModel } from '../fixtures.js';
import { addFixture, modelBytes } from '../server.js';
import { measure, type RoundPlan, type Sampled, type Subject, type TimedRunner } from '../harness/index.js';
import { round, summarize } from '../stats.js';
import type { CaseResult, Ctx, Row, Target } from '../types.js';

const LIB = 'ml-predict (worker)';
const RAW = 'onnxruntime-web, main thread (baseline)';
const PROXY = 'onnxruntime-web, env.wasm.proxy';
const WORKER_RAW = 'onnxruntime-web in a plain worker, no ml-predict (profiling)';
const INNER = 'session.run inside that plain worker (profiling)';
const ROUND_TRIP = 'worker round trip that does no work (profiling)';
const PROFILING = new Set([WORKER_RAW, INNER, ROUND_TRIP]);

type Plan = Omit<RoundPlan, 'retry'> & { model: BenchModel; pages?: number };

/**
 * The models in turn order with their rounds (why each warm-up, turn length and group: bench/
 * README.md, "The harness"); the tiny model goes last, its sub-millisecond figures being the most
 * sensitive to the browser and the page server warming up at the start of a run.
 */
function plans(quick: boolean): Plan[] {
  // 1,500 rows: a call of ~7 ms on the main thread, clear of the 5 ms line of the target.
  const f = quick ? { trees: 10, depth: 4, rows: 16 } : { trees: 300, depth: 8, rows: 1500 };
  const file = `trees-${f.trees}x${f.depth}.onnx`;
  addFixture(file, treeEnsembleModel(f.trees, f.depth, 12));
  const heavy = forest(file, f.trees, f.depth, f.rows, (modelBytes(file)?.length ?? 0) / 1e6);
  if (quick) return [TINY, heavy, medium(16), paddle(80)].map((model) => ({ model, warmup: 1, rounds: 1, perRound: 2 }));
  return [
    { model: heavy, warmup: 5, warmupMs: 500, rounds: 15, perRound: 3, pages: 3 },
    { model: medium(256), warmup: 10, warmupMs: 500, rounds: 5, perRound: 6, group: 10, pages: 3 },
    { model: paddle(320), warmup: 3, warmupMs: 1_200, rounds: 10, perRound: 1, pages: 3 },
    { model: TINY, warmup: 2000, rounds: 10, perRound: 1, group: 500, pages: 3 },
  ];
}

export async function p1(ctx: Ctx): Promise<CaseResult> {
  const started = Date.now();
  const rows: Row[] = [];
  const targets: Target[] = [];
  const notes: string[] = [];
  const { context } = await ctx.browser();
  let proxyError: string | undefined;
  let wake: { idle: number; waited: number } | undefined;
  const all = plans(ctx.quick);
  const subject = ({ model, pages, ...plan }: Plan): Subject => ({
    label: `P1 ${model.short}`,
    per: 'page',
    plan,
    turns: pages,
    async open(turn) {
      const url = modelUrl(ctx.origin, model.file);
      const main = await openBenchPage(context, ctx.origin);
      let proxyPage: BenchPage | undefined = await openBenchPage(context, ctx.origin, 'ortProxy=1');
      const close = async () => {
        await main.close();
        await proxyPage?.close();
      };
      try {
        const lib = await main.call('open', 'lib', { kind: 'ml-predict', url, feeds: model.feeds });
        const raw = await main.call('open', 'raw', { kind: 'raw', url, feeds: model.feeds });
        await main.call('open', 'wraw', { kind: 'worker-raw', url, feeds: model.feeds });
        if (turn === 0) ctx.log(`P1 ${model.label}: ml-predict ${lib.backend}/${lib.threads} threads, raw ${raw.threads} threads, ${pages ?? 1} page(s)`);
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
        const runners: TimedRunner[] = [{ name: LIB, short: 'ml-predict', page: main, id: 'lib' }, { name: RAW, short: 'raw', page: main, id: 'raw' }];
        if (proxyPage) runners.push({ name: PROXY, short: 'proxy', page: proxyPage, id: 'proxy' });
        runners.push({ name: WORKER_RAW, short: 'plain worker', page: main, id: 'wraw' });
        if (model === TINY) {
          await main.call('open', 'roundtrip', { kind: 'roundtrip', url, feeds: [] });
          runners.push({ name: ROUND_TRIP, short: 'round trip', page: main, id: 'roundtrip' });
        }
        const collect = async (got: Sampled) => {
          // The plain worker's own session.run times of the timed calls (the warm-up calls come first).
          const inner = await main.call('innerTimes', 'wraw');
          wake ??= { idle: summarize(await main.call('wakeCost', 0, ctx.quick ? 3 : 100)).p50, waited: summarize(await main.call('wakeCost', 10, ctx.quick ? 3 : 50)).p50 };
          return { [INNER]: inner.slice(inner.length - got.samples.get(WORKER_RAW)!.length * (plan.group ?? 1)) };
        };
        return { runners, collect, close };
      } catch (e) {
        await close();
        throw e;
      }
    },
  });
  const measured = await measure({ subjects: all.map(subject), retryMs: 15_000, log: ctx.log });
  for (const [i, { model, pages = 1, group = 1 }] of all.entries()) {
    const { samples, names, turns, note } = measured[i]!;
    const perPage = turns.map((t) => `${round(t.p50(LIB))} / ${round(t.p50(RAW))}`).join(', ');
    notes.push(`${model.label}: ${note}${pages > 1 ? `, over ${pages} fresh pages (p50 per page, ml-predict / raw: ${perPage} ms)` : ''}.`);
    if (group > 1) notes.push(`${model.label}: each of the n samples is the mean of ${group} calls in a row, so that one slow call (a GC, a thread that waited for a core), the page's 5 µs timer steps or a few milliseconds in which the virtual CPU ran slower do not move the p50 between runs.`);
    const p50 = (name: string) => summarize(samples.get(name)!).p50;
    const raw = p50(RAW);
    for (const name of [...names, INNER]) {
      const s = summarize(samples.get(name)!);
      const profiling = PROFILING.has(name);
      rows.push({ group: model.label, short: model.short, variant: name, unit: 'ms', p50: round(s.p50), p95: round(s.p95), n: s.n, ratio: name === RAW ? 1 : profiling ? undefined : round(s.p50 / raw), vs: profiling ? undefined : RAW, note: name === RAW ? model.call : undefined });
    }
    const lib = p50(LIB);
    const added = lib - raw;
    // ml-predict − raw = (run in a worker − run on the main thread) + messaging + ml-predict's own work.
    const split = `a plain worker running the same session (no ml-predict) takes ${round(p50(WORKER_RAW))} ms: its session.run ${round(p50(INNER))} ms (${round(p50(INNER) - raw)} ms vs the main thread) + ${round(p50(WORKER_RAW) - p50(INNER))} ms of messaging and copies; ml-predict takes ${round(Math.abs(lib - p50(WORKER_RAW)))} ms ${lib >= p50(WORKER_RAW) ? 'more' : 'less'} than that plain worker (its input checks and comlink, less what it saves by copying inputs onto reused buffers where the plain worker allocates new ones)`;
    const proxyText = samples.has(PROXY) ? `; onnxruntime-web's own proxy worker adds ${round(p50(PROXY) - raw)} ms` : '';
    if (model === TINY) {
      targets.push({ case: 'P1', target: `≤ 0.3 ms added at p50 for the tiny model`, measured: `${round(added)} ms added (ml-predict ${round(lib)} ms vs raw ${round(raw)} ms)`, met: added <= 0.3, reason: added > 0.3 ? `a bare comlink round trip to the runtime worker costs ${round(p50(ROUND_TRIP))} ms; ${split}${proxyText}` : undefined });
    } else if (raw >= 5) {
      const ratio = lib / raw;
      const wakeText = `on this machine a thread that waited ≥ 10 ms wakes to a message ${round(wake?.waited ?? NaN)} ms later vs ${round(wake?.idle ?? NaN)} ms back to back (measured with a plain worker), which every worker design pays once per call`;
      targets.push({ case: 'P1', target: `≤ 1.05× raw at p50: ${model.label.split(':')[0]} ${model.short} (raw ≥ 5 ms)`, measured: `${round(ratio)}× (ml-predict ${round(lib)} ms vs raw ${round(raw)} ms, +${round(added)} ms)`, met: ratio <= 1.05, reason: ratio > 1.05 ? `${split}${proxyText}; ${wakeText}` : undefined });
    } else {
      notes.push(`${model.label}: raw p50 ${round(raw)} ms < 5 ms, so the 1.05× target does not apply; ratio ${round(lib / raw)}× (+${round(added)} ms): ${split}.`);
    }
  }
  if (wake) notes.push(`Messaging to a worker on this machine (plain worker, no ml-predict): a reply costs ${round(wake.idle)} ms at p50 when the page sends the next message at once, ${round(wake.waited)} ms when the page waited 10 ms for it (the waiting thread has gone idle and wakes slower; the 2 cores are virtual CPUs).`);
  notes.push(
    proxyError
      ? `onnxruntime-web's env.wasm.proxy did not run in this setup (vite dev server, onnxruntime-web/wasm ESM build): ${proxyError}`
      : "onnxruntime-web's env.wasm.proxy works here (vite dev server, which serves onnxruntime-web's own ESM file unbundled, so the proxy worker it starts from its own URL loads); its inputs are transferred to the proxy worker, so each call passes fresh copies.",
  );
  return { id: 'P1', title: 'Predict latency', rows, targets, notes, seconds: (Date.now() - started) / 1000 };
}
