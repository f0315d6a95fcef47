/**
 * CSV for batch jobs, pure logic (no DOM, no IndexedDB): incremental parsing with byte-exact
 * resume points, header → card-feature matching, rows → model input chunks with per-row
 * errors, and results → CSV lines. Runs in the batch worker; tested in node.
 *
 * Parsing is papaparse's core `Papa.Parser`, fed text that a streaming `TextDecoder` produced
 * from `File.stream()` bytes. Papaparse's own streamers are not used: its worker mode starts a
 * `blob:` worker (refused under `worker-src 'self'`), and its chunked readers decode every chunk
 * on its own, so a UTF-8 character split across chunks turns into U+FFFD (mholt/PapaParse
 * #751, #1132), and they guess the line ending from the first chunk only.
 */
import Papa from 'papaparse';
import { MlPredictError, oneOf, quote } from '../errors.js';
import type { Feature, ModelCard, TextPreprocessing } from '../model/card.js';
import { interpret } from '../model/interpret.js';
import { textToTensor, tokenize } from '../tasks/text.js';
import type { Outputs, Tensor, TensorType, TypedArray } from '../types.js';
import { columnSpecs, columnTensor, readCell, type ColumnSpec } from './columns.js';

export type Newline = '\n' | '\r\n' | '\r';

export interface CsvFormat {
  delimiter: string;
  newline: Newline;
}

/** Where parsing can start again: a byte offset at a row boundary, and the data rows before it. */
export interface SyncPoint {
  /** Byte offset in the file; 0 means the start of the file (the header row comes first). */
  byte: number;
  /** Data rows (not counting the header) before `byte`. */
  row: number;
}

/** Longest row (in characters) the parser will hold while waiting for its end. */
export const MAX_ROW_CHARS = 16 * 1024 * 1024;

/** UTF-8 length of s[start, end). Lone surrogates count 3 bytes (as U+FFFD). */
export function utf8Length(s: string, start = 0, end = s.length): number {
  let bytes = end - start;
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(start === 0 && end === s.length ? s : s.slice(start, end))) return bytes;
  for (let i = start; i < end; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < end && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 2; // a surrogate pair: 2 code units, 4 bytes
      i++;
    } else bytes += 2;
  }
  return bytes;
}

/** The delimiter and line ending of a CSV, from a sample of its start (papaparse's guess). */
export function detectFormat(sample: string): CsvFormat {
  // Whole lines only: a row cut in the middle would skew the guess.
  const end = sample.lastIndexOf('\n');
  const lines = end > 0 ? sample.slice(0, end + 1) : sample;
  const r = Papa.parse<string[]>(lines, { preview: 50, skipEmptyLines: true, delimitersToGuess: [',', ';', '\t', '|'] });
  const delimiter = typeof r.meta.delimiter === 'string' && r.meta.delimiter ? r.meta.delimiter : ',';
  const lb = r.meta.linebreak;
  const newline: Newline = lb === '\r\n' || lb === '\r' ? lb : '\n';
  return { delimiter, newline };
}

/**
 * Incremental CSV rows from text pieces. Remembers how many bytes the complete rows so far took,
 * so that a later run can start from a row boundary with `Blob.slice(byte)`. Byte counts are
 * exact for valid UTF-8; once a U+FFFD appears (invalid bytes, or a real U+FFFD) the resume
 * point stops moving, and a resume re-reads from the last exact point and skips rows.
 */
export class RowReader {
  private readonly parser: Papa.Parser;
  private readonly start: SyncPoint;
  private partial = '';
  private byte: number;
  private exact = true;
  /** Rows whose ends were seen so far by this reader (empty lines not counted; the header counted). */
  private rows = 0;
  /** The latest point where parsing could start again (the end of the last complete row of the last `push`). */
  sync: SyncPoint;

