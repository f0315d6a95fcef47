/**
 * The batch jobs of this origin, from this page: create one for a CSV file, get the handle of a
 * stored one, list them, and continue those a previous page left unfinished. A job is a CSV file
 * predicted on the device, stored in IndexedDB as it goes, resumable after a reload or a crash,
 * with results to download as CSV (the handle: lib/batch/job.ts).
 */
import { MlPredictError, quote } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import { openRegistry } from '../model/registry.js';
import { BATCH_SIZE_RULE, checkOptions, WORKERS_RULE, type OptionRules } from '../options.js';
import { inputSpec } from './csv.js';
import { handleFor, knownJob, type BatchJob } from './job.js';
import { lockHeld } from './locks.js';
import { inputRanks, inputTypes, sha256Hex } from './run.js';
import { createJob, getRecord, listRecords } from './store.js';
import type { BatchJobOptions, BatchJobRecord, BatchRunOptions } from './types.js';

/** Rows per chunk of a job created without `batchSize`. */
export const DEFAULT_JOB_BATCH_SIZE = 2048;

const registryRule = (value: unknown) =>
  typeof value === 'string' || value instanceof URL || (typeof value === 'object' && value !== null)
    ? undefined
    : 'a registry (from openRegistry()), its URL, or a URL string';

/** The options of createBatchJob(), in their documented order. */
const CREATE_RULES: OptionRules = {
  model: 'object',
  registry: registryRule,
  name: 'string',
  version: 'string',
  card: 'object',
  batchSize: BATCH_SIZE_RULE,
  workers: WORKERS_RULE,
  useDefaults: 'boolean',
  notify: 'boolean',
  start: 'boolean',
};

/** The options of resumeBatchJobs(), in their documented order. */
const RESUME_RULES: OptionRules = { model: 'object', workers: WORKERS_RULE };

/**
 * Creates a batch job for a CSV file and (by default) starts it. The file is stored with the
 * job, so the job can resume after a reload without asking for it again.
 *
 * @example
 * const job = await createBatchJob(file, { model });            // model loaded with its card
 * job.addEventListener('progress', (e) => bar.value = e.detail.bytesDone / e.detail.file.size);
 * await job.finished();
 * const csv = await job.download();
 */
export async function createBatchJob(file: Blob, given: BatchJobOptions): Promise<BatchJob> {
  if (!(file instanceof Blob)) {
    throw new MlPredictError('INVALID_ARGUMENT', `createBatchJob() takes a File or Blob with CSV text, got ${quote(file)}.`);
  }
  const options = checkOptions(given, 'createBatchJob()', CREATE_RULES);
  const batchSize = options.batchSize ?? DEFAULT_JOB_BATCH_SIZE;
  const workers = options.workers;
  let model = options.model;
  let owned = false;
  let registryUrl: string | undefined;
  if (!model) {
    if (options.registry === undefined || options.name === undefined) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        'createBatchJob() needs a model: pass { model } (a loaded model with a card), or { registry, name } (and a version) to load one.',
      );
    }
    const registry = typeof options.registry === 'string' || options.registry instanceof URL ? await openRegistry(options.registry) : options.registry;
    registryUrl = registry.url;
    model = await registry.load(options.name, { version: options.version });
    owned = true;
  }
  const card: ModelCard | undefined = options.card ?? model.info.card;
  try {
    if (!card) {
      throw new MlPredictError(
        'INVALID_ARGUMENT',
        `Model "${model.info.name}" has no model card: a batch job matches CSV columns to the card's features. Load it with its card (openRegistry(…).load, or loadModel(url, { card })) or pass { card }.`,
      );
    }
    const spec = inputSpec(card, inputTypes(model), options.useDefaults ?? false, inputRanks(model));
    const now = Date.now();
    const info = model.info;
    const sha256 = sha256Hex(model);
    const record: BatchJobRecord = {
      id: crypto.randomUUID(),
      status: 'queued',
      model: {
        name: card.name || info.name,
        version: info.version ?? card.version,
        sha256,
        bytes: info.bytes,
        url: info.url,
        integrity: `sha256-${info.sha256}`,
        registry: registryUrl,
      },
      file: { name: (file as File).name ?? 'data.csv', size: file.size, type: file.type, lastModified: (file as File).lastModified },
      input: spec.kind,
      batchSize,
      workers,
      useDefaults: options.useDefaults ?? false,
      notify: options.notify ?? true,
      rowsDone: 0,
      predicted: 0,
      errorCount: 0,
      errorsByKind: {},
      firstErrors: [],
      bytesDone: 0,
      chunks: 0,
      sync: { byte: 0, row: 0 },
      createdAt: now,
      updatedAt: now,
      runMs: 0,
    };
    await createJob(record, card, file);
    const job = handleFor(record);
    if (options.start === false && owned) await model.dispose();
    else job.attachModel(model, owned);
    if (options.start !== false) void job.start().catch(() => undefined);
    return job;
  } catch (e) {
    if (owned) await model.dispose();
    throw e;
  }
}

/** The job with this id (the same handle each time), or undefined. */
export async function getBatchJob(id: string): Promise<BatchJob | undefined> {
  const known = knownJob(id);
  if (known) return known;
  const record = await getRecord(id);
  return record ? handleFor(record) : undefined;
}

/** Records of every stored job, oldest first. */
export function listBatchJobs(): Promise<BatchJobRecord[]> {
  return listRecords();
}

/**
 * Continues the jobs a previous page left queued or running (after a reload, a crash or a closed
 * tab), skipping those another tab is running. Call it once when the app starts.
 */
export async function resumeBatchJobs(given: Omit<BatchRunOptions, 'signal'> = {}): Promise<BatchJob[]> {
  const options = checkOptions(given, 'resumeBatchJobs()', RESUME_RULES);
  const resumed: BatchJob[] = [];
  for (const record of await listRecords()) {
    if (record.status !== 'running' && record.status !== 'queued') continue;
    const job = handleFor(record);
    if (job.running || (await lockHeld(record.id))) continue;
    void job.start(options).catch(() => undefined);
    resumed.push(job);
  }
  return resumed;
}
