/**
 * `measure(spec)`: the one call a case makes to time runners against each other. Each subject
 * (a model, say) is timed over several turns, each turn on runners the case sets up fresh (new
 * pages, new sessions); within a turn the runners run in alternating rounds (rounds.ts) that are
 * measured again while the host steals CPU time, out of one retry budget shared by the whole
 * call. Turns of all subjects are interleaved (turn 1 of every subject, then turn 2, …), so that
 * a slower minute of the machine falls on all of them; a subject with fewer turns takes the last
 * ones. A subject's first `warmupTurns` turns are timed and not kept.
 */
import { summarize } from '../stats.js';
import { addRounds, alternate, describeRounds, type RoundPlan, type RoundStats, type Sampled, type TimedRunner } from './rounds.js';

/** The runners of one turn, set up by the case. */
export interface Turn {
  runners: TimedRunner[];
  /**
   * Called after the rounds, while the runners are still open: samples of other series to add
   * to this turn's (e.g. times a page took itself), by series name.
   */
  collect?(got: Sampled): Promise<Record<string, number[]> | void>;
  /** Releases the turn's pages or sessions; called when the turn ends, whether or not it failed. */
  close(): Promise<void>;
  /** Called after `close` with the turn's result: work that must not overlap the rounds. */
  after?(result: TurnResult): Promise<void>;
}

export interface Subject {
  /** For the log, e.g. "P1 tiny LR". */
  label: string;
  /** The rounds of each turn (`retry` is the call's shared budget and is set by `measure`). */
  plan: Omit<RoundPlan, 'retry'>;
  /** Turns of this subject (default 1). */
  turns?: number;
  /** The first turns, timed and not kept (default 0). */
  warmupTurns?: number;
  /** The log's word for a turn (default "turn"), e.g. "page". */
  per?: string;
  /** Sets up one turn's runners; `turn` counts this subject's turns from 0. */
  open(turn: number): Promise<Turn>;
}

export interface TurnResult {
  /** This subject's turn, from 0. */
  turn: number;
  kept: boolean;
  /** This turn's samples by series name (its runners, then what `collect` added). */
  samples: Map<string, number[]>;
  rounds: RoundStats;
  /** The p50 of one series in this turn. */
  p50(name: string): number;
}

export interface Measured {
  /** The kept turns' samples pooled, by series name. */
  samples: Map<string, number[]>;
  /** The runners' names of the subject's last turn, in order. */
  names: string[];
  /** The kept turns' rounds added up. */
  rounds: RoundStats;
  /** Every turn, kept or not, in order. */
  turns: TurnResult[];
  /** The kept rounds in words: how many, the steal during them, how many were thrown away. */
  note: string;
}

export interface MeasureSpec {
  subjects: Subject[];
  /** Time for measuring rounds again, in ms, shared by every subject and turn of this call. */
  retryMs: number;
  log(message: string): void;
}

/** Runs every subject's turns (see the module comment); the results are in the subjects' order. */
export async function measure(spec: MeasureSpec): Promise<Measured[]> {
  const retry = { ms: spec.retryMs };
  const results: Measured[] = spec.subjects.map(() => ({ samples: new Map(), names: [], rounds: { kept: 0, redone: 0 }, turns: [], note: '' }));
  const turns = Math.max(...spec.subjects.map((s) => s.turns ?? 1));
  for (let round = 0; round < turns; round++) {
    for (const [i, subject] of spec.subjects.entries()) {
      const count = subject.turns ?? 1;
      const turn = round - (turns - count);
      if (turn < 0) continue;
      const started = Date.now();
      const setup = await subject.open(turn);
      let result: TurnResult;
      try {
        const got = await alternate(setup.runners, { ...subject.plan, retry });
        const extra = (await setup.collect?.(got)) ?? {};
        const samples = new Map([...got.samples, ...Object.entries(extra)]);
        result = { turn, kept: turn >= (subject.warmupTurns ?? 0), samples, rounds: got.rounds, p50: (name) => summarize(samples.get(name) ?? []).p50 };
        const p50s = setup.runners.map((r) => `${r.short ?? r.name} ${Number(result.p50(r.name).toPrecision(3))}`);
        spec.log(`${subject.label} ${subject.per ?? 'turn'} ${turn + 1}/${count}${result.kept ? '' : ' (not kept)'}: ${((Date.now() - started) / 1000).toFixed(1)} s, p50 ${p50s.join(', ')} ms`);
      } finally {
        await setup.close();
      }
      const into = results[i]!;
      into.turns.push(result);
      into.names = setup.runners.map((r) => r.name);
      if (result.kept) {
        for (const [name, times] of result.samples) into.samples.set(name, [...(into.samples.get(name) ?? []), ...times]);
      }
      await setup.after?.(result);
    }
  }
  for (const r of results) {
    r.rounds = addRounds(r.turns.filter((t) => t.kept).map((t) => t.rounds));
    r.note = describeRounds(r.rounds);
  }
  return results;
}

/** `list` rotated left by `k` places: the order a rotation puts runners in on its k-th go. */
export function rotated<T>(list: readonly T[], k: number): T[] {
  const n = list.length;
  return n ? list.map((_, i) => list[(i + k) % n]!) : [];
}