  constructor(
    readonly format: CsvFormat,
    start: SyncPoint,
    /** True when the text begins with the header row (returned like the others; the caller skips it). */
    private readonly headerFirst: boolean,
  ) {
    this.parser = new Papa.Parser({ delimiter: format.delimiter, newline: format.newline, quoteChar: '"' });
    this.start = { ...start };
    this.byte = start.byte;
    this.sync = { ...start };
  }

  /** Parses `text` after what came before; returns the rows completed. `final` flushes the last row. */
  push(text: string, final: boolean): string[][] {
    const aggregate = this.partial + text;
    const result = this.parser.parse(aggregate, 0, !final) as { data: string[][]; meta: { cursor: number } };
    const cursor = final ? aggregate.length : result.meta.cursor;
    const consumed = aggregate.slice(0, cursor);
    this.partial = aggregate.slice(cursor);
    if (this.partial.length > MAX_ROW_CHARS) {
      throw new MlPredictError(
        'CSV_INVALID',
        `Row ${this.start.row + this.dataRows() + 1} of the CSV is longer than ${MAX_ROW_CHARS / 1024 / 1024} M characters and has not ended: is a quoted field missing its closing quote (")?`,
      );
    }
    if (this.exact && consumed.includes('\ufffd')) this.exact = false;
    this.byte += utf8Length(consumed);
    // Empty lines (a lone empty field) are not rows.
    const rows = result.data.filter((r) => !(r.length === 1 && r[0] === ''));
    this.rows += rows.length;
    if (this.exact) this.sync = { byte: this.byte, row: this.start.row + this.dataRows() };
    return rows;
  }

  /** Data rows this reader has seen, not counting the header. */
  private dataRows(): number {
    return this.headerFirst ? Math.max(0, this.rows - 1) : this.rows;
  }
}

// ---------------------------------------------------------------------------------------------
// Header → card inputs

/** Element types a CSV's feature values can be fed as. */
export const FEATURE_TYPES = ['float32', 'float64', 'int32', 'int64'] as const;
export type FeatureType = (typeof FEATURE_TYPES)[number];

/** What a job reads from each row, and into which tensor(s). */
export type InputSpec =
  | { kind: 'features'; tensor: string; type: FeatureType; features: Feature[]; useDefaults: boolean }
  | { kind: 'columns'; columns: ColumnSpec[]; useDefaults: boolean }
  | { kind: 'text'; tensor: string; column: string; preprocessing: TextPreprocessing };

/** The column a text model reads. */
export const TEXT_COLUMN = 'text';

/**
 * Builds the input spec of a card for a model whose inputs have these element types (and
 * ranks: a "columns" card's [N] inputs get [N] tensors, others [N, 1]).
 */
export function inputSpec(card: ModelCard, inputTypes: Readonly<Record<string, TensorType>>, useDefaults: boolean, ranks?: Readonly<Record<string, number>>): InputSpec {
  const input = card.input;
  const names = Object.keys(inputTypes);
  if (input.kind === 'columns') return { kind: 'columns', columns: columnSpecs(card, inputTypes, ranks), useDefaults };
  if (input.kind !== 'features' && input.kind !== 'text') {
    throw new MlPredictError(
      'INVALID_ARGUMENT',
      `Model "${card.name}" takes ${input.kind} input; CSV batch jobs read cards whose input kind is one of: "features", "columns", "text".`,
    );
  }
  const type = inputTypes[input.tensor];
  if (type === undefined) {
    throw new MlPredictError('CARD_INVALID', `Model card "${card.name}": input tensor ${quote(input.tensor)} is not among the model's inputs ${oneOf(names)}.`);
  }
  if (names.length !== 1) {
    throw new MlPredictError('INVALID_ARGUMENT', `Model "${card.name}" has ${names.length} inputs (${oneOf(names)}); CSV batch jobs feed models with one input.`);
  }
  if (input.kind === 'text') {
    if (type !== 'string') throw new MlPredictError('CARD_INVALID', `Model card "${card.name}": text input ${quote(input.tensor)} must be a string tensor, the model has ${type}.`);
    return { kind: 'text', tensor: input.tensor, column: TEXT_COLUMN, preprocessing: input.preprocessing };
  }
  if (!(FEATURE_TYPES as readonly string[]).includes(type)) {
    throw new MlPredictError(
      'UNSUPPORTED_MODEL',
      `Model "${card.name}" takes features as ${type}; CSV batch jobs feed feature tensors of type ${oneOf(FEATURE_TYPES)}.`,
    );
  }
  return { kind: 'features', tensor: input.tensor, type: type as FeatureType, features: input.features, useDefaults };
}

