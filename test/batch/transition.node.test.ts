/**
 * The pure step of a batch job's run (lib/batch/transition.ts): the record that counts one more
 * chunk, computed without touching the record it starts from (the run commits the result with
 * the chunk and only then adopts it).
 */
import { describe, expect, it } from 'vitest';
import { afterChunk, FIRST_ERRORS, type CountedChunk } from '../../lib/batch/transition.js';
import type { BatchJobRecord, RowError } from '../../lib/batch/types.js';
import { isMlPredictError } from '../../lib/errors.js';

function fresh(): BatchJobRecord {
  return {
    id: 'job-1',
    status: 'running',
    model: { name: 'iris', sha256: 'a'.repeat(64), bytes: 100 },
    file: { name: 'iris.csv', size: 5000, type: 'text/csv' },
    input: 'features',
    batchSize: 100,
    useDefaults: false,
    notify: false,
    rowsDone: 0,
    predicted: 0,
    errorCount: 0,
    errorsByKind: {},
    firstErrors: [],
    bytesDone: 0,
    chunks: 0,
    sync: { byte: 0, row: 0 },
    createdAt: 1,
    updatedAt: 1,
    runMs: 0,
  };
}

function chunkAfter(record: BatchJobRecord, rows: number, errors: RowError[] = [], sync = record.sync, bytesRead = record.bytesDone + rows * 10): CountedChunk {
  return { index: record.chunks, firstRow: record.rowsDone + 1, rows, valid: rows - errors.length, errors, sync, bytesRead };
}

/** Freezes a value and everything in it: a transition that writes into its input throws. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

describe('afterChunk', () => {
  it('counts a chunk into a new record and leaves the one it started from as it was', () => {
    const start = fresh();
    const before = structuredClone(start);
    deepFreeze(start);
    const errors: RowError[] = [{ row: 7, kind: 'number', reason: 'column "a" is "x", expected a number' }];
    const next = afterChunk(start, chunkAfter(start, 100, errors, { byte: 812, row: 64 }, 1000), 12.5, 99);
    expect(start).toEqual(before);
    expect(next).toEqual({
      ...before,
      rowsDone: 100,
      predicted: 99,
      errorCount: 1,
      errorsByKind: { number: 1 },
      firstErrors: errors,
      chunks: 1,
      sync: { byte: 812, row: 64 },
      bytesDone: 1000,
      runMs: 12.5,
      updatedAt: 99,
    });
    expect(next.sync).not.toBe(start.sync);
  });

  it('adds counts over chunks and keeps the first 20 row errors', () => {
    let record = fresh();
    const errorsOf = (from: number, n: number): RowError[] =>
      Array.from({ length: n }, (_, i) => ({ row: from + i, kind: i % 2 ? 'empty' : 'columns', reason: `row ${from + i}` }));
    for (let c = 0; c < 3; c++) {
      const chunk = chunkAfter(record, 100, errorsOf(record.rowsDone + 1, 8));
      record = afterChunk(deepFreeze(record), chunk, 1, c);
    }
    expect(record).toMatchObject({ rowsDone: 300, predicted: 276, errorCount: 24, chunks: 3, runMs: 3, errorsByKind: { columns: 12, empty: 12 } });
    expect(record.firstErrors).toHaveLength(FIRST_ERRORS);
    expect(record.firstErrors.map((e) => e.row)).toEqual([
      ...Array.from({ length: 8 }, (_, i) => 1 + i),
      ...Array.from({ length: 8 }, (_, i) => 101 + i),
      ...Array.from({ length: 4 }, (_, i) => 201 + i),
    ]);
  });

  it('refuses a chunk that is not the next one (INTERNAL, saying which one is)', () => {
    const one = afterChunk(fresh(), chunkAfter(fresh(), 100), 1, 2);
    const again = chunkAfter(fresh(), 100);
    let err: unknown;
    try {
      afterChunk(one, again, 1, 3);
    } catch (e) {
      err = e;
    }
    expect(isMlPredictError(err, 'INTERNAL')).toBe(true);
    expect((err as Error).message).toBe(
      'Chunk 0 (rows from 1) of batch job "job-1" is not its next one: 1 chunks and 100 rows are committed, so the next is chunk 1 from row 101.',
    );
    expect(() => afterChunk(one, { ...chunkAfter(one, 50), firstRow: 90 }, 1, 3)).toThrow(/is not its next one/);
  });
});
