/**
 * The batch worker: streams a CSV file (`Blob.stream()` → streaming UTF-8 decoder → papaparse),
 * matches its columns to the model card and turns rows into input chunks; writes results back
 * out as CSV; summarises results. One worker per use (a job run, a download, a summary), started
 * by lib/batch/worker-client.ts. Memory stays bounded: a few chunks of rows at a time.
 */
import * as Comlink from 'comlink';
import { MlPredictError, quote } from '../errors.js';
import type { ModelCard } from '../model/card.js';
import { interpret } from '../model/interpret.js';
import type { Outputs } from '../types.js';
import { serveWorker, transferablesOf } from '../worker/protocol.js';
import {
  ChunkBuilder,
  csvLine,
  detectFormat,
  matchColumns,
  predictionCells,
  predictionColumns,
  RowReader,
  type SyncPoint,
} from './csv.js';
import type { BatchWorkerApi, OpenRequest, ParsedChunk } from './protocol.js';
import { getCard, getChunk, getFile, getRecord, noJob } from './store.js';
import type { BatchJobCsv, BatchJobRecord, BatchSummary, ResultChunk } from './types.js';

/** Characters of text read before guessing the delimiter and line ending. */
const SAMPLE_CHARS = 64 * 1024;
/** Characters parsed at a time: the spacing of resume points. */
const SYNC_PIECE = 8 * 1024;
/** Size of the pieces of results CSV handed to the page. */
const EXPORT_PIECE = 256 * 1024;

/** Text from a Blob, decoded as a stream (a character split across reads is kept whole). */
class TextSource {
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  // ignoreBOM: keep a byte-order mark in the text, so that byte counts stay exact; the header strips it.
  private readonly decoder = new TextDecoder('utf-8', { ignoreBOM: true });
  bytesRead: number;
  done = false;

  constructor(blob: Blob, start: number) {
    this.reader = blob.slice(start).stream().getReader() as ReadableStreamDefaultReader<Uint8Array>;
    this.bytesRead = start;
  }

  async read(): Promise<{ text: string; final: boolean }> {
    if (this.done) return { text: '', final: true };
    const { value, done } = await this.reader.read();
    if (done) {
      this.done = true;
      return { text: this.decoder.decode(), final: true };
    }
    this.bytesRead += value.byteLength;
    return { text: this.decoder.decode(value, { stream: true }), final: false };
  }

  cancel(): void {
    this.done = true;
    void this.reader.cancel().catch(() => undefined);
  }
}

/** Data rows of a CSV from a resume point, each with its 1-based row number. */
class Rows {
  private queue: string[][] = [];
  private head = 0;
  private readonly reader: RowReader;
  private readonly source: TextSource;
  private headerPending: boolean;
  private skip: number;
  /** Row number of the last row taken. */
  taken: number;
  /** Resume points seen, oldest first (pruned as rows are taken). */
  private syncs: SyncPoint[] = [];
  final = false;

  constructor(file: Blob, csv: BatchJobCsv, start: SyncPoint, skip: number) {
    this.source = new TextSource(file, start.byte);
    this.reader = new RowReader(csv, start, start.byte === 0);
    this.headerPending = start.byte === 0;
    this.skip = skip;
    this.taken = start.row;
    this.syncs.push({ ...start });
  }

  get bytesRead(): number {
    return this.source.bytesRead;
  }

  get available(): number {
    return this.queue.length - this.head;
  }

  /** Reads and parses until at least `n` rows are waiting, or the file ends. */
  async fill(n: number): Promise<void> {
    while (this.available < n && !this.final) {
      const { text, final } = await this.source.read();
      // Parsed in pieces, so that resume points (one per piece) fall every few hundred rows.
      for (let i = 0; i < text.length || (final && i === 0); i += SYNC_PIECE) {
        const last = i + SYNC_PIECE >= text.length;
        this.parse(text.slice(i, i + SYNC_PIECE), final && last);
      }
      this.final = final;
    }
  }

  private parse(text: string, final: boolean): void {
    let rows = this.reader.push(text, final);
    if (this.headerPending && rows.length > 0) {
      this.headerPending = false;
      rows = rows.slice(1);
    }
    if (this.skip > 0 && rows.length > 0) {
      const dropped = Math.min(this.skip, rows.length);
      this.skip -= dropped;
      this.taken += dropped;
      rows = rows.slice(dropped);
    }
    if (rows.length > 0) {
      if (this.head > 4096) {
        this.queue = this.queue.slice(this.head);
        this.head = 0;
      }
      for (const r of rows) this.queue.push(r);
    }
    const s = this.reader.sync;
    const last = this.syncs[this.syncs.length - 1]!;
    if (s.byte !== last.byte) this.syncs.push({ ...s });
  }