function normalise(name: string): string {
  return name.replace(/^\ufeff/, '').trim();
}

/**
 * Column index for each input of the spec (features in card order, or the text column), matched
 * by header name: exactly (after trimming), else ignoring case. A missing required column, or a
 * name that two columns share, is `CSV_INVALID`, naming the column and listing the expected ones.
 * With `useDefaults`, a missing column of a feature that has a default reads as that default (-1).
 */
export function matchColumns(spec: InputSpec, header: readonly string[], file = 'the CSV file'): number[] {
  const found = header.map(normalise);
  const wanted = spec.kind === 'text' ? [{ name: spec.column, default: undefined }] : spec.kind === 'columns' ? spec.columns.map((c) => c.feature) : spec.features;
  const expected = wanted.map((f) => f.name);
  const columns: number[] = [];
  const missing: string[] = [];
  for (const f of wanted) {
    let hits = found.flatMap((h, i) => (h === f.name ? [i] : []));
    if (hits.length === 0) hits = found.flatMap((h, i) => (h.toLowerCase() === f.name.toLowerCase() ? [i] : []));
    if (hits.length > 1) {
      throw new MlPredictError(
        'CSV_INVALID',
        `${file} has ${hits.length} columns named ${quote(f.name)} (columns ${hits.map((i) => i + 1).join(', ')}); each input column must appear once.`,
        { column: f.name, header: [...header] },
      );
    }
    if (hits.length === 1) columns.push(hits[0]!);
    else if (spec.kind !== 'text' && spec.useDefaults && f.default !== undefined) columns.push(-1);
    else missing.push(f.name);
  }
  if (missing.length > 0) {
    throw new MlPredictError(
      'CSV_INVALID',
      `${file} has no column ${oneOf(missing)}${missing.length > 1 ? ' (missing columns)' : ''}. Expected columns: ${oneOf(expected)}. Found: ${oneOf(found)}.`,
      { missing, expected, found },
    );
  }
  return columns;
}

// ---------------------------------------------------------------------------------------------
// Rows → chunks

export type RowErrorKind = 'columns' | 'empty' | 'number' | 'category' | 'text';

/** A row that could not be predicted. `row` is 1-based and counts data rows (the header is row 0). */
export interface RowError {
  row: number;
  kind: RowErrorKind;
  reason: string;
}

export interface BuiltChunk {
  /** Model inputs for the rows that could be read, or null when none could. */
  feeds: Record<string, Tensor> | null;
  /** How many rows are in `feeds`. */
  valid: number;
  errors: RowError[];
}

/** Turns parsed rows into input tensors, recording the rows that cannot be read and why. */
export class ChunkBuilder {
  private readonly categories: Array<Map<string, number> | undefined>;

  constructor(
    private readonly spec: InputSpec,
    private readonly header: readonly string[],
    private readonly columns: readonly number[],
  ) {
    this.categories =
      spec.kind === 'features' ? spec.features.map((f) => (f.type === 'category' ? new Map(f.categories.map((c, i) => [c, i])) : undefined)) : [];
  }

  /** Rows `rows` whose first data row number (1-based) is `firstRow`. */
  build(rows: readonly string[][], firstRow: number): BuiltChunk {
    if (this.spec.kind === 'columns') return this.buildColumns(rows, firstRow);
    return this.spec.kind === 'text' ? this.buildText(rows, firstRow) : this.buildFeatures(rows, firstRow);
  }

