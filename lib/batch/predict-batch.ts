/**
 * `model.predictBatch(inputs, options)`: many rows in memory, predicted in chunks over a pool of
 * sessions (the model's own, plus extra runtime workers), outputs concatenated in row order so
 * they equal one `predict` on all rows. Cancellable; progress counts rows.
 */
import { abortError, MlPredictError, quote, throwIfAborted } from '../errors.js';
import { BATCH_SIZE_RULE, checkOptions, WORKERS_RULE, type OptionRules } from '../options.js';
import { checkFeeds } from '../tensor/validate.js';
import { TYPED_ARRAY_OF } from '../tensor/convert.js';
import { recycleOwned } from '../tensor/buffers.js';
import type { Inputs, Model, Outputs, OutputTensor, PredictBatchOptions, Tensor, TypedArray } from '../types.js';
import { internalsOf } from '../model/internals.js';
import { defaultWorkers, Pool, runOrdered, threadsPerWorker, WorkerReserve } from './pool.js';

/** Smallest and largest default chunk (rows). */
export const DEFAULT_BATCH_SIZE = 1024;
const MAX_DEFAULT_BATCH_SIZE = 16_384;

/**
 * Default rows per chunk: about 8 chunks per session (enough to share the work out and report
 * progress), from 1,024 to 16,384 rows: each chunk costs a round trip to a worker (a fraction
 * of a millisecond), a large share of a cheap model's time on a small chunk.
 */
export function defaultBatchSize(rows: number, sessions: number): number {
  return Math.min(MAX_DEFAULT_BATCH_SIZE, Math.max(DEFAULT_BATCH_SIZE, Math.ceil(rows / (sessions * 8))));
}

/** predictBatch()'s options, in the order PredictBatchOptions documents them. */
const BATCH_RULES: OptionRules = {
  batchSize: BATCH_SIZE_RULE,
  workers: WORKERS_RULE,
  keepWorkers: { number: [0, 3_600_000], unit: 'milliseconds' },
  signal: 'signal',
  onProgress: 'function',
};

/** Rows per element of a tensor's first axis. */
function rowWidth(dims: readonly number[]): number {
  return dims.slice(1).reduce((a, b) => a * b, 1);
}

/** Rows [start, end) of a tensor: a view for typed arrays (each slot copies what it sends), a copy of strings. */
export function sliceRows(t: Tensor, start: number, end: number): Tensor {
  const width = rowWidth(t.dims);
  const data = Array.isArray(t.data)
    ? (t.data as string[]).slice(start * width, end * width)
    : (t.data as TypedArray).subarray(start * width, end * width);
  return { data, dims: [end - start, ...t.dims.slice(1)] };
}

/** Joins chunk outputs along the first axis. Every output must have one row per input row. */
export function concatOutputs(model: string, parts: readonly Outputs[], rowsPerPart: readonly number[]): Outputs {
  const first = parts[0];
  if (!first) return {};
  const out: Outputs = {};
  for (const name of Object.keys(first)) {
    const pieces = parts.map((p, i) => {
      const t = p[name]!;
      if (t.dims.length === 0 || t.dims[0] !== rowsPerPart[i]) {
        throw new MlPredictError(
          'UNSUPPORTED_MODEL',
          `Output ${quote(name)} of model "${model}" has dims ${quote(t.dims)} for a chunk of ${rowsPerPart[i]} rows: predictBatch joins outputs along their first axis, so each output needs one row per input row. Use predict() for this model.`,
        );
      }
      return t;
    });
    const total = pieces.reduce((n, t) => n + (t.dims[0] ?? 0), 0);
    const tail = first[name]!.dims.slice(1);
    let data: OutputTensor['data'];
    if (Array.isArray(first[name]!.data)) {
      data = pieces.flatMap((t) => t.data as string[]);
    } else {
      const type = first[name]!.type;
      const Ctor = TYPED_ARRAY_OF[type as Exclude<typeof type, 'string'>];
      const joined = new Ctor(total * rowWidth([0, ...tail]));
      let offset = 0;
      for (const t of pieces) {
        (joined as unknown as { set(a: ArrayLike<number | bigint>, o: number): void }).set(t.data as ArrayLike<number | bigint>, offset);
        offset += t.data.length;
      }
      data = joined;
    }
    out[name] = { data, dims: [total, ...tail], type: first[name]!.type };
  }
  return out;
}