  /** Takes up to `n` rows; returns them with the number of the first. */
  take(n: number): { rows: string[][]; first: number } {
    const count = Math.min(n, this.available);
    const rows = this.queue.slice(this.head, this.head + count);
    this.head += count;
    const first = this.taken + 1;
    this.taken += count;
    return { rows, first };
  }

  /** The latest resume point at or before the last row taken. */
  syncAtTaken(): SyncPoint {
    let best = this.syncs[0]!;
    let keep = 0;
    for (let i = 0; i < this.syncs.length; i++) {
      if (this.syncs[i]!.row <= this.taken) {
        best = this.syncs[i]!;
        keep = i;
      }
    }
    this.syncs = this.syncs.slice(keep);
    return best;
  }

  cancel(): void {
    this.source.cancel();
  }
}

/** Reads the header of a new job's file: the format, the header row and the column matching. */
async function readHeader(req: OpenRequest): Promise<BatchJobCsv> {
  const source = new TextSource(req.file, 0);
  const name = quote(req.fileName);
  let sample = '';
  let final = false;
  while (sample.length < SAMPLE_CHARS && !final) {
    const r = await source.read();
    sample += r.text;
    final = r.final;
  }
  const format = detectFormat(sample);
  const reader = new RowReader(format, { byte: 0, row: 0 }, true);
  let rows = reader.push(sample, final);
  while (rows.length === 0 && !final) {
    const r = await source.read();
    final = r.final;
    rows = reader.push(r.text, final);
  }
  source.cancel();
  const first = rows[0];
  if (!first) {
    throw new MlPredictError('CSV_INVALID', `CSV file ${name} is empty: the first row must name the columns.`, { file: req.fileName });
  }
  const header = first.map((h, i) => (i === 0 ? h.replace(/^\ufeff/, '') : h));
  const columns = matchColumns(req.spec, header, `CSV file ${name}`);
  return { ...format, header, columns };
}

let source: Rows | undefined;
let builder: ChunkBuilder | undefined;
let request: OpenRequest | undefined;
let chunkIndex = 0;
/** The next chunk, parsed while the page predicts the current one. */
let ahead: Promise<ParsedChunk | null> | undefined;

async function produce(): Promise<ParsedChunk | null> {
  const rows = source!;
  const size = request!.batchSize;
  await rows.fill(size);
  if (rows.available === 0) return null;
  const { rows: taken, first } = rows.take(size);
  const built = builder!.build(taken, first);
  return {
    index: chunkIndex++,
    firstRow: first,
    rows: taken.length,
    feeds: built.feeds,
    valid: built.valid,
    errors: built.errors,
    sync: rows.syncAtTaken(),
    bytesRead: Math.min(rows.bytesRead, request!.file.size),
  };
}

// ---------------------------------------------------------------------------------------------
// Results → CSV

interface ExportState {
  record: BatchJobRecord;
  card: ModelCard;
  rows: Rows;
  chunk?: ResultChunk;
  chunkErrors: Map<number, string>;
  /** Index among the chunk's readable rows (its row of outputs). */
  valid: number;
  nextChunk: number;
  headerSent: boolean;
  width: number;
  blanks: string[];
}

let exporting: ExportState | undefined;
const encoder = new TextEncoder();

async function loadChunk(state: ExportState): Promise<ResultChunk> {
  const chunk = await getChunk(state.record.id, state.nextChunk);
  if (!chunk) {
    throw new MlPredictError('INTERNAL', `Result chunk ${state.nextChunk} of batch job ${quote(state.record.id)} is missing from IndexedDB.`);
  }
  state.nextChunk++;
  state.chunk = chunk;
  state.chunkErrors = new Map(chunk.errors.map((e) => [e.row, e.reason]));
  state.valid = 0;
  return chunk;
}

async function exportPiece(state: ExportState): Promise<string | null> {
  const lines: string[] = [];
  let size = 0;
  const csv = state.record.csv!;
  if (!state.headerSent) {
    state.headerSent = true;
    const line = csvLine([...csv.header, ...predictionColumns(state.card, csv.header)]);
    lines.push(line);
    size += line.length;
  }
  const limit = state.record.rowsDone;
  while (size < EXPORT_PIECE && state.rows.taken < limit) {
    await state.rows.fill(Math.min(1024, limit - state.rows.taken));
    if (state.rows.available === 0) break;
    const { rows, first } = state.rows.take(Math.min(1024, limit - state.rows.taken));
    for (let r = 0; r < rows.length; r++) {
      const n = first + r;
      let chunk = state.chunk;
      while (!chunk || n >= chunk.firstRow + chunk.rows) chunk = await loadChunk(state);
      const fields = rows[r]!;
      const cells = fields.length === state.width ? fields : Array.from({ length: state.width }, (_, i) => fields[i] ?? '');
      const error = state.chunkErrors.get(n);
      let out: string[];
      if (error !== undefined) out = [...cells, ...state.blanks, `row ${n}: ${error}`];
      else out = [...cells, ...predictionCells(state.card, chunk.outputs as Outputs, state.valid++), ''];
      const line = csvLine(out);
      lines.push(line);
      size += line.length;
    }
  }
  if (lines.length === 0) return null;
  return lines.join('\r\n') + '\r\n';
}