  /** One tensor per column; a row with any bad cell is an error (its problems joined), the others are fed. */
  private buildColumns(rows: readonly string[][], firstRow: number): BuiltChunk {
    const spec = this.spec as Extract<InputSpec, { kind: 'columns' }>;
    const values = spec.columns.map(() => [] as (number | string)[]);
    const errors: RowError[] = [];
    const row: (number | string)[] = new Array<number | string>(spec.columns.length);
    for (let r = 0; r < rows.length; r++) {
      const fields = rows[r]!;
      const rowNumber = firstRow + r;
      const bad = this.columnCount(fields, rowNumber);
      if (bad) {
        errors.push(bad);
        continue;
      }
      const problems: string[] = [];
      let kind: RowErrorKind | undefined;
      spec.columns.forEach((c, j) => {
        const col = this.columns[j]!;
        const read = readCell(c, col < 0 ? '' : fields[col]!, this.header[col] ?? c.feature.name, spec.useDefaults);
        if ('value' in read) row[j] = read.value;
        else {
          problems.push(read.reason);
          kind ??= read.kind;
        }
      });
      if (kind !== undefined) {
        errors.push({ row: rowNumber, kind, reason: problems.join('; ') });
        continue;
      }
      row.forEach((v, j) => values[j]!.push(v));
    }
    const valid = values[0]!.length;
    if (valid === 0) return { feeds: null, valid, errors };
    return { feeds: Object.fromEntries(spec.columns.map((c, j) => [c.tensor, columnTensor(c, values[j]!)])), valid, errors };
  }

  private columnCount(fields: readonly string[], row: number): RowError | undefined {
    if (fields.length === this.header.length) return undefined;
    return { row, kind: 'columns', reason: `has ${fields.length} field${fields.length === 1 ? '' : 's'}, expected ${this.header.length} (one per header column)` };
  }

  private buildFeatures(rows: readonly string[][], firstRow: number): BuiltChunk {
    const spec = this.spec as Extract<InputSpec, { kind: 'features' }>;
    const width = spec.features.length;
    const isInt = spec.type === 'int32' || spec.type === 'int64';
    const values = new Float64Array(rows.length * width);
    const errors: RowError[] = [];
    let valid = 0;
    const problems: string[] = [];
    const kinds: RowErrorKind[] = [];
    for (let r = 0; r < rows.length; r++) {
      const fields = rows[r]!;
      const rowNumber = firstRow + r;
      const bad = this.columnCount(fields, rowNumber);
      if (bad) {
        errors.push(bad);
        continue;
      }
      problems.length = 0;
      kinds.length = 0;
      const base = valid * width;
      for (let j = 0; j < width; j++) {
        const f = spec.features[j]!;
        const col = this.columns[j]!;
        let s = col < 0 ? '' : fields[col]!;
        if (f.type !== 'category') {
          // Fast path: a number (Number() also reads "" and blanks as 0, so a 0 is checked below).
          const v = Number(s);
          if (v !== 0 && Number.isFinite(v) && (!isInt || Number.isInteger(v))) {
            values[base + j] = v;
            continue;
          }
        }
        if (s.trim() === '') {
          // A feature that allows missing values reads an empty cell as NaN (as columns.ts readCell does).
          if (f.type === 'number' && f.missing === true && !isInt) {
            values[base + j] = Number.NaN;
            continue;
          }
          if (spec.useDefaults && f.default !== undefined) s = String(f.default);
          else {
            problems.push(`column ${quote(this.header[col] ?? f.name)} is empty`);
            kinds.push('empty');
            continue;
          }
        }
        if (f.type === 'category') {
          const i = this.categories[j]!.get(s) ?? this.categories[j]!.get(s.trim());
          if (i === undefined) {
            problems.push(`column ${quote(this.header[col] ?? f.name)} is ${quote(s)}, expected one of: ${oneOf(f.categories)}`);
            kinds.push('category');
          } else values[base + j] = i;
          continue;
        }
        const v = Number(s);
        if (!Number.isFinite(v) || (isInt && !Number.isInteger(v))) {
          problems.push(`column ${quote(this.header[col] ?? f.name)} is ${quote(s)}, expected ${isInt ? 'an integer' : 'a number'}`);
          kinds.push('number');
          continue;
        }
        values[base + j] = v;
      }
      if (problems.length > 0) {
        errors.push({ row: rowNumber, kind: kinds[0]!, reason: problems.join('; ') });
        continue;
      }
      valid++;
    }
    if (valid === 0) return { feeds: null, valid, errors };
    const n = valid * width;
    const data: TypedArray =
      spec.type === 'float64'
        ? values.slice(0, n)
        : spec.type === 'float32'
          ? Float32Array.from(values.subarray(0, n))
          : spec.type === 'int32'
            ? Int32Array.from(values.subarray(0, n))
            : BigInt64Array.from(values.subarray(0, n), (v) => BigInt(v));
    return { feeds: { [spec.tensor]: { data, dims: [valid, width] } }, valid, errors };
  }