/** Normalises the rows argument: `number[][]` for a one-input model → `{ [input]: rows }`. */
function asInputs(model: Model, inputs: Inputs | readonly (readonly number[])[]): Inputs {
  if (!Array.isArray(inputs)) return inputs as Inputs;
  const names = model.info.inputs.map((i) => i.name);
  if (names.length !== 1) {
    throw new MlPredictError(
      'INVALID_ARGUMENT',
      `predictBatch() got rows (an array), but model "${model.info.name}" has ${names.length} inputs: pass them by name, { ${names.map((n) => JSON.stringify(n)).join(', ')} }.`,
    );
  }
  return { [names[0]!]: inputs as readonly (readonly number[])[] };
}

/**
 * Predicts every row of `inputs` in chunks of `batchSize` rows over a pool of `workers` sessions.
 *
 * @example
 * const out = await model.predictBatch({ features: rows }, { onProgress: (p) => bar.value = p.done / p.total });
 */
export async function predictBatch(
  model: Model,
  inputs: Inputs | readonly (readonly number[])[],
  options: PredictBatchOptions = {},
): Promise<Outputs> {
  const { batchSize, workers, keepWorkers, signal, onProgress } = checkOptions(options, 'predictBatch()', BATCH_RULES);
  if (model.disposed) {
    throw new MlPredictError('DISPOSED', `Model "${model.info.name}" was disposed; load it again to predict.`);
  }
  throwIfAborted(signal);

  // Validate and convert everything once, before any work: a bad row never reaches a worker.
  const { feeds, owned } = checkFeeds(model.info.name, model.info.inputs, asInputs(model, inputs));
  const counts = Object.entries(feeds).map(([name, t]) => [name, t.dims.length === 0 ? undefined : t.dims[0]] as const);
  const total = counts[0]?.[1];
  for (const [, rows] of counts) {
    if (rows === undefined || rows !== total) {
      throw new MlPredictError(
        'INPUT_MISMATCH',
        `predictBatch() splits inputs along their first axis, so every input needs the same number of rows; got ${counts
          .map(([n, r]) => `${JSON.stringify(n)}: ${r === undefined ? 'a scalar' : `${r} rows`}`)
          .join(', ')}.`,
        { rows: Object.fromEntries(counts) },
      );
    }
  }
  const rows = total!;
  const ownThreads = Math.max(1, model.info.threads);
  const wanted = workers ?? defaultWorkers(ownThreads);
  const chunkRows = batchSize ?? defaultBatchSize(rows, wanted);
  const chunks = Math.ceil(rows / chunkRows);
  const size = Math.min(wanted, chunks);
  // The cores are shared out: each extra worker gets cores ÷ sessions threads. A model session
  // with more threads than that works only until the extra workers are ready.
  const threads = threadsPerWorker(size, ownThreads);
  const internals = internalsOf(model);
  const request = size > 1 ? internals?.request : undefined;
  let reserve: WorkerReserve | undefined;
  if (request && internals) {
    const kept = internals.batchWorkers;
    reserve = kept instanceof WorkerReserve ? kept : (internals.batchWorkers = new WorkerReserve());
  }
  const pool = new Pool({ model, request, size, threads, own: ownThreads <= threads ? true : 'until-ready', reserve, keepMs: keepWorkers });

  const parts: Outputs[] = [];
  const partRows: number[] = [];
  let done = 0;
  let nextChunk = 0;
  let ok = false;
  try {
    await runOrdered<{ start: number; end: number }, Outputs>({
      pool,
      signal,
      next: () => {
        if (nextChunk >= chunks) return undefined;
        const start = nextChunk++ * chunkRows;
        return { start, end: Math.min(rows, start + chunkRows) };
      },
      exec: (slot, { start, end }, s) => {
        const chunk: Record<string, Tensor> = {};
        for (const [name, t] of Object.entries(feeds)) chunk[name] = sliceRows(t, start, end);
        return slot.run(chunk, s);
      },
      deliver: ({ start, end }, out) => {
        parts.push(out);
        partRows.push(end - start);
        done = end;
        onProgress?.({ done, total: rows });
      },
    });
    ok = true;
  } catch (e) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw e;
  } finally {
    pool.close(ok);
  }
  // Every chunk was copied out when it was sent: the rows converted here can be reused.
  recycleOwned(feeds, owned);
  return concatOutputs(model.info.name, parts, partRows);
}