// ---------------------------------------------------------------------------------------------
// Summary

async function summarise(jobId: string): Promise<BatchSummary> {
  const record = await getRecord(jobId);
  const card = await getCard(jobId);
  if (!record || !card) throw new MlPredictError('INVALID_ARGUMENT', `No batch job with id ${quote(jobId)}.`);
  const base = { rows: record.rowsDone, predicted: record.predicted, errors: record.errorCount, errorsByKind: { ...record.errorsByKind } };
  const each = async (fn: (outputs: Outputs, i: number) => void) => {
    for (let k = 0; k < record.chunks; k++) {
      const chunk = await getChunk(jobId, k);
      if (!chunk?.outputs) continue;
      const valid = chunk.rows - chunk.errors.length;
      for (let i = 0; i < valid; i++) fn(chunk.outputs, i);
    }
  };
  if (card.task === 'regression') {
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let n = 0;
    await each((o, i) => {
      const r = interpret(card, o, i);
      if (r.kind !== 'regression') return;
      min = Math.min(min, r.value);
      max = Math.max(max, r.value);
      sum += r.value;
      n++;
    });
    const bins = Array.from({ length: n === 0 ? 0 : 20 }, (_, b) => ({ from: min + ((max - min) * b) / 20, to: min + ((max - min) * (b + 1)) / 20, count: 0 }));
    if (n > 0) {
      await each((o, i) => {
        const r = interpret(card, o, i);
        if (r.kind !== 'regression') return;
        const b = max === min ? 0 : Math.min(19, Math.floor(((r.value - min) / (max - min)) * 20));
        bins[b]!.count++;
      });
    }
    return { ...base, kind: 'regression', histogram: { min: n ? min : 0, max: n ? max : 0, mean: n ? sum / n : 0, unit: card.outputs.unit, bins } };
  }
  const counts = new Map<string, number>((card.outputs.labels ?? []).map((l) => [l, 0]));
  await each((o, i) => {
    const r = interpret(card, o, i);
    if (r.kind === 'classification') counts.set(r.label, (counts.get(r.label) ?? 0) + 1);
  });
  return { ...base, kind: 'classification', classes: [...counts].map(([label, count]) => ({ label, count })) };
}

// ---------------------------------------------------------------------------------------------

const api: BatchWorkerApi = {
  async open(req) {
    request = req;
    const csv = req.csv ?? (await readHeader(req));
    source = new Rows(req.file, csv, req.start, req.skip);
    builder = new ChunkBuilder(req.spec, csv.header, csv.columns);
    chunkIndex = req.firstChunk;
    ahead = produce();
    ahead.catch(() => undefined);
    return csv;
  },

  async next() {
    if (!ahead) throw new MlPredictError('INTERNAL', 'The batch worker was asked for rows before open().');
    const chunk = await ahead;
    ahead = chunk ? produce() : Promise.resolve(null);
    ahead.catch(() => undefined);
    if (!chunk) return null;
    return chunk.feeds ? Comlink.transfer(chunk, transferablesOf(chunk.feeds)) : chunk;
  },

  async exportOpen(jobId) {
    const record = await getRecord(jobId);
    const card = await getCard(jobId);
    const file = await getFile(jobId);
    if (!record || !card || !file) throw noJob(jobId);
    if (!record.csv) {
      throw new MlPredictError('INVALID_ARGUMENT', `Batch job ${quote(jobId)} has no results: it stopped before reading its CSV header (status ${quote(record.status)}).`);
    }
    const width = record.csv.header.length;
    const blanks = predictionColumns(card, record.csv.header).slice(0, -1).map(() => '');
    exporting = {
      record,
      card,
      rows: new Rows(file, record.csv, { byte: 0, row: 0 }, 0),
      chunkErrors: new Map(),
      valid: 0,
      nextChunk: 0,
      headerSent: false,
      width,
      blanks,
    };
  },

  async exportNext() {
    if (!exporting) throw new MlPredictError('INTERNAL', 'The batch worker was asked for results before exportOpen().');
    const text = await exportPiece(exporting);
    if (text === null) {
      exporting.rows.cancel();
      return null;
    }
    const bytes = encoder.encode(text);
    return Comlink.transfer(bytes, [bytes.buffer]);
  },

  summary: summarise,
};

serveWorker(api);