  private buildText(rows: readonly string[][], firstRow: number): BuiltChunk {
    const spec = this.spec as Extract<InputSpec, { kind: 'text' }>;
    const col = this.columns[0]!;
    const texts: string[] = [];
    const errors: RowError[] = [];
    for (let r = 0; r < rows.length; r++) {
      const fields = rows[r]!;
      const rowNumber = firstRow + r;
      const bad = this.columnCount(fields, rowNumber);
      if (bad) {
        errors.push(bad);
        continue;
      }
      const text = fields[col]!;
      if (text.trim() === '') {
        errors.push({ row: rowNumber, kind: 'empty', reason: `column ${quote(this.header[col])} is empty` });
        continue;
      }
      if (tokenize(text, spec.preprocessing).length === 0) {
        errors.push({ row: rowNumber, kind: 'text', reason: `column ${quote(this.header[col])} has no words (${quote(text)})` });
        continue;
      }
      texts.push(text);
    }
    if (texts.length === 0) return { feeds: null, valid: 0, errors };
    return { feeds: { [spec.tensor]: textToTensor(texts, spec.preprocessing) }, valid: texts.length, errors };
  }
}

// ---------------------------------------------------------------------------------------------
// Results → CSV

/** The prediction columns added after the input columns. */
export function predictionColumns(card: ModelCard, header: readonly string[]): string[] {
  const taken = new Set(header.map(normalise));
  const unique = (name: string) => {
    let n = name;
    for (let i = 2; taken.has(n); i++) n = `${name}_${i}`;
    taken.add(n);
    return n;
  };
  const cols = [unique('prediction')];
  if (card.task !== 'regression') for (const label of card.outputs.labels ?? []) cols.push(unique(`probability_${label}`));
  cols.push(unique('error'));
  return cols;
}

/** Formats a number for CSV: float32-exact (9 significant digits), without trailing zeros. */
export function formatNumber(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return String(v);
  return String(Number(v.toPrecision(9)));
}

/** The prediction cells of one row of outputs (row `i` of the chunk's predicted rows). */
export function predictionCells(card: ModelCard, outputs: Outputs, i: number): string[] {
  const result = interpret(card, outputs, i);
  if (result.kind === 'regression') return [formatNumber(result.value)];
  const labels = card.outputs.labels ?? [];
  return [result.label, ...labels.map((l) => (result.probabilities[l] === undefined ? '' : formatNumber(result.probabilities[l])))];
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV line (RFC 4180: a field with a comma, quote, line break or edge space is quoted, quotes doubled). */
export function csvLine(fields: readonly string[]): string {
  let line = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (i > 0) line += ',';
    line += NEEDS_QUOTES.test(f) ? `"${f.replace(/"/g, '""')}"` : f;
  }
  return line;
}
