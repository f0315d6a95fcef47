/**
 * CSV batch jobs in real Chromium, with real workers and IndexedDB (no mocks): the demo's iris
 * model and card from public/models; a reload in the middle of a job is a job running in an
 * iframe that the test removes, then resumes here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Papa from 'papaparse';
import { createBatchJob, getBatchJob, listBatchJobs, resumeBatchJobs, type BatchJob, type BatchJobRecord } from '../../lib/batch/index.js';
import { openRegistry } from '../../lib/model/registry.js';
import type { Model, Outputs } from '../../lib/types.js';
import { seeded } from '../fixtures/models.js';
import { putFile, rejection } from '../helpers.js';

const FEATURES = ['sepal length', 'sepal width', 'petal length', 'petal width'];
const RANGES: Array<[number, number]> = [
  [4.3, 7.9],
  [2, 4.4],
  [1, 6.9],
  [0.1, 2.5],
];

/** Deterministic iris-like rows, one decimal (the CSV text reads back as the same numbers). */
function irisRows(n: number, seed: number): number[][] {
  const r = seeded(seed);
  return Array.from({ length: n }, () => RANGES.map(([lo, hi]) => Math.round((lo + r() * (hi - lo)) * 10) / 10));
}

function csvOf(header: string[], rows: Array<Array<string | number>>): string {
  return [header.join(','), ...rows.map((r) => r.join(','))].join('\n') + '\n';
}

function fileOf(text: string, name = 'iris.csv'): File {
  return new File([text], name, { type: 'text/csv' });
}

/** All committed outputs of a job, joined in row order, and the row ranges of its chunks. */
async function committed(job: BatchJob): Promise<{ labels: number[]; probs: number[]; ranges: Array<[number, number]> }> {
  const labels: number[] = [];
  const probs: number[] = [];
  const ranges: Array<[number, number]> = [];
  for await (const c of job.chunks()) {
    ranges.push([c.firstRow, c.firstRow + c.rows - 1]);
    if (!c.outputs) continue;
    labels.push(...Array.from(c.outputs.label!.data as BigInt64Array, Number));
    probs.push(...Array.from(c.outputs.probabilities!.data as Float32Array));
  }
  return { labels, probs, ranges };
}

function expectSame(got: { labels: number[]; probs: number[] }, want: Outputs, rows: number): void {
  expect(got.labels).toHaveLength(rows);
  expect(got.labels).toEqual(Array.from(want.label!.data as BigInt64Array, Number));
  const p = want.probabilities!.data as Float32Array;
  expect(got.probs).toHaveLength(p.length);
  for (let i = 0; i < p.length; i++) if (Math.abs(got.probs[i]! - p[i]!) > 1e-6) expect(got.probs[i], `probability ${i}`).toBe(p[i]);
}

/** Chunk ranges cover rows 1…n once each, in order. */
function expectContiguous(ranges: Array<[number, number]>, n: number): void {
  let next = 1;
  for (const [a, b] of ranges) {
    expect(a).toBe(next);
    next = b + 1;
  }
  expect(next - 1).toBe(n);
}

function parseCsv(text: string): Papa.ParseResult<Record<string, string>> {
  return Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
}

let model: Model;
const created: BatchJob[] = [];

beforeAll(async () => {
  const registry = await openRegistry('/models/registry.json');
  model = await registry.load('iris', { backend: 'wasm' });
});

afterAll(async () => {
  for (const job of created) await job.delete().catch(() => undefined);
  await model.dispose();
});

async function job(file: File, options: Parameters<typeof createBatchJob>[1]): Promise<BatchJob> {
  const j = await createBatchJob(file, options);
  created.push(j);
  return j;
}

