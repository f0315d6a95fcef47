/**
 * Every row of the CSV through the model, read the way a browser CSV job reads it with the new
 * card (lib/batch/csv.ts: inputSpec → matchColumns → ChunkBuilder), in chunks, on the Node
 * session. A row the job would refuse is the command's error, naming its row and column.
 */
import { ChunkBuilder, inputSpec, matchColumns } from '../batch/csv.js';
import type { ModelCard } from '../model/card.js';
import type { OutputTensor, TensorType } from '../types.js';
import type { OutputPlan } from './fit.js';
import type { Io } from './progress.js';
import type { NodeSession } from './runtime.js';
import { csvError, eachChunk, type Table } from './table.js';

export const CHUNK_ROWS = 2048;

export interface Predictions {
  rows: number;
  /** Classes per row (probabilities' width); 0 for a regressor. */
  k: number;
  /** rows × k probabilities. */
  probabilities?: Float32Array;
  /** The label output's value per row (an index, or the label itself). */
  labels?: (number | string)[];
  /** A regressor's value per row. */
  values?: Float64Array;
}

function rowWidth(t: OutputTensor): number {
  return t.dims.length <= 1 ? 1 : t.dims.slice(1).reduce((a, b) => a * b, 1);
}

function append(target: Float32Array | Float64Array | undefined, data: ArrayLike<number>, at: number, total: number): Float32Array | Float64Array {
  const out = target ?? new Float32Array(total);
  out.set(data, at);
  return out;
}

/** Predicts every row of the table with `card`'s input (its outputs are read by `outputs`). */
export async function predictTable(table: Table, card: ModelCard, session: NodeSession, outputs: OutputPlan, io: Io): Promise<Predictions> {
  const types: Record<string, TensorType> = Object.fromEntries(session.inputs.map((i) => [i.name, i.type]));
  const ranks: Record<string, number> = Object.fromEntries(session.inputs.map((i) => [i.name, i.dims.length]));
  const spec = inputSpec(card, types, false, ranks);
  const builder = new ChunkBuilder(spec, table.header, matchColumns(spec, table.header, JSON.stringify(table.file)));
  const out: Predictions = { rows: table.rows, k: 0 };
  let done = 0;
  for await (const chunk of eachChunk(table, CHUNK_ROWS, io, 'predicting')) {
    const built = builder.build(chunk.rows, chunk.first);
    const bad = built.errors[0];
    if (bad) {
      const more = built.errors.length > 1 ? ` (and ${built.errors.length - 1} more rows of this chunk)` : '';
      throw csvError(table.file, `row ${bad.row}: ${bad.reason}${more}; a CSV job with this card would refuse it.`, { row: bad.row });
    }
    const result = await session.predict(built.feeds!);
    const n = built.valid;
    if (outputs.probabilities) {
      const t = result[outputs.probabilities]!;
      let data = Array.from(t.data as ArrayLike<number>, Number);
      let k = rowWidth(t);
      // One probability per row of a binary classifier is P(second class).
      if (k === 1) {
        data = data.flatMap((p) => [1 - p, p]);
        k = 2;
      }
      out.k = k;
      out.probabilities = append(out.probabilities, data, done * k, table.rows * k) as Float32Array;
    }
    if (outputs.label) {
      const t = result[outputs.label]!;
      const w = rowWidth(t);
      const data = t.data as ArrayLike<number | bigint | string | boolean>;
      out.labels ??= [];
      for (let r = 0; r < n; r++) {
        const v = data[r * w]!;
        out.labels.push(typeof v === 'string' ? v : Number(v));
      }
    }
    if (outputs.value) {
      const t = result[outputs.value]!;
      const w = rowWidth(t);
      const data = t.data as ArrayLike<number>;
      out.values ??= new Float64Array(table.rows);
      for (let r = 0; r < n; r++) out.values[done + r] = Number(data[r * w]);
    }
    done += n;
  }
  return out;
}

/** Row `r`'s probabilities. */
export function probabilitiesOf(p: Predictions, r: number): number[] {
  return Array.from(p.probabilities!.subarray(r * p.k, (r + 1) * p.k));
}
