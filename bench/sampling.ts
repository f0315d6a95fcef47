/** Timing several runners against each other in alternating rounds. */
import type { BenchPage } from './browser.js';

export interface TimedRunner {
  name: string;
  page: BenchPage;
  /** The runner's id on its page (see BenchApi.open). */
  id: string;
}

export interface RoundPlan {
  warmup: number;
  rounds: number;
  /** Calls per runner per round; 'auto' sizes each runner's share of a round to about `roundMs` from its warm-up. */
  perRound: number | 'auto';
  roundMs?: number;
  maxPerRound?: number;
  /** With 'auto': fewer rounds (at least 2) when a round would take longer than budgetMs / rounds. */
  budgetMs?: number;
  /**
   * Calls per sample (default 1): each sample is the mean of this many calls in a row. For
   * calls of a few 5 µs timer ticks (the resolution in a cross-origin-isolated page), where one
   * tick is 10 % of a call and p50s of single calls jump between runs.
   */
  group?: number;
}

/**
 * Warms every runner up, then runs the rounds; each round times a share of calls of every
 * runner, in an order rotated from round to round, so that no runner always goes first and
 * noise from the rest of the machine falls on all of them alike.
 */
export async function alternate(runners: TimedRunner[], plan: RoundPlan): Promise<Map<string, number[]>> {
  const share = new Map<string, number>();
  const fastest = new Map<string, number>();
  for (const r of runners) {
    const times = await r.page.call('time', r.id, Math.max(1, plan.warmup));
    // The first call of a new session does one-time work: size the rounds from the others.
    const fast = Math.max(Math.min(...(times.length > 1 ? times.slice(1) : times)), 0.01);
    fastest.set(r.name, fast);
    share.set(r.name, plan.perRound === 'auto' ? Math.max(1, Math.min(plan.maxPerRound ?? 50, Math.floor((plan.roundMs ?? 500) / fast))) : plan.perRound);
  }
  if (plan.perRound === 'auto') {
    // The same number of calls for every runner in a round: the first calls after a switch are
    // slower (caches, a thread waking up), and a runner with fewer calls per round has more of
    // them; that alone made two identical sessions differ by 10 % (P7).
    const n = Math.min(...share.values());
    for (const r of runners) share.set(r.name, n);
  }
  const roundCost = runners.reduce((sum, r) => sum + share.get(r.name)! * fastest.get(r.name)! * (plan.group ?? 1), 0);
  const rounds = plan.budgetMs ? Math.max(2, Math.min(plan.rounds, Math.floor(plan.budgetMs / roundCost))) : plan.rounds;
  const samples = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < runners.length; k++) {
      const r = runners[(round + k) % runners.length]!;
      samples.get(r.name)!.push(...(await r.page.call('time', r.id, share.get(r.name)!, plan.group ?? 1)));
    }
  }
  return samples;
}