describe('CSV batch jobs', () => {
  it('a 10,000-row job (2 workers) gives the predictions of model.predict on the same rows; the CSV download parses back to 10,000 rows', async () => {
    const rows = irisRows(10_000, 1);
    const j = await job(fileOf(csvOf(FEATURES, rows)), { model, batchSize: 1000, workers: 2 });
    const statuses: string[] = [];
    j.addEventListener('status', (e) => statuses.push((e as CustomEvent<BatchJobRecord>).detail.status));
    const done = new Promise<BatchJobRecord>((resolve) => j.addEventListener('done', (e) => resolve((e as CustomEvent<BatchJobRecord>).detail)));
    const record = await j.finished();
    expect(record.status).toBe('done');
    expect((await done).status).toBe('done');
    expect(statuses).toContain('done');
    expect(record).toMatchObject({ rowsDone: 10_000, predicted: 10_000, errorCount: 0, chunks: 10, bytesDone: j.record.file.size });
    expect(record.model).toMatchObject({ name: 'iris', version: '1.0.0', sha256: 'a26eb232be9b2cdea65d9bc926ec9c61325f894585839dc2a724a5b65c2efeb1' });
    expect(record.csv?.header).toEqual(FEATURES);

    const got = await committed(j);
    expectContiguous(got.ranges, 10_000);
    expectSame(got, await model.predict({ features: rows }), 10_000);

    const blob = await j.download();
    expect(blob.type).toBe('text/csv;charset=utf-8');
    const parsed = parseCsv(await blob.text());
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toHaveLength(10_000);
    expect(parsed.meta.fields).toEqual([...FEATURES, 'prediction', 'probability_setosa', 'probability_versicolor', 'probability_virginica', 'error']);
    const labels = model.info.card!.outputs.labels!;
    parsed.data.forEach((row, i) => {
      if (i % 997 !== 0) return;
      expect(FEATURES.map((f) => Number(row[f]))).toEqual(rows[i]);
      expect(row.prediction).toBe(labels[got.labels[i]!]);
      expect(Number(row.probability_virginica)).toBeCloseTo(got.probs[i * 3 + 2]!, 6);
      expect(row.error).toBe('');
    });

    const summary = await j.summary();
    expect(summary.kind).toBe('classification');
    expect(summary.classes!.map((c) => c.label)).toEqual(labels);
    expect(summary.classes!.reduce((n, c) => n + c.count, 0)).toBe(10_000);
    expect(summary.classes!.find((c) => c.label === 'setosa')!.count).toBe(got.labels.filter((l) => l === 0).length);
    expect((await j.refresh()).summary).toEqual(summary);
  });

  it('malformed rows are recorded with row numbers and reasons; every other row is predicted; the download keeps every row', async () => {
    const rows: Array<Array<string | number>> = irisRows(50, 2);
    rows[4] = [5.1, 3.5, 1.4]; // row 5: too few fields
    rows[9] = [5.1, 'abc', 1.4, 0.2]; // row 10: not a number
    rows[19] = [5.1, 3.5, '', 0.2]; // row 20: empty
    rows[29] = [5.1, 3.5, 1.4, 0.2, 9]; // row 30: too many fields
    const j = await job(fileOf(csvOf(FEATURES, rows)), { model, batchSize: 16 });
    const record = await j.finished();
    expect(record).toMatchObject({ status: 'done', rowsDone: 50, predicted: 46, errorCount: 4, errorsByKind: { columns: 2, number: 1, empty: 1 } });
    const errors = [];
    for await (const e of j.errors()) errors.push(e);
    expect(errors).toEqual([
      { row: 5, kind: 'columns', reason: 'has 3 fields, expected 4 (one per header column)' },
      { row: 10, kind: 'number', reason: 'column "sepal width" is "abc", expected a number' },
      { row: 20, kind: 'empty', reason: 'column "petal length" is empty' },
      { row: 30, kind: 'columns', reason: 'has 5 fields, expected 4 (one per header column)' },
    ]);
    expect(record.firstErrors).toEqual(errors);

    const good = rows.filter((_, i) => ![4, 9, 19, 29].includes(i)) as number[][];
    expectSame(await committed(j), await model.predict({ features: good }), 46);

    const parsed = parseCsv(await (await j.download()).text());
    expect(parsed.data).toHaveLength(50);
    expect(parsed.data[9]).toMatchObject({ 'sepal width': 'abc', prediction: '', error: 'row 10: column "sepal width" is "abc", expected a number' });
    expect(parsed.data[4]).toMatchObject({ 'petal width': '', error: 'row 5: has 3 fields, expected 4 (one per header column)' });
    expect(parsed.data[10]!.error).toBe('');
    expect((await j.summary()).errors).toBe(4);
  });

  it('a missing column fails the job at once with CSV_INVALID naming it and listing the expected columns', async () => {
    const j = await job(fileOf(csvOf(['sepal length', 'sepal width', 'petal width'], [[1, 2, 3]])), { model });
    const err = await rejection(j.finished());
    expect(err.code).toBe('CSV_INVALID');
    expect(err.message).toBe(
      'CSV file "iris.csv" has no column "petal length". Expected columns: "sepal length", "sepal width", "petal length", "petal width". Found: "sepal length", "sepal width", "petal width".',
    );
    expect(j.record).toMatchObject({ status: 'failed', rowsDone: 0, error: { code: 'CSV_INVALID' } });
    expect((await listBatchJobs()).find((r) => r.id === j.id)?.status).toBe('failed');
  });

  it('cancel → status cancelled, the partial results kept and downloadable', async () => {
    const rows = irisRows(20_000, 3);
    const j = await job(fileOf(csvOf(FEATURES, rows)), { model, batchSize: 100, workers: 1 });
    await new Promise<void>((resolve) => j.addEventListener('progress', () => resolve(), { once: true }));
    const record = await j.cancel();
    expect(record.status).toBe('cancelled');
    expect(record.rowsDone).toBeGreaterThan(0);
    expect(record.rowsDone).toBeLessThan(20_000);
    expect(record.rowsDone % 100).toBe(0);
    const got = await committed(j);
    expectContiguous(got.ranges, record.rowsDone);
    expectSame(got, await model.predict({ features: rows.slice(0, record.rowsDone) }), record.rowsDone);
    const parsed = parseCsv(await (await j.download()).text());
    expect(parsed.data).toHaveLength(record.rowsDone);
    // A cancelled job is final.
    expect((await j.start()).status).toBe('cancelled');
  });

  it('pause and resume: every row predicted exactly once', async () => {
    const rows = irisRows(6000, 4);
    const j = await job(fileOf(csvOf(FEATURES, rows)), { model, batchSize: 200, workers: 1 });
    await new Promise<void>((resolve) => j.addEventListener('progress', () => resolve(), { once: true }));
    const paused = await j.pause();
    expect(paused.status).toBe('paused');
    expect(paused.rowsDone).toBeLessThan(6000);
    const done = await j.resume();
    expect(done).toMatchObject({ status: 'done', rowsDone: 6000, predicted: 6000 });
    const got = await committed(j);
    expectContiguous(got.ranges, 6000);
    expectSame(got, await model.predict({ features: rows }), 6000);
  });

  it('a reload in the middle of a job: it resumes from its last committed chunk, each row exactly once', async () => {
    const rows = irisRows(20_000, 5);
    const url = await putFile(`reload-${Date.now()}.csv`, csvOf(FEATURES, rows), 'text/csv');
    const frame = document.createElement('iframe');
    let id = '';
    const gone = new Promise<number>((resolve, reject) => {
      let progress = 0;
      const onMessage = (e: MessageEvent<{ source?: string; type: string; id: string; rowsDone: number; message: string }>) => {
        if (e.data?.source !== 'batch-job') return;
        if (e.data.type === 'error') reject(new Error(e.data.message));
        if (e.data.type === 'created') id = e.data.id;
        if (e.data.type === 'progress' && ++progress === 8) {
          // The page goes away mid-job: its workers, IndexedDB transactions and lock with it.
          frame.remove();
          window.removeEventListener('message', onMessage);
          resolve(e.data.rowsDone);
        }
      };
      window.addEventListener('message', onMessage);
    });
    frame.src = `/test/pages/batch-job.html?model=iris&batch=100&csv=${encodeURIComponent(url)}`;
    document.body.append(frame);
    const seen = await gone;
    expect(id).not.toBe('');
    const j = (await getBatchJob(id))!;
    created.push(j);
    const left = await j.refresh();
    expect(left.status).toBe('running'); // as the page left it
    expect(left.rowsDone).toBeGreaterThanOrEqual(seen);
    expect(left.rowsDone).toBeLessThan(20_000);
    // It will go on from a byte offset in the file, not from its start.
    expect(left.sync.byte).toBeGreaterThan(0);
    expect(left.sync.row).toBeGreaterThan(0);
    expect(left.sync.row).toBeLessThanOrEqual(left.rowsDone);

    // What an app does when it starts: continue the jobs a previous page left running.
    await expect.poll(async () => (await resumeBatchJobs({ model })).map((r) => r.id), { timeout: 20_000 }).toContain(id);
    const record = await j.finished();
    expect(record).toMatchObject({ status: 'done', rowsDone: 20_000, predicted: 20_000, errorCount: 0 });
    const got = await committed(j);
    expectContiguous(got.ranges, 20_000);
    expectSame(got, await model.predict({ features: rows }), 20_000);
    expect(parseCsv(await (await j.download()).text()).data).toHaveLength(20_000);
  });

  it('a chunk commit IndexedDB refuses fails the job at its last committed chunk (the stored record counts only stored chunks); a resume gives every row exactly once', async () => {
    const rows = irisRows(1000, 7);
    const j = await job(fileOf(csvOf(FEATURES, rows)), { model, batchSize: 100, workers: 1, start: false });
    // The real model, whose third chunk's outputs carry a function: IndexedDB cannot clone that
    // value, so that chunk's commit fails in the browser's own IndexedDB (a DataCloneError).
    let calls = 0;
    const refused = new Proxy(model, {
      get(target, key) {
        if (key === 'predict') {
          return async (...args: Parameters<Model['predict']>) => {
            const outputs = await target.predict(...args);
            return ++calls === 3 ? { ...outputs, unstorable: { data: () => 0, dims: [1] } } : outputs;
          };
        }
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const err = await rejection(j.start({ model: refused }));
    const saved = (await listBatchJobs()).find((r) => r.id === j.id)!;
    expect(saved).toMatchObject({ status: 'failed', rowsDone: 200, chunks: 2, predicted: 200, errorCount: 0 });
    expect(saved.sync.row).toBeLessThanOrEqual(200);
    expect(j.record).toMatchObject({ status: 'failed', rowsDone: 200, chunks: 2 });
    expect(err.code).toBe('INTERNAL');
    expect(err.message).toMatch(/^IndexedDB could not store the results of batch job "[^"]+" \(rows 201–300 were not stored; the 200 before are\): /);
    expect(saved.error).toMatchObject({ code: 'INTERNAL', message: err.message });
    expect(await committed(j)).toMatchObject({ ranges: [[1, 100], [101, 200]] });

    const done = await j.resume({ model });
    expect(done).toMatchObject({ status: 'done', rowsDone: 1000, predicted: 1000, chunks: 10 });
    const got = await committed(j);
    expectContiguous(got.ranges, 1000);
    expectSame(got, await model.predict({ features: rows }), 1000);
  });

  it('a file that is not valid UTF-8 resumes by reading again from its last exact offset, each row once', async () => {
    const rows = irisRows(6000, 6);
    const BAD = 1500;
    const text = csvOf(['name', ...FEATURES], rows.map((r, i) => [i === BAD - 1 ? 'caf\u00e9' : `r${i}`, ...r]));
    // Latin-1 bytes: the é of row 1500 is the single byte 0xE9, invalid in UTF-8 (it reads as U+FFFD).
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const j = await job(new File([bytes], 'latin1.csv', { type: 'text/csv' }), { model, batchSize: 100, workers: 1 });
    await new Promise<void>((resolve) =>
      j.addEventListener('progress', (e) => {
        if ((e as CustomEvent<BatchJobRecord>).detail.rowsDone >= BAD + 500) resolve();
      }),
    );
    const paused = await j.pause();
    expect(paused.status).toBe('paused');
    expect(paused.rowsDone).toBeLessThan(6000);
    // Exact offsets stop before the bad byte: the resume reads from there and skips the rows done.
    expect(paused.sync.row).toBeGreaterThan(0);
    expect(paused.sync.row).toBeLessThan(BAD);
    expect(new TextDecoder().decode(bytes.subarray(paused.sync.byte)).split('\n')[0]).toBe(text.split('\n')[paused.sync.row + 1]);
    expect((await j.resume()).status).toBe('done');
    const got = await committed(j);
    expectContiguous(got.ranges, 6000);
    expectSame(got, await model.predict({ features: rows }), 6000);
    const parsed = parseCsv(await (await j.download()).text());
    expect(parsed.data[BAD - 1]!.name).toBe('caf\ufffd');
  });

  it('refuses a model without a card, a non-file, unknown options and bad option values, naming the valid ones', async () => {
    const registry = await openRegistry('/models/registry.json');
    const bare = await registry.load('iris', { backend: 'wasm', card: false });
    expect((await rejection(createBatchJob(fileOf('a\n1\n'), { model: bare }))).message).toMatch(/has no model card/);
    await bare.dispose();
    expect((await rejection(createBatchJob(fileOf('a\n1\n'), { model, batch: 5 } as never))).message).toMatch(/Unknown option "batch" for createBatchJob\(\)/);
    expect((await rejection(createBatchJob('x' as never, { model }))).code).toBe('INVALID_ARGUMENT');
    expect((await rejection(createBatchJob(fileOf('a\n1\n'), { model, batchSize: 0 }))).message).toBe(
      'Option "batchSize" of createBatchJob() is 0. Expected an integer from 1 to 1000000.',
    );
    // job.start() rejects (it does not throw) on bad options, and starts nothing.
    const idle = await job(fileOf(csvOf(FEATURES, irisRows(10, 8))), { model, start: false });
    expect((await rejection(idle.start({ workers: 17 }))).message).toBe('Option "workers" of job.start() is 17. Expected an integer from 1 to 16.');
    expect((await rejection(idle.resume({ batchSize: 5 } as never))).message).toBe(
      'Unknown option "batchSize" for job.start(). Expected one of: "model", "workers", "signal".',
    );
    expect(idle.running).toBe(false);
    expect((await rejection(resumeBatchJobs({ signal: new AbortController().signal } as never))).message).toBe(
      'Unknown option "signal" for resumeBatchJobs(). Expected one of: "model", "workers".',
    );
  });

  it('a text model reads the "text" column', async () => {
    const registry = await openRegistry('/models/registry.json');
    const sentiment = await registry.load('sentiment-logreg', { backend: 'wasm' });
    const texts = ['A wonderful, moving film.', 'Dull and far too long.', '', 'I loved every minute of it'];
    const csv = Papa.unparse({ fields: ['id', 'text'], data: texts.map((t, i) => [i + 1, t]) });
    const j = await job(fileOf(csv, 'reviews.csv'), { model: sentiment, batchSize: 2 });
    const record = await j.finished();
    expect(record).toMatchObject({ status: 'done', input: 'text', rowsDone: 4, predicted: 3, errorCount: 1 });
    const parsed = parseCsv(await (await j.download()).text());
    expect(parsed.data.map((r) => r.prediction)).toEqual(['positive', 'negative', '', 'positive']);
    expect(parsed.data[2]!.error).toBe('row 3: column "text" is empty');
    await sentiment.dispose();
  });
});
