/**
 * The benchmark harness: everything that keeps two runs of a case in agreement, so that a case
 * file states only what it measures. See bench/README.md ("The harness") for each control.
 *
 * - `measure` (measure.ts): runners timed in alternating rounds over interleaved turns of fresh
 *   pages or sessions, with warm-ups, rounds thrown away while the host steals CPU time and one
 *   retry budget per call; returns the samples and the kept/thrown-away rounds in words.
 * - `GpuTurns` (gpu-turns.ts): WebGPU sessions timed in turns spread over the whole run.
 * - `countThenTrace` (traced.ts): a count from an untraced run, explained by traced re-runs.
 * - `runCases` (run.ts): the run around the cases (a quiet start, the machine probes and CPU
 *   shares around each case, the spread-out WebGPU turns).
 */
export { measure, rotated, type Measured, type MeasureSpec, type Subject, type Turn, type TurnResult } from './measure.js';
export { addRounds, describeRounds, type RoundPlan, type RoundStats, type Sampled, type TimedRunner } from './rounds.js';
export { GpuTurns, type GpuTurn } from './gpu-turns.js';
export { countThenTrace, TRACED_TRIES, type CountedThenTraced } from './traced.js';
export { type LongTaskProfile } from './trace.js';
export { runCases, waitForQuiet, type BenchCase } from './run.js';
