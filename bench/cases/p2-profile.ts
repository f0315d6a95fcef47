/**
 * P2's profiling: what a batch pool pays per extra worker, where a predictBatch call's
 * main-thread time goes (calls made after the timed batches, BatchProfile), and the reason a
 * missed scaling target gets from them.
 */
import { round, summarize, type Summary } from '../stats.js';
import type { Row } from '../types.js';
import type { BatchProfile } from '../page/api.js';

type PerWorkers = keyof BatchProfile['byWorkers'][number];

/** The p50 over the profiled pages of one field. */
function profiled(profiles: BatchProfile[], pick: (p: BatchProfile) => number | undefined): Summary {
  return summarize(profiles.map(pick).filter((x): x is number => x !== undefined));
}

const withWorkers = (profiles: BatchProfile[], workers: number, key: PerWorkers) => profiled(profiles, (p) => p.byWorkers[workers]?.[key]);

/** The profiling rows of one model: an extra worker's start, then the main thread's parts of a call. */
export function profileRows(group: string, n: number, starts: number[], profiles: BatchProfile[]): Row[] {
  const start = summarize(starts);
  const rows: Row[] = [
    { group, variant: 'start one more runtime worker and load the model in it (profiling: what the pool pays per extra worker)', unit: 'ms', p50: round(start.p50), p95: round(start.p95), n: start.n },
  ];
  const parts: Array<[string, Summary]> = [[`check and convert the ${n.toLocaleString('en')} rows on the main thread, before any chunk is sent`, profiled(profiles, (p) => p.convertMs)]];
  for (const workers of [1, 2]) {
    if (!profiles.some((p) => p.byWorkers[workers])) continue;
    const chunks = withWorkers(profiles, workers, 'chunks').p50;
    const calls = `predictBatch, ${workers} worker${workers > 1 ? 's' : ''}`;
    parts.push([`${calls}: from the call to the first of its ${chunks} chunks delivered`, withWorkers(profiles, workers, 'firstChunkMs')]);
    parts.push([`${calls}: from the last chunk delivered to the outputs (joining the chunks' outputs)`, withWorkers(profiles, workers, 'afterLastChunkMs')]);
  }
  for (const [what, s] of parts) {
    if (s.n) rows.push({ group, variant: `${what} (profiling)`, unit: 'ms', p50: round(s.p50), p95: round(s.p95), n: s.n });
  }
  return rows;
}

/** What of `serialMs` is the main thread's own serial work, as profiled ('' when not profiled). */
function measuredSerial(profiles: BatchProfile[], serialMs: number, twoMs: number): string {
  const convert = profiled(profiles, (p) => p.convertMs);
  if (!convert.n || !profiles.some((p) => p.byWorkers[2])) return '';
  const [join, chunks, first] = (['afterLastChunkMs', 'chunks', 'firstChunkMs'] as const).map((key) => withWorkers(profiles, 2, key).p50) as [number, number, number];
  const own = convert.p50 + join;
  return `. Profiled after the timed batches (p50 over ${convert.n} page${convert.n === 1 ? '' : 's'}), the main thread's own serial work is ${round(own)} ms of it: checking and converting the rows ${round(convert.p50)} ms before a chunk is sent, joining the outputs ${round(join)} ms after the last chunk; with 2 workers the first of ${chunks} chunks is delivered ${round(first)} ms after the call (a session's work per chunk: ${round(twoMs / (chunks / 2))} ms). The other ${round(serialMs - own)} ms are not a serial step of predictBatch: the two sessions share the 2 cores with the page's main thread (which copies each chunk to its worker and takes the outputs back) and the browser's own threads, and when the last chunk of a batch is running on one session the other has none left (not measured separately)`;
}

/** Amdahl's law from the two timings (one = serial + work, two = serial + work ÷ 2), with what the profile measured of it. */
export function serialReason(profiles: BatchProfile[], one: number, two: number): string {
  return 2 * two - one > 0
    ? `by Amdahl's law the two timings imply ${round(2 * two - one)} ms per batch that two sessions cannot split${measuredSerial(profiles, 2 * two - one, two)}`
    : 'the two timings leave no serial part: the shortfall is noise between pages (see the batch p50s)';
}
