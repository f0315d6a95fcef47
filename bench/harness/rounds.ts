/**
 * One set of alternating rounds: several runners timed against each other, a round thrown away
 * and measured again when the host stole CPU time during it. `measure` (measure.ts) runs these
 * over turns; cases do not call them directly.
 */
import type { BenchPage } from '../browser.js';
import { cpuShares, cpuTimes } from './cpu.js';

/** Default share of the CPU the host may steal during a round that is kept. */
export const MAX_STEAL = 0.03;

export interface TimedRunner {
  name: string;
  /** A few words for the log (default: `name`). */
  short?: string;
  page: BenchPage;
  /** The runner's id on its page (see BenchApi.open). */
  id: string;
}

export interface RoundPlan {
  /** Untimed calls per runner before the rounds. */
  warmup: number;
  /**
   * Warm-up goes on, `warmup` calls at a time, until the runner has run at least this long (ms):
   * past V8's background optimisation of a new wasm instance's hot functions.
   */
  warmupMs?: number;
  /** Rounds kept. */
  rounds: number;
  /**
   * Samples per runner per round; 'auto': as many as fit in about `roundMs` (default 500) at the
   * runner's fastest warm-up call, at most `maxPerRound` (default 50), the same for every runner.
   */
  perRound: number | 'auto';
  roundMs?: number;
  maxPerRound?: number;
  /** With 'auto': fewer rounds (at least 2) when a round would take longer than budgetMs / rounds. */
  budgetMs?: number;
  /**
   * Calls per sample (default 1): each sample is the mean of this many calls in a row, for calls
   * of a few timer ticks (5 µs in a cross-origin-isolated page) or with a long-tailed spread.
   */
  group?: number;
  /**
   * Rounds during which the hypervisor stole more than this share of the CPU (/proc/stat) are
   * thrown away and measured again while `retry` lasts; default MAX_STEAL.
   */
  maxSteal?: number;
  /**
   * Time left for measuring rounds again, in ms, shared by the calls that pass the same object
   * (a case's whole budget) and used up by them; without it, 8 s for this call.
   */
  retry?: { ms: number };
}

/** How the rounds went: kept and measured again because of steal, and the steal in the kept ones. */
export interface RoundStats {
  kept: number;
  redone: number;
  /** Share of CPU time stolen over the kept rounds; undefined off Linux. */
  steal?: number;
}

export interface Sampled {
  samples: Map<string, number[]>;
  rounds: RoundStats;
}

/**
 * Warms every runner up, then runs the rounds; each round times a share of calls of every
 * runner, in an order rotated from round to round, so that no runner always goes first and
 * noise from the rest of the machine falls on all of them alike. A round during which the host
 * stole more than `maxSteal` of the CPU is thrown away whole (every runner's share of it) and
 * run again, while the `retry` budget lasts.
 */
export async function alternate(runners: TimedRunner[], plan: RoundPlan): Promise<Sampled> {
  const share = new Map<string, number>();
  const fastest = new Map<string, number>();
  for (const r of runners) {
    const times = await r.page.call('time', r.id, Math.max(1, plan.warmup));
    for (let spent = times.reduce((a, b) => a + b, 0); plan.warmupMs && spent < plan.warmupMs; ) {
      const more = await r.page.call('time', r.id, Math.max(1, plan.warmup));
      spent += more.reduce((a, b) => a + b, 0);
      times.push(...more);
    }
    // The first call of a new session does one-time work: size the rounds from the others.
    const fast = Math.max(Math.min(...(times.length > 1 ? times.slice(1) : times)), 0.01);
    fastest.set(r.name, fast);
    share.set(r.name, plan.perRound === 'auto' ? Math.max(1, Math.min(plan.maxPerRound ?? 50, Math.floor((plan.roundMs ?? 500) / (fast * (plan.group ?? 1))))) : plan.perRound);
  }
  if (plan.perRound === 'auto') {
    // The same number of calls for every runner in a round: the first calls after a switch are
    // slower (caches, a thread waking up), and a runner with fewer calls per round has more of them.
    const n = Math.min(...share.values());
    for (const r of runners) share.set(r.name, n);
  }
  const roundCost = runners.reduce((sum, r) => sum + share.get(r.name)! * fastest.get(r.name)! * (plan.group ?? 1), 0);
  const rounds = plan.budgetMs ? Math.max(2, Math.min(plan.rounds, Math.floor(plan.budgetMs / roundCost))) : plan.rounds;
  const samples = new Map<string, number[]>(runners.map((r) => [r.name, []]));
  const maxSteal = plan.maxSteal ?? MAX_STEAL;
  const retry = plan.retry ?? { ms: 8_000 };
  const stats: RoundStats = { kept: 0, redone: 0 };
  let stolen = 0;
  let total = 0;
  for (let round = 0; stats.kept < rounds; round++) {
    const started = performance.now();
    const before = cpuTimes();
    const got = new Map<string, number[]>();
    for (let k = 0; k < runners.length; k++) {
      const r = runners[(round + k) % runners.length]!;
      got.set(r.name, await r.page.call('time', r.id, share.get(r.name)!, plan.group ?? 1));
    }
    const after = cpuTimes();
    const shares = cpuShares(before, after);
    if (shares && shares.steal > maxSteal && retry.ms > 0) {
      retry.ms -= performance.now() - started;
      stats.redone++;
      continue;
    }
    stats.kept++;
    for (const [name, times] of got) samples.get(name)!.push(...times);
    if (before && after && shares) {
      stolen += shares.steal * (after.total - before.total);
      total += after.total - before.total;
    }
  }
  if (total > 0) stats.steal = stolen / total;
  return { samples, rounds: stats };
}

/** Round stats in words, for a report note. */
export function describeRounds(r: RoundStats, maxSteal = MAX_STEAL): string {
  const steal = r.steal === undefined ? '' : `, the host stole ${(r.steal * 100).toFixed(1)} % of the CPU during them`;
  const redone = r.redone ? `; ${r.redone} more measured while the host stole > ${Math.round(maxSteal * 100)} % of the CPU were thrown away` : '';
  return `${r.kept} alternating rounds kept${steal}${redone}`;
}

/** The sum of several cases' round stats (steal weighted by kept rounds). */
export function addRounds(list: RoundStats[]): RoundStats {
  const kept = list.reduce((a, r) => a + r.kept, 0);
  const withSteal = list.filter((r) => r.steal !== undefined);
  const weight = withSteal.reduce((a, r) => a + r.kept, 0);
  return {
    kept,
    redone: list.reduce((a, r) => a + r.redone, 0),
    steal: weight ? withSteal.reduce((a, r) => a + r.steal! * r.kept, 0) / weight : undefined,
  };
}
