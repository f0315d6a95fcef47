/**
 * The page side of the batch-job benchmark (bench/batch.ts drives it with Playwright): a file
 * input that the runner fills with the generated CSV (a disk-backed File, as when a user picks
 * one), and `window.batchBench` to load a model and run one job.
 */
import { createBatchJob } from '../lib/batch/index.js';
import { openRegistry } from '../lib/model/registry.js';
import type { Model } from '../lib/types.js';

let model: Model | undefined;

export interface BatchRun {
  rows: number;
  predicted: number;
  errors: number;
  chunks: number;
  fileBytes: number;
  /** createBatchJob(): checks, and stores the input file in IndexedDB. */
  storeMs: number;
  /** From the job's start to done. */
  runMs: number;
  /** The results as a CSV Blob (streamed from IndexedDB). */
  exportMs: number;
  exportBytes: number;
  summaryMs: number;
  workers: number;
}

const api = {
  async load(name: string, threads?: number): Promise<{ name: string; version?: string; sha256?: string; threads: number }> {
    const registry = await openRegistry('/models/registry.json');
    model = await registry.load(name, { backend: 'wasm', threads: threads ?? 'auto' });
    return { name: model.info.name, version: model.info.version, sha256: model.info.sha256, threads: model.info.threads };
  },

  async run(workers: number, batchSize: number): Promise<BatchRun> {
    const file = (document.getElementById('csv') as HTMLInputElement).files?.[0];
    if (!file || !model) throw new Error('load a model and set the file first');
    const t0 = performance.now();
    const job = await createBatchJob(file, { model, workers, batchSize, start: false, notify: false });
    const t1 = performance.now();
    const record = await job.start({ model });
    const t2 = performance.now();
    const blob = await job.download();
    const t3 = performance.now();
    await job.summary();
    const t4 = performance.now();
    await job.delete();
    return {
      rows: record.rowsDone,
      predicted: record.predicted,
      errors: record.errorCount,
      chunks: record.chunks,
      fileBytes: file.size,
      storeMs: t1 - t0,
      runMs: t2 - t1,
      exportMs: t3 - t2,
      exportBytes: blob.size,
      summaryMs: t4 - t3,
      workers,
    };
  },
};

declare global {
  interface Window {
    batchBench: typeof api;
  }
}

window.batchBench = api;
document.body.dataset.ready = 'true';
