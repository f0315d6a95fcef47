/**
 * Counting untraced, explaining traced (P4's long tasks). A Chromium trace takes CPU of its own
 * on the same cores, so what is counted comes from an untraced run; a run that has something to
 * explain is run again traced, each time on a new page, until a traced run has it too (it comes
 * and goes from run to run) or `TRACED_TRIES` traced runs have had none.
 */
import { openBenchPage, type BenchPage } from '../browser.js';
import type { Ctx } from '../types.js';
import { longTasksInTrace, TRACE_CATEGORIES, type LongTaskProfile } from './trace.js';

/** Traced runs at most after an untraced run with something to explain. */
export const TRACED_TRIES = 3;

export interface CountedThenTraced<R> {
  /** The untraced run's result: what is counted. */
  result: R;
  /** The counts of the traced runs made after it (none when it had nothing to explain). */
  traced: number[];
  /** The long tasks the traced runs with a count found, from the page's `mark` on. */
  profiles: LongTaskProfile[];
}

/**
 * Runs `work` on a new page of the default launch, untraced; when `explain` and its count is
 * above 0, runs it again traced (see the module comment).
 */
export async function countThenTrace<R extends { count: number }>(ctx: Ctx, work: (page: BenchPage) => Promise<R>, opts: { explain: boolean; mark: string }): Promise<CountedThenTraced<R>> {
  const { browser, context } = await ctx.browser();
  const profiles: LongTaskProfile[] = [];
  const run = async (traced: boolean): Promise<R> => {
    const page = await openBenchPage(context, ctx.origin);
    try {
      if (traced) await browser.startTracing(page.page, { categories: TRACE_CATEGORIES });
      let r: R | undefined;
      try {
        r = await work(page);
      } finally {
        if (traced) {
          const trace = (await browser.stopTracing()).toString('utf8');
          if (r?.count) profiles.push(...longTasksInTrace(trace, opts.mark));
        }
      }
      return r;
    } finally {
      await page.close();
    }
  };
  const result = await run(false);
  const traced: number[] = [];
  if (opts.explain && result.count > 0) {
    while (traced.length < TRACED_TRIES && !traced.some((n) => n > 0)) traced.push((await run(true)).count);
  }
  return { result, traced, profiles };
}
